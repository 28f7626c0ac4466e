"""Shared helpers for barkd's end-to-end tests (plain functions and classes; the pytest
fixtures that use them are in conftest.py).

Everything here talks to the real `barkd` binary (found through the `BARKD_BIN`
environment variable) over real TCP on 127.0.0.1. Every process a test starts is
stopped by its PID (SIGTERM, then SIGKILL after a timeout), and every wait is bounded:
`wait_until` polls a condition and fails with what it waited for at the deadline.

Test files import from here, never from conftest.py or from another test file.
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
from typing import Callable, Iterable, Optional, TypeVar

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
# Ports, waiting, processes
# --------------------------------------------------------------------------------------

T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (bound, then released)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], T], timeout: float, what, interval: float = 0.05,
               ignore: tuple = ()) -> T:
    """Polls `predicate` every `interval` seconds until it returns something truthy, and
    returns that. At the deadline fails with `what` (a string, or a function giving one
    then) and the last value seen. Exceptions of the types in `ignore` count as "not
    yet"; any other exception from `predicate` fails the wait at once."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
        except ignore as error:
            last = error
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            description = what() if callable(what) else what
            raise AssertionError(f"{description}: not within {timeout} s (last: {last!r})")
        time.sleep(interval)


def stop_process(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT,
                 kill_timeout: float = STOP_TIMEOUT) -> Optional[int]:
    """SIGTERM by PID, then SIGKILL if it has not exited after `timeout`; the exit code."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=kill_timeout)
    return proc.returncode



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
        def ready() -> bool:
            if not self.alive():
                raise AssertionError(f"barkd exited ({self.proc.poll()}) before it was ready; "
                                     f"stderr: {self.stderr[-2000:]}")
            return self.get("/readyz").status == 200

        wait_until(ready, timeout, lambda: f"barkd ready (/readyz 200); stderr: {self.stderr[-2000:]}",
                   ignore=(OSError,))

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
        stop_process(self.proc)
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

    def rss_kib(self) -> int:
        """Resident memory now (`VmRSS`), in KiB."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError(f"no VmRSS for pid {self.pid}")

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



# --------------------------------------------------------------------------------------
# A strict little HTTP/1.1 client over a raw socket
# --------------------------------------------------------------------------------------


CRLF = b"\r\n"


def http_message(start_line: bytes, fields: Iterable[tuple[bytes, bytes]] = (), body: bytes = b"",
                 eol: bytes = CRLF) -> bytes:
    """Raw bytes of one message: the start line, `name: value` per field, the blank line,
    the body; every line ends with `eol`."""
    return start_line + eol + b"".join(name + b": " + value + eol for name, value in fields) + eol + body


def request(method: str, target: str, headers: Optional[dict] = None, body: bytes = b"",
            version: str = "HTTP/1.1", host: Optional[str] = "127.0.0.1") -> bytes:
    """Serialises one request. `Host` is added unless given or `host` is None."""
    names = {k.lower() for k in (headers or {})}
    fields = [("Host", host)] if host is not None and "host" not in names else []
    fields += list((headers or {}).items())
    return http_message(f"{method} {target} {version}".encode("latin-1"),
                        [(f"{name}".encode("latin-1"), f"{value}".encode("latin-1")) for name, value in fields], body)


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


def exchange(address: tuple, data: bytes, timeout: float = SOCKET_TIMEOUT) -> bytes:
    """Connects to `address`, sends `data` and returns every byte received until the
    server closes; fails if it is still open after `timeout` seconds in all."""
    with Client(socket.create_connection(address, timeout=timeout)) as client:
        client.send(data)
        return client.read_until_closed(timeout)


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


# --------------------------------------------------------------------------------------
# The Dog GIF app
# --------------------------------------------------------------------------------------

SEED_DIR = REPO_ROOT / "Sources" / "Persistence" / "Seed"
SEED_CATALOG = json.loads((SEED_DIR / "catalog.json").read_text())
SEED_TITLES = {entry["title"] for entry in SEED_CATALOG}
SEED_SHA_BY_TITLE = {entry["title"]: entry["sha256"] for entry in SEED_CATALOG}

#: How long a fresh barkd may take to migrate, seed and report ready.
READY_TIMEOUT = 30.0
#: Socket timeout of API requests (a page view in sync mode waits for a database write).
REQUEST_TIMEOUT = 10.0

TOKEN = "dog-admin-token-0123456789abcdef"
VISITOR_RE = r'<strong id="visitor">#(\d+)</strong>'


def call(b: Barkd, method: str, path: str, headers: Optional[dict] = None, body: bytes = b"",
         token: Optional[str] = None, timeout: float = REQUEST_TIMEOUT) -> Response:
    """One request on a fresh connection (`Connection: close`); a body gets its
    Content-Length. If barkd answers (and closes) before the whole body is sent, the
    answer is still read."""
    hdrs = {"Connection": "close"}
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    if body or method in ("POST", "PUT", "PATCH"):
        hdrs["Content-Length"] = str(len(body))
    hdrs.update(headers or {})
    with b.client(timeout=timeout) as client:
        try:
            client.send(request(method, path, hdrs, body))
        except (BrokenPipeError, ConnectionResetError):
            pass
        return client.read_response(head=(method == "HEAD"))


def wait_ready(b: Barkd, timeout: float = READY_TIMEOUT) -> list[int]:
    """Polls `/readyz` until 200; returns every status seen. Fails (with barkd's stderr
    and last log lines) if barkd exits or is not ready in `timeout`."""
    seen: list[int] = []

    def ready() -> bool:
        if not b.alive():
            raise AssertionError(
                f"barkd exited ({b.proc.poll()}) before it was ready; statuses {seen}; "
                f"stderr={b.stderr!r}; log tail={b.raw_lines[-10:]!r}"
            )
        try:
            status = call(b, "GET", "/readyz", timeout=2).status
        except (OSError, AssertionError):
            status = -1
        seen.append(status)
        return status == 200

    wait_until(ready, timeout, lambda: f"/readyz 200 (statuses: {seen[-10:]}); stderr={b.stderr!r}; "
                                       f"log tail={b.raw_lines[-10:]!r}")
    return seen


def write_token(directory: Path, token: str = TOKEN, newline: bool = True) -> Path:
    path = directory / "admin-token"
    path.write_text(token + ("\n" if newline else ""))
    path.chmod(0o600)
    return path


def start_app(start_barkd, data_dir: Path, *args: str, token: Optional[str] = None,
              ready: bool = True) -> Barkd:
    """barkd on the embedded SQLite in `data_dir` (created if missing), optionally with
    the admin API; waits until `/readyz` is 200."""
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = ["--data-dir", str(data_dir), *args]
    if token is not None:
        argv += ["--admin-token-file", str(write_token(data_dir.parent, token))]
    b = start_barkd(*argv)
    if ready:
        wait_ready(b)
    return b


def list_all(b: Barkd, limit: int = 100) -> list[dict]:
    """The whole catalog through the paginated API (bounded number of pages)."""
    out: list[dict] = []
    after = None
    for _ in range(100):
        target = f"/api/gifs?limit={limit}" + (f"&after={after}" if after is not None else "")
        response = call(b, "GET", target)
        assert response.status == 200, (target, response.status, response.body)
        page = response.json()
        out += page["gifs"]
        if "next_after" not in page:
            return out
        after = page["next_after"]
    raise AssertionError("more than 100 pages: pagination does not end")


def view_page(b: Barkd, client: Optional[Client] = None) -> tuple[int, str]:
    """One page view: (visitor number, html)."""
    if client is None:
        response = call(b, "GET", "/")
    else:
        client.send(request("GET", "/"))
        response = client.read_response()
    assert response.status == 200, (response.status, response.body[:300])
    html = response.body.decode("utf-8")
    match = re.search(VISITOR_RE, html)
    assert match, f"no visitor number in the page: {html[:2000]}"
    return int(match.group(1)), html


def visitors(b: Barkd) -> int:
    response = call(b, "GET", "/api/visitors")
    assert response.status == 200, (response.status, response.body)
    body = response.json()
    assert set(body) == {"count"} and isinstance(body["count"], int), body
    return body["count"]


class LoadUntilStopped:
    """Threads that view the page over keep-alive connections until told to stop or
    until barkd is gone; records every visitor number answered with 200."""

    def __init__(self, b: Barkd, threads: int = 3) -> None:
        self.b = b
        self.answered: list[int] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def _worker(self) -> None:
        while not self.stop_event.is_set():
            try:
                with self.b.client(timeout=REQUEST_TIMEOUT) as client:
                    while not self.stop_event.is_set():
                        number, _ = view_page(self.b, client)
                        with self.lock:
                            self.answered.append(number)
            except (OSError, ConnectionClosed, AssertionError):
                if not self.b.alive():
                    return
                time.sleep(0.01)

    def wait_for(self, count: int, timeout: float = 15.0) -> None:
        wait_until(lambda: len(self.answered) >= count, timeout, f"{count} answered views")

    def finish(self) -> list[int]:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=15)
        assert not any(t.is_alive() for t in self.threads)
        return list(self.answered)


def metric_value(text: str, name: str) -> Optional[float]:
    """The value of the first sample of `name` (any labels) in a /metrics body, or None."""
    match = re.search(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


def pending_views(b: Barkd) -> Optional[float]:
    """`barkd_pending_views`: views counted and not yet committed to the database."""
    response = call(b, "GET", "/metrics")
    assert response.status == 200, (response.status, response.body[:300])
    return metric_value(response.body.decode("utf-8", "replace"), "barkd_pending_views")
