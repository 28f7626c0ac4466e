"""MariaDB on a host of its own, for fault tests: a network namespace joined to this host
by a veth pair on a private /30, with `mariadbd` bound to the namespace's address.

    host (test, barkd, relay)  10.203.X.1 ── veth ── 10.203.X.2  namespace: mariadbd :3306

Faults made here are real packets: `partition()` loads an nftables table inside the
namespace that drops everything on its veth in both directions, `heal()` deletes it.
`RowLock` holds `visitor_counter`'s row in another session (`SELECT … FOR UPDATE` in an
open transaction). Administration (users, databases, reading the stored count, the row
lock) goes through the server's unix socket as root, so it works during a partition and
never crosses the relay.

Everything made is recorded in a state file under `STATE_DIR` and removed by
`teardown()`, even after a failure; a run that died without its teardown (its owner PID
is gone) is swept by the next `setup()`. Processes are stopped by the PID recorded when
they were started. Needs root, iproute2 (`ip netns`), nftables and Debian's
mariadb-server/-client; a missing piece raises `NetfaultsUnavailable` with the reason.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import random
import secrets
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

STATE_DIR = Path("/run/barkd-netfaults")
#: /30 networks are taken from here (10.203.0.0/30 … 10.203.255.252/30).
POOL = ipaddress.ip_network("10.203.0.0/16")
MARIADB_PORT = 3306
#: The nftables table of a partition (inside the namespace only).
PARTITION_TABLE = "barkd_partition"
COMMAND_TIMEOUT = 20.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class NetfaultsUnavailable(RuntimeError):
    """The namespace host cannot be built here (not root, a tool missing, ip netns refused)."""


def _run(argv: list[str], input: Optional[str] = None, timeout: float = COMMAND_TIMEOUT,
         check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def _pid_alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def stop_pid(pid: int, expect_in_cmdline: str, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL after `timeout`, the process `pid` — only if its command line
    still contains `expect_in_cmdline` (a recycled PID is left alone)."""
    if not _pid_alive(pid) or expect_in_cmdline not in _cmdline(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _pid_alive(pid) and expect_in_cmdline in _cmdline(pid):
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _cleanup_resources(state: dict) -> list[str]:
    """Removes what a state file records; returns what could not be removed."""
    problems = []
    pid = state.get("mariadbd_pid")
    if pid:
        try:
            stop_pid(int(pid), state.get("workdir", "mariadbd"))
        except OSError as error:
            problems.append(f"mariadbd {pid}: {error}")
    for pid, marker in state.get("pids", []):
        stop_pid(int(pid), marker, timeout=5)
    veth = state.get("veth_host")
    if veth and Path(f"/sys/class/net/{veth}").exists():
        done = _run(["ip", "link", "del", veth], check=False)
        if done.returncode != 0 and Path(f"/sys/class/net/{veth}").exists():
            problems.append(f"ip link del {veth}: {done.stderr.strip()}")
    namespace = state.get("namespace")
    if namespace and Path(f"/run/netns/{namespace}").exists():
        done = _run(["ip", "netns", "del", namespace], check=False)
        if done.returncode != 0:
            problems.append(f"ip netns del {namespace}: {done.stderr.strip()}")
    for directory in [state.get("workdir")] + state.get("dirs", []):
        if directory and Path(directory).name.startswith(("barkd-netfaults-", "barkd-faults-data-")):
            shutil.rmtree(directory, ignore_errors=True)
    return problems


def sweep_stale() -> list[str]:
    """Removes the resources of earlier runs whose owner process is gone."""
    swept = []
    if not STATE_DIR.is_dir():
        return swept
    for path in STATE_DIR.glob("*.json"):
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        owner = int(state.get("owner_pid", 0))
        if owner and _pid_alive(owner) and owner != os.getpid():
            continue
        _cleanup_resources(state)
        path.unlink(missing_ok=True)
        swept.append(state.get("namespace", path.stem))
    return swept


def _used_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network this host routes or has an address in (every table)."""
    used = []
    for argv in (["ip", "-4", "-o", "addr", "show"], ["ip", "-4", "route", "show", "table", "all"]):
        for line in _run(argv).stdout.splitlines():
            for word in line.split():
                if "/" in word or word[:1].isdigit():
                    try:
                        used.append(ipaddress.ip_network(word, strict=False))
                    except ValueError:
                        pass
    return used


def _claimed_networks() -> set[str]:
    claimed = set()
    for path in STATE_DIR.glob("*.json"):
        try:
            claimed.add(json.loads(path.read_text()).get("network", ""))
        except (OSError, ValueError):
            pass
    return claimed


class RowLock:
    """Another session holding `visitor_counter`'s row: `START TRANSACTION; SELECT … FOR
    UPDATE` through Debian's `mariadb` client, kept open until `release()`."""

    def __init__(self, host: "MariaDBHost", database: str) -> None:
        self.host = host
        self.database = database
        self.proc: Optional[subprocess.Popen] = None
        self.acquired_at: Optional[float] = None

    def _pump(self) -> None:
        for line in iter(self.proc.stdout.readline, ""):
            self.lines.put(line.strip())
        self.lines.put(None)

    def _await_marker(self, marker: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            seen.append(line)
            if line == marker:
                return
            if time.monotonic() > deadline:
                break
        raise AssertionError(f"the locking session did not print {marker!r} within {timeout} s; "
                             f"output {seen!r}, exit {self.proc.poll()}, stderr {self._stderr()!r}")

    def _stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read()

    def acquire(self, timeout: float = 10.0) -> None:
        self.proc = subprocess.Popen(
            self.host.client_argv(self.database) + ["--unbuffered"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.host.record_pid(self.proc.pid, "mariadb")
        self.lines: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()
        self.proc.stdin.write("START TRANSACTION;\n"
                              "SELECT count FROM visitor_counter WHERE id = 1 FOR UPDATE;\n"
                              "SELECT 'barkd-lock-held';\n")
        self.proc.stdin.flush()
        self._await_marker("barkd-lock-held", timeout)
        self.acquired_at = time.monotonic()

    def release(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.stdin.write("ROLLBACK;\nSELECT 'barkd-lock-released';\n")
        self.proc.stdin.flush()
        self._await_marker("barkd-lock-released", timeout)
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            stop_pid(self.proc.pid, "mariadb", timeout=2)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.reader.join(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except Exception:
                pass
        self.host.forget_pid(self.proc.pid)
        self.proc = None


class MariaDBHost:
    """See the module doc. `setup()`, then `url()` for barkd; `teardown()` always."""

    def __init__(self, innodb_lock_wait_timeout: int = 50) -> None:
        self.token = secrets.token_hex(3)
        self.namespace = f"barkd-faults-{self.token}"
        self.veth_host = f"bfh{self.token}"
        self.veth_ns = f"bfn{self.token}"
        self.innodb_lock_wait_timeout = innodb_lock_wait_timeout
        self.network: Optional[ipaddress.IPv4Network] = None
        self.host_address = ""
        self.ns_address = ""
        self.workdir: Optional[Path] = None
        self.password = ""
        self.password_file: Optional[Path] = None
        self.mariadbd: Optional[subprocess.Popen] = None
        self.pids: list[list] = []
        self.dirs: list[str] = []
        self.state_file = STATE_DIR / f"{self.token}.json"
        self.databases: list[str] = []

    # -- state ------------------------------------------------------------------------

    def _state(self) -> dict:
        return {
            "owner_pid": os.getpid(), "namespace": self.namespace, "veth_host": self.veth_host,
            "network": str(self.network) if self.network else "", "workdir": str(self.workdir or ""),
            "mariadbd_pid": self.mariadbd.pid if self.mariadbd else None, "pids": self.pids, "dirs": self.dirs,
        }

    def _save(self) -> None:
        STATE_DIR.mkdir(mode=0o700, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._state()))
        tmp.replace(self.state_file)

    def record_pid(self, pid: int, marker: str) -> None:
        """Records a process started for the tests (a barkd, the locking client), so that
        a sweep after a crashed run stops it — if its command line still has `marker`."""
        self.pids.append([pid, marker])
        self._save()

    def temporary_directory(self) -> Path:
        """A directory for one test's files (barkd data directories), removed by the test
        or, after a crashed run, by the sweep."""
        path = Path(tempfile.mkdtemp(prefix="barkd-faults-data-"))
        self.dirs.append(str(path))
        self._save()
        return path

    def remove_directory(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)
        if str(path) in self.dirs:
            self.dirs.remove(str(path))
            self._save()

    def forget_pid(self, pid: int) -> None:
        self.pids = [entry for entry in self.pids if entry[0] != pid]
        self._save()

    # -- set-up -----------------------------------------------------------------------

    @staticmethod
    def check_prerequisites() -> None:
        if os.geteuid() != 0:
            raise NetfaultsUnavailable("the fault tests need root (ip netns, veth, nftables); run them as root")
        missing = [tool for tool in ("ip", "nft", "mariadbd", "mariadb-install-db", "mariadb", "mariadb-admin")
                   if shutil.which(tool) is None]
        if missing:
            raise NetfaultsUnavailable(f"the fault tests need {', '.join(missing)} "
                                       "(apt-get install iproute2 nftables mariadb-server mariadb-client)")

    def setup(self) -> None:
        self.check_prerequisites()
        STATE_DIR.mkdir(mode=0o700, exist_ok=True)
        with open(STATE_DIR / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            sweep_stale()
            self.network = self._free_network()
            hosts = list(self.network.hosts())
            self.host_address, self.ns_address = str(hosts[0]), str(hosts[1])
            self.workdir = Path(tempfile.mkdtemp(prefix="barkd-netfaults-"))
            self._save()
            try:
                self._make_network()
            except RuntimeError as error:
                raise NetfaultsUnavailable(f"cannot build the network namespace: {error}") from error
        self._start_mariadb()

    def _free_network(self) -> ipaddress.IPv4Network:
        used = _used_networks()
        claimed = _claimed_networks()
        candidates = list(POOL.subnets(new_prefix=30))
        random.shuffle(candidates)
        for candidate in candidates:
            if str(candidate) in claimed:
                continue
            if any(candidate.overlaps(net) for net in used if net.prefixlen > 0):
                continue
            return candidate
        raise NetfaultsUnavailable(f"no free /30 in {POOL}")

    def _make_network(self) -> None:
        _run(["ip", "netns", "add", self.namespace])
        _run(["ip", "link", "add", self.veth_host, "type", "veth", "peer", "name", self.veth_ns])
        _run(["ip", "link", "set", self.veth_ns, "netns", self.namespace])
        _run(["ip", "addr", "add", f"{self.host_address}/30", "dev", self.veth_host])
        _run(["ip", "link", "set", self.veth_host, "up"])
        _run(["ip", "-n", self.namespace, "addr", "add", f"{self.ns_address}/30", "dev", self.veth_ns])
        _run(["ip", "-n", self.namespace, "link", "set", self.veth_ns, "up"])
        _run(["ip", "-n", self.namespace, "link", "set", "lo", "up"])

    def _start_mariadb(self) -> None:
        workdir = self.workdir
        shutil.chown(workdir, "mysql", "mysql")
        install = _run(["mariadb-install-db", "--no-defaults", "--user=mysql", f"--datadir={workdir}/data",
                        "--skip-test-db", "--auth-root-authentication-method=normal"],
                       timeout=START_TIMEOUT, check=False)
        if install.returncode != 0:
            raise NetfaultsUnavailable(f"mariadb-install-db failed: {install.stderr.strip()[-2000:]}")
        argv = ["ip", "netns", "exec", self.namespace,
                "mariadbd", "--no-defaults", "--user=mysql", f"--datadir={workdir}/data",
                f"--socket={workdir}/sock", f"--port={MARIADB_PORT}", f"--bind-address={self.ns_address}",
                "--skip-log-bin", "--skip-name-resolve", f"--pid-file={workdir}/server.pid",
                f"--log-error={workdir}/error.log", "--max-connections=500", "--innodb-buffer-pool-size=64M",
                f"--innodb-lock-wait-timeout={self.innodb_lock_wait_timeout}"]
        # `ip netns exec` joins the namespace and execs mariadbd in place: same PID.
        self.mariadbd = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        self._save()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            ping = _run(["mariadb-admin", "--no-defaults", "--protocol=socket", f"--socket={workdir}/sock",
                         "-uroot", "--connect-timeout=2", "ping"], check=False)
            if ping.returncode == 0:
                break
            if self.mariadbd.poll() is not None or time.monotonic() > deadline:
                log = (workdir / "error.log").read_text(errors="replace")[-3000:] if (workdir / "error.log").exists() else ""
                raise NetfaultsUnavailable(f"mariadbd did not start in namespace {self.namespace} "
                                           f"(exit {self.mariadbd.poll()}); log:\n{log}")
            time.sleep(0.1)
        self.password = secrets.token_hex(16)
        self.password_file = workdir / "password"
        self.password_file.write_text(self.password)
        self.password_file.chmod(0o600)
        self.admin_sql(
            f"CREATE USER 'barkd'@'{self.host_address}' IDENTIFIED BY '{self.password}';"
            f"GRANT ALL PRIVILEGES ON `barkd\\_fault%`.* TO 'barkd'@'{self.host_address}';")

    # -- use --------------------------------------------------------------------------

    def client_argv(self, database: str = "") -> list[str]:
        argv = ["mariadb", "--no-defaults", "--protocol=socket", f"--socket={self.workdir}/sock", "-uroot",
                "--batch", "--skip-column-names", "--connect-timeout=5"]
        if database:
            argv.append(database)
        return argv

    def admin_sql(self, statement: str, database: str = "") -> str:
        return _run(self.client_argv(database) + ["-e", statement]).stdout

    def create_database(self) -> str:
        name = "barkd_fault_" + secrets.token_hex(5)
        self.admin_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        self.databases.append(name)
        return name

    def drop_database(self, name: str) -> None:
        self.admin_sql(f"DROP DATABASE IF EXISTS {name}")
        if name in self.databases:
            self.databases.remove(name)

    def url(self, database: str, via: Optional[tuple[str, int]] = None) -> str:
        """barkd's `--database` for `database`: straight over the veth, or `via` a relay."""
        host, port = via if via else (self.ns_address, MARIADB_PORT)
        return f"mariadb://barkd@{host}:{port}/{database}"

    def stored_visitors(self, database: str) -> int:
        out = self.admin_sql("SELECT COALESCE((SELECT count FROM visitor_counter WHERE id = 1), 0)", database)
        return int(out.strip())

    def partition(self) -> None:
        """Drops every packet on the namespace's veth, both directions (nftables, inside
        the namespace)."""
        rules = (f"table inet {PARTITION_TABLE} {{\n"
                 f"  chain input {{ type filter hook input priority -10; policy accept; iifname \"{self.veth_ns}\" drop; }}\n"
                 f"  chain output {{ type filter hook output priority -10; policy accept; oifname \"{self.veth_ns}\" drop; }}\n"
                 f"}}\n")
        _run(["ip", "netns", "exec", self.namespace, "nft", "-f", "-"], input=rules)

    def heal(self) -> None:
        if self.partitioned():
            _run(["ip", "netns", "exec", self.namespace, "nft", "delete", "table", "inet", PARTITION_TABLE])

    def partitioned(self) -> bool:
        tables = _run(["ip", "netns", "exec", self.namespace, "nft", "list", "tables"]).stdout
        return PARTITION_TABLE in tables

    def row_lock(self, database: str) -> RowLock:
        return RowLock(self, database)

    # -- teardown ---------------------------------------------------------------------

    def teardown(self) -> list[str]:
        """Removes everything `setup()` made; returns what could not be removed."""
        problems = _cleanup_resources(self._state())
        if self.mariadbd is not None:
            try:
                self.mariadbd.wait(timeout=5)
            except subprocess.TimeoutExpired:
                problems.append(f"mariadbd {self.mariadbd.pid} still running")
        if not problems:
            self.state_file.unlink(missing_ok=True)
        return problems


def main() -> None:
    """`python netfaults.py sweep`: removes what dead runs left behind."""
    import sys
    if sys.argv[1:] == ["sweep"]:
        print("swept:", sweep_stale())
    else:
        print(main.__doc__)


if __name__ == "__main__":
    main()
