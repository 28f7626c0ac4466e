"""Shared fixtures and helpers for barkd's end-to-end tests.

Everything here talks to the real `barkd` binary (found through the `BARKD_BIN`
environment variable) over real TCP on 127.0.0.1. Every process a test starts is
stopped by its PID at teardown (SIGTERM, then SIGKILL after a timeout), and every wait
is bounded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Default socket timeout for every client socket (seconds).
SOCKET_TIMEOUT = 5.0
#: How long a started barkd may take to print its "starting" line.
START_TIMEOUT = 10.0
#: How long a stopping barkd gets before SIGKILL at teardown.
STOP_TIMEOUT = 5.0
#: A hard ceiling per test (pytest-timeout); tests are designed to take far less.
TEST_TIMEOUT = 40

#: Keys every JSON log line carries.
LOG_KEYS = {"ts", "level", "msg", "logger"}
ACCESS_LOG_KEYS = {
    "ts", "level", "msg", "logger", "request_id", "method", "path", "route",
    "status", "bytes", "duration_ms", "remote",
}

#: Environment variables barkd reads that must not leak from the test runner's
#: environment into a server under test.
_LEAKY_PREFIXES = ("BARKD_", "NOTIFY_SOCKET", "WATCHDOG_", "LISTEN_")
#: Platform variables barkd falls back to (Cloud Run's PORT).
_LEAKY_NAMES = {"PORT"}


def pytest_collection_modifyitems(config, items):
    """Puts a hard time limit on every test of this suite's own files."""
    mine = {"test_http.py", "test_lifecycle.py"}
    for item in items:
        if Path(str(item.fspath)).name in mine and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))


# --------------------------------------------------------------------------------------
# The binary and the commit it was built from
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def barkd_bin() -> str:
    path = os.environ.get("BARKD_BIN")
    if not path:
        pytest.fail(
            "BARKD_BIN is not set: build barkd (swift build) and point BARKD_BIN at the "
            "binary, e.g. BARKD_BIN=$PWD/.build/debug/barkd",
            pytrace=False,
        )
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"BARKD_BIN={path!r} is not an executable file", pytrace=False)
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def expected_commit() -> str:
    """The commit the binary under test was built from: `BARKD_EXPECTED_COMMIT`, else
    `git rev-parse HEAD` of this checkout (the build records HEAD)."""
    given = os.environ.get("BARKD_EXPECTED_COMMIT")
    if given:
        return given.strip()
    result = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
        capture_output=True, text=True, timeout=10,
    )
    if result.returncode != 0:
        pytest.fail(
            f"cannot determine the expected commit (git rev-parse HEAD failed: "
            f"{result.stderr.strip()}); set BARKD_EXPECTED_COMMIT",
            pytrace=False,
        )
    return result.stdout.strip()


def clean_environment(extra: Optional[dict] = None) -> dict:
    """The test runner's environment without anything barkd would read, plus `extra`.

    Each barkd gets its own embedded database in a fresh temporary data directory unless
    the test names one (`BARKD_DATA_DIR` in `extra`, or `--data-dir`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES) and k not in _LEAKY_NAMES}
    env["BARKD_DATA_DIR"] = tempfile.mkdtemp(prefix="barkd-data-")
    if extra:
        env.update(extra)
    return env


# --------------------------------------------------------------------------------------
# Running barkd
# --------------------------------------------------------------------------------------


class Barkd:
    """One running barkd process, its stdout log lines and its stderr."""

    def __init__(self, argv: list[str], env: dict, pass_fds: Iterable[int] = ()):
        self.argv = argv
        self.env = env
        self.proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, pass_fds=tuple(pass_fds), close_fds=True,
        )
        self.pid = self.proc.pid
        self.raw_lines: list[bytes] = []
        self.stderr_chunks: list[bytes] = []
        self._cond = threading.Condition()
        self._stdout_done = False
        self._threads = [
            threading.Thread(target=self._pump_stdout, daemon=True),
            threading.Thread(target=self._pump_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self.host: Optional[str] = None
        self.port: Optional[int] = None
        self.starting: Optional[dict] = None

    # -- output ---------------------------------------------------------------------

    def _pump_stdout(self) -> None:
        for line in iter(self.proc.stdout.readline, b""):
            with self._cond:
                self.raw_lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._stdout_done = True
            self._cond.notify_all()

    def _pump_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
            with self._cond:
                self.stderr_chunks.append(chunk)

    @property
    def stderr(self) -> str:
        with self._cond:
            return b"".join(self.stderr_chunks).decode("utf-8", "replace")

    def log_lines(self) -> list[dict]:
        """Every stdout line so far, parsed as JSON (fails the test on a non-JSON line)."""
        with self._cond:
            lines = list(self.raw_lines)
        out = []
        for raw in lines:
            try:
                out.append(json.loads(raw))
            except ValueError:
                pytest.fail(f"barkd wrote a log line that is not JSON: {raw!r}")
        return out

    def wait_for_log(self, predicate: Callable[[dict], bool], timeout: float = 5.0) -> dict:
        """Waits for (and returns) the first JSON log line matching `predicate`."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                while seen < len(self.raw_lines):
                    raw = self.raw_lines[seen]
                    seen += 1
                    try:
                        obj = json.loads(raw)
                    except ValueError:
                        continue
                    if isinstance(obj, dict) and predicate(obj):
                        return obj
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self._stdout_done and seen >= len(self.raw_lines)):
                    break
                self._cond.wait(min(remaining, 0.2))
        tail = b"".join(self.raw_lines[-20:]).decode("utf-8", "replace")
        raise AssertionError(
            f"barkd (pid {self.pid}) printed no matching log line within {timeout}s; "
            f"exit={self.proc.poll()} stderr={self.stderr!r}\nlast lines:\n{tail}"
        )

    def wait_until_listening(self, timeout: float = START_TIMEOUT) -> None:
        line = self.wait_for_log(lambda o: o.get("msg") == "starting", timeout)
        self.starting = line
        listen = line.get("listen", "")
        first = listen.split(",")[0].strip()
        host, _, port = first.rpartition(":")
        assert host and port.isdigit(), f"unexpected listen field: {listen!r}"
        self.host = host.strip("[]")
        self.port = int(port)

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Polls `/readyz` until 200: the database is migrated and the catalog loaded."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.get("/readyz").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f"barkd did not become ready within {timeout} s; stderr: {self.stderr[-2000:]}")
            time.sleep(0.05)

    # -- process --------------------------------------------------------------------

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_signal(self, signum: int) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signum)

    def wait_exit(self, timeout: float = 10.0) -> int:
        """The exit code; fails the test if the process did not exit in `timeout`."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"barkd (pid {self.pid}) did not exit within {timeout}s")
        for thread in self._threads:
            thread.join(timeout=2)
        return code

    def stop(self) -> Optional[int]:
        """SIGTERM by PID, then SIGKILL if it has not exited after STOP_TIMEOUT."""
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=STOP_TIMEOUT)
        for thread in self._threads:
            thread.join(timeout=2)
        for stream in (self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except Exception:
                pass
        return self.proc.returncode

    def check_log_lines(self) -> None:
        """Every stdout line of a JSON-logging barkd is one JSON object with the agreed
        keys (access lines with the access-log keys); fails the test otherwise. Called at
        teardown, so it covers every barkd of the test run."""
        argv = " ".join(self.argv)
        if "--log-format text" in argv or "--log-format=text" in argv:
            return
        with self._cond:
            lines = list(self.raw_lines)
        for raw in lines:
            try:
                line = json.loads(raw)
            except ValueError:
                pytest.fail(f"barkd wrote a log line that is not JSON: {raw!r}")
            if not isinstance(line, dict) or not LOG_KEYS <= set(line):
                pytest.fail(f"log line without {LOG_KEYS}: {raw!r}")
            if line.get("logger") == "barkd.access" and not ACCESS_LOG_KEYS <= set(line):
                pytest.fail(f"access log line without {ACCESS_LOG_KEYS - set(line)}: {raw!r}")
        for secret in self.secrets():
            for raw in lines:
                if secret in raw:
                    pytest.fail(f"a secret (database password or admin token) appeared in the log: {raw!r}")

    def secrets(self) -> list[bytes]:
        """The database password and admin token this barkd was given (8+ bytes)."""
        files = [value for key, value in self.env.items() if key.endswith("PASSWORD_FILE") or key.endswith("TOKEN_FILE")]
        if "--admin-token-file" in self.argv:
            index = self.argv.index("--admin-token-file")
            if index + 1 < len(self.argv):
                files.append(self.argv[index + 1])
        found = [value.encode() for key, value in self.env.items() if key.endswith("PASSWORD")]
        for path in files:
            try:
                found.append(Path(path).read_bytes().strip())
            except OSError:
                pass
        return [secret for secret in found if len(secret) >= 8]

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    # -- clients --------------------------------------------------------------------

    def connect(self, timeout: float = SOCKET_TIMEOUT) -> socket.socket:
        assert self.port is not None, "barkd is not listening yet"
        host = "127.0.0.1" if self.host in (None, "0.0.0.0", "::") else self.host
        return socket.create_connection((host, self.port), timeout=timeout)

    def client(self, timeout: float = SOCKET_TIMEOUT) -> "Client":
        return Client(self.connect(timeout))

    def get(self, path: str, headers: Optional[dict] = None, method: str = "GET") -> "Response":
        """One request on a fresh connection (with `Connection: close`)."""
        with self.client() as client:
            hdrs = {"Connection": "close"}
            hdrs.update(headers or {})
            client.send(request(method, path, hdrs))
            return client.read_response(head=(method == "HEAD"))


class BarkdRunner:
    """Starts barkd processes and stops each of them (by PID) at cleanup."""

    def __init__(self, binary: str):
        self.binary = binary
        self.processes: list[Barkd] = []

    def start(
        self,
        *args: str,
        env: Optional[dict] = None,
        defaults: bool = True,
        wait: bool = True,
        pass_fds: Iterable[int] = (),
        argv_prefix: Optional[list[str]] = None,
    ) -> Barkd:
        argv = [self.binary]
        if defaults:
            argv += ["--host", "127.0.0.1", "--port", "0", "--event-loops", "2"]
        argv += list(args)
        if argv_prefix:
            argv = list(argv_prefix) + argv
        process = Barkd(argv, clean_environment(env), pass_fds=pass_fds)
        self.processes.append(process)
        if wait:
            process.wait_until_listening()
            process.wait_until_ready()
        return process

    def cleanup(self) -> None:
        for process in self.processes:
            process.stop()
        try:
            for process in self.processes:
                process.check_log_lines()
        finally:
            self.processes.clear()


@pytest.fixture
def start_barkd(barkd_bin):
    """A factory: `start_barkd("--header-timeout", "1s", env={...})` → running Barkd."""
    runner = BarkdRunner(barkd_bin)
    try:
        yield runner.start
    finally:
        runner.cleanup()


@pytest.fixture(scope="module")
def server(barkd_bin):
    """One barkd shared by a module's tests that do not depend on its configuration."""
    runner = BarkdRunner(barkd_bin)
    try:
        yield runner.start("--header-timeout", "2s", "--body-timeout", "2s")
    finally:
        runner.cleanup()


# --------------------------------------------------------------------------------------
# A strict little HTTP/1.1 client over a raw socket
# --------------------------------------------------------------------------------------


def request(method: str, target: str, headers: Optional[dict] = None, body: bytes = b"",
            version: str = "HTTP/1.1", host: Optional[str] = "127.0.0.1") -> bytes:
    """Serialises one request. `Host` is added unless given or `host` is None."""
    lines = [f"{method} {target} {version}"]
    names = {k.lower() for k in (headers or {})}
    if host is not None and "host" not in names:
        lines.append(f"Host: {host}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: list = field(default_factory=list)  # [(name, value)] in order
    body: bytes = b""

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def header(self, name: str) -> Optional[str]:
        values = self.header_values(name)
        assert len(values) <= 1, f"header {name} appears {len(values)} times: {values}"
        return values[0] if values else None

    def json(self):
        return json.loads(self.body)

    @property
    def closes(self) -> bool:
        value = self.header("Connection")
        return value is not None and "close" in [t.strip().lower() for t in value.split(",")]


_STATUS_LINE = re.compile(rb"^HTTP/1\.1 ([1-5][0-9]{2}) ([^\r\n]*)$")
_FIELD_LINE = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([^\r\n]*)$")


class ConnectionClosed(AssertionError):
    pass


class Client:
    """A socket plus a read buffer; reads responses strictly (CRLF, Content-Length)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionClosed(
                f"connection closed by barkd; unparsed bytes: {bytes(self.buffer[:200])!r}"
            )
        self.buffer += data

    def read_response(self, head: bool = False, allow_interim: bool = False) -> Response:
        """Reads one response. 1xx responses are returned only if `allow_interim`."""
        while True:
            limit = 64 * 1024
            while b"\r\n\r\n" not in self.buffer:
                assert len(self.buffer) < limit, "response head too large"
                self._fill()
            end = self.buffer.index(b"\r\n\r\n")
            head_bytes = bytes(self.buffer[:end])
            del self.buffer[: end + 4]
            lines = head_bytes.split(b"\r\n")
            match = _STATUS_LINE.match(lines[0])
            assert match, f"bad status line: {lines[0]!r}"
            status = int(match.group(1))
            headers = []
            for line in lines[1:]:
                field_match = _FIELD_LINE.match(line)
                assert field_match, f"bad header line: {line!r}"
                headers.append((field_match.group(1).decode("latin-1"),
                                field_match.group(2).decode("latin-1").rstrip(" \t")))
            response = Response("HTTP/1.1", status, match.group(2).decode("latin-1"), headers)
            if 100 <= status < 200:
                assert response.header("Content-Length") is None
                if allow_interim:
                    return response
                continue
            if status in (204, 304):
                return response
            length = response.header("Content-Length")
            assert length is not None and length.isdigit(), \
                f"response {status} without a valid Content-Length: {headers}"
            if head:
                return response
            need = int(length)
            while len(self.buffer) < need:
                self._fill()
            response.body = bytes(self.buffer[:need])
            del self.buffer[:need]
            return response

    def read_until_closed(self, timeout: float = SOCKET_TIMEOUT) -> bytes:
        """Reads until barkd closes the connection (EOF); returns any bytes received.
        Fails if the connection is still open after `timeout`."""
        data = bytes(self.buffer)
        self.buffer.clear()
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"connection still open after {timeout}s; got {data[:200]!r}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f"connection still open after {timeout}s; got {data[:200]!r}")
            finally:
                self.sock.settimeout(SOCKET_TIMEOUT)
            if not chunk:
                return data
            data += chunk

    def expect_closed(self, timeout: float = SOCKET_TIMEOUT) -> None:
        """Asserts barkd closes the connection without sending anything more."""
        extra = self.read_until_closed(timeout)
        assert extra == b"", f"unexpected bytes before close: {extra[:300]!r}"


# --------------------------------------------------------------------------------------
# sd_notify
# --------------------------------------------------------------------------------------


class NotifySocket:
    """A unix datagram socket standing in for systemd's `NOTIFY_SOCKET`; records every
    datagram with its arrival time."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="barkd-n-", dir="/tmp")
        self.path = os.path.join(self.directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._cond:
                self.messages.append((time.monotonic(), data.decode("utf-8", "replace")))
                self._cond.notify_all()

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for _, message in self.messages:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no matching sd_notify message within {timeout}s; got "
                        f"{[m for _, m in self.messages]!r}"
                    )
                self._cond.wait(remaining)

    def snapshot(self) -> list[tuple[float, str]]:
        with self._cond:
            return list(self.messages)

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.directory)
        except OSError:
            pass


@pytest.fixture
def notify_socket():
    ns = NotifySocket()
    try:
        yield ns
    finally:
        ns.close()


def fields_of(message: str) -> dict:
    """`"READY=1\\nSTATUS=x"` → `{"READY": "1", "STATUS": "x"}`."""
    out = {}
    for line in message.split("\n"):
        if "=" in line:
            key, _, value = line.partition("=")
            out[key] = value
    return out


#: A tiny exec shim for socket activation: puts the listening socket on fd 3, sets
#: LISTEN_PID to its own pid (which exec keeps; `SHIM_LISTEN_PID` overrides it, for
#: negative tests) and becomes barkd.
SOCKET_ACTIVATION_SHIM = (
    "import os, sys\n"
    "fd = int(sys.argv[1])\n"
    "if fd != 3:\n"
    "    os.dup2(fd, 3)\n"
    "    os.close(fd)\n"
    "os.set_inheritable(3, True)\n"
    "os.environ['LISTEN_PID'] = os.environ.pop('SHIM_LISTEN_PID', str(os.getpid()))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def socket_activation_prefix(listen_fd: int) -> list[str]:
    return [sys.executable, "-c", SOCKET_ACTIVATION_SHIM, str(listen_fd)]
