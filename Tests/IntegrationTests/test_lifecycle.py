"""barkd's process lifecycle: configuration errors, --help, sd_notify (READY, WATCHDOG,
STOPPING), graceful drain on SIGTERM/SIGINT, the second signal, socket activation."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

import pytest

from barkd_helpers import Client, clean_environment, fields_of, free_port, request, socket_activation_prefix, wait_until

INVALID_PREFIX = "barkd: invalid configuration:"


def run_barkd(barkd_bin, args, env=None, timeout=10):
    """Runs barkd to completion (for commands that must exit by themselves)."""
    process = subprocess.Popen(
        [barkd_bin, *args], env=clean_environment(env), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=5)
        raise AssertionError(f"barkd {args} did not exit within {timeout}s")
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    return process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------

INVALID_CONFIGURATIONS = [
    # (id, args, env, words the one stderr line must contain)
    ("port-out-of-range", ["--port", "70000"], None, ["--port"]),
    ("port-not-a-number", ["--port", "abc"], None, ["--port"]),
    ("port-from-env", [], {"BARKD_PORT": "abc"}, ["port", "BARKD_PORT"]),
    ("port-from-platform-env", [], {"PORT": "abc"}, ["port", "(from PORT)"]),
    ("log-format", ["--log-format", "xml"], None, ["--log-format"]),
    ("log-format-from-env", [], {"BARKD_LOG_FORMAT": "xml"}, ["--log-format", "BARKD_LOG_FORMAT"]),
    ("header-timeout-zero", ["--header-timeout", "0"], None, ["--header-timeout"]),
    ("header-timeout-zero-from-env", [], {"BARKD_HEADER_TIMEOUT": "0s"}, ["--header-timeout", "BARKD_HEADER_TIMEOUT"]),
    ("header-timeout-garbage", ["--header-timeout", "soon"], None, ["--header-timeout"]),
    ("unknown-flag", ["--frobnicate"], None, ["--frobnicate"]),
    ("max-body-garbage", ["--max-body", "lots"], None, ["--max-body"]),
    ("access-log-garbage", ["--access-log", "sometimes"], None, ["--access-log"]),
    ("event-loops-zero", ["--event-loops", "0"], None, ["--event-loops"]),
    ("max-requests-zero", ["--max-requests-per-connection", "0"], None, ["--max-requests-per-connection"]),
    ("db-read-timeout-too-short", ["--db-read-timeout", "1s"], None, ["--db-read-timeout"]),
    ("db-read-timeout-sub-second", ["--db-read-timeout", "1500ms"], None, ["--db-read-timeout"]),
    ("db-connect-timeout-zero", ["--db-connect-timeout", "0"], None, ["--db-connect-timeout"]),
    ("db-write-timeout-garbage", ["--db-write-timeout", "soon"], None, ["--db-write-timeout"]),
    ("db-read-timeout-from-env", [], {"BARKD_DB_READ_TIMEOUT": "2h"}, ["--db-read-timeout", "BARKD_DB_READ_TIMEOUT"]),
    ("max-pending-views-zero", ["--max-pending-views", "0"], None, ["--max-pending-views"]),
    ("shutdown-grace-too-short", ["--shutdown-grace", "500ms"], None, ["--shutdown-grace"]),
    ("tls-ca-without-verifying", ["--database", "mariadb://u@h/d?tls=required&tls-ca=/x.pem"], None, ["tls-ca"]),
]


@pytest.mark.parametrize("case", INVALID_CONFIGURATIONS, ids=[c[0] for c in INVALID_CONFIGURATIONS])
def test_invalid_configuration_exits_2_with_one_line(barkd_bin, case):
    _, args, env, words = case
    port = free_port()
    # A valid port is given (unless the case is about the port) so that "nothing
    # listens" is checkable on it.
    if "--port" not in args and not (env and ("BARKD_PORT" in env or "PORT" in env)):
        args = ["--port", str(port), *args]
    code, stdout, stderr = run_barkd(barkd_bin, args, env)
    assert code == 2, (code, stdout, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one stderr line, got {stderr!r}"
    assert lines[0].startswith(INVALID_PREFIX), lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not named in {lines[0]!r}"
    assert '"msg":"starting"' not in stdout and stdout.strip() == "", stdout
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "something listens after an invalid configuration"


def test_help_exits_0_and_names_every_environment_variable(barkd_bin):
    code, stdout, stderr = run_barkd(barkd_bin, ["--help"])
    assert code == 0, stderr
    text = stdout + stderr
    options = sorted(set(re.findall(r"--([a-z][a-z0-9-]*) <", text)))
    expected = {
        "host", "port", "event-loops", "description", "header-timeout", "idle-timeout",
        "body-timeout", "max-body", "max-request-line", "max-header-bytes", "max-headers",
        "max-requests-per-connection", "max-connections", "shutdown-grace", "log-format",
        "access-log",
    }
    assert expected <= set(options), f"--help lacks {expected - set(options)}"
    flat = " ".join(text.split())
    for option in options:
        variable = "BARKD_" + option.upper().replace("-", "_")
        assert variable in flat, f"--help does not mention {variable} for --{option}"


def test_environment_variable_configures_the_server(start_barkd):
    """An option set only through its BARKD_* variable takes effect."""
    barkd = start_barkd(env={"BARKD_MAX_REQUESTS_PER_CONNECTION": "2", "BARKD_ACCESS_LOG": "off"})
    with barkd.client() as client:
        client.send(request("GET", "/livez") + request("GET", "/livez") + request("GET", "/livez"))
        assert not client.read_response().closes
        assert client.read_response().closes
        client.expect_closed()


def test_port_already_in_use_fails_without_exit_code_2(barkd_bin):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(8)
    port = holder.getsockname()[1]
    try:
        code, stdout, stderr = run_barkd(barkd_bin, ["--host", "127.0.0.1", "--port", str(port), "--event-loops", "2"])
    finally:
        holder.close()
    assert code != 0 and code != 2, (code, stdout, stderr)
    assert str(port) in stderr, stderr


# --------------------------------------------------------------------------------------
# sd_notify and the watchdog
# --------------------------------------------------------------------------------------


def test_ready_notification_after_listening(start_barkd, notify_socket):
    barkd = start_barkd(env={"NOTIFY_SOCKET": notify_socket.path})
    ready = fields_of(notify_socket.wait_for(lambda m: "READY=1" in m.split("\n")))
    assert f"127.0.0.1:{barkd.port}" in ready.get("STATUS", ""), ready
    # READY=1 means it answers.
    assert barkd.get("/readyz").status == 200
    readies = [m for _, m in notify_socket.snapshot() if "READY=1" in m.split("\n")]
    assert len(readies) == 1
    # Without WATCHDOG_USEC there are no watchdog pings.
    assert not [m for _, m in notify_socket.snapshot() if "WATCHDOG=1" in m]


def test_watchdog_pings_repeatedly(start_barkd, notify_socket):
    start_barkd(env={"NOTIFY_SOCKET": notify_socket.path, "WATCHDOG_USEC": "400000"})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    first = notify_socket.wait_for(lambda m: m.strip() == "WATCHDOG=1", timeout=2)
    assert first
    window_start = time.monotonic()

    def pings() -> int:
        return len([t for t, m in notify_socket.snapshot() if m.strip() == "WATCHDOG=1" and t >= window_start])

    wait_until(lambda: pings() >= 3, 1.5,
               lambda: f"3 WATCHDOG=1 with WATCHDOG_USEC=400000 (every 200 ms expected; got {pings()})")


def test_watchdog_for_another_pid_is_ignored(start_barkd, notify_socket):
    """WATCHDOG_PID naming another process means the watchdog is not ours (sd_watchdog_enabled)."""
    barkd = start_barkd(env={"NOTIFY_SOCKET": notify_socket.path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    # With pings due every 100 ms, a second shows whether any are sent: an observation
    # window for something that must not happen, so a fixed sleep.
    assert barkd.get("/livez").status == 200
    time.sleep(1.0)
    assert not [m for _, m in notify_socket.snapshot() if "WATCHDOG=1" in m]


# --------------------------------------------------------------------------------------
# Graceful shutdown
# --------------------------------------------------------------------------------------


def open_with_continue(barkd, target, length):
    """A request whose head barkd has certainly parsed (it answered 100 Continue) and
    whose body is still to come: an in-flight request the client controls."""
    client = barkd.client()
    client.send(request("GET", target, {"Content-Length": str(length), "Expect": "100-continue"}))
    interim = client.read_response(allow_interim=True)
    assert interim.status == 100
    return client


def wait_for_stopping(barkd, notify_socket):
    stopping = fields_of(notify_socket.wait_for(lambda m: "STOPPING=1" in m.split("\n")))
    barkd.wait_for_log(lambda o: o.get("msg") == "draining")
    return stopping


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_in_flight_requests_and_exits_0(start_barkd, notify_socket, signum):
    barkd = start_barkd(
        "--shutdown-grace", "15s",
        env={"NOTIFY_SOCKET": notify_socket.path, "WATCHDOG_USEC": "400000"},
    )
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    notify_socket.wait_for(lambda m: m.strip() == "WATCHDOG=1", timeout=3)

    idle = barkd.client()
    idle.send(request("GET", "/livez"))
    assert idle.read_response().status == 200          # now an idle keep-alive connection
    slow = open_with_continue(barkd, "/healthcheck", 5)
    slow.send(b"he")                                    # part of the body
    probe = open_with_continue(barkd, "/readyz", 1)     # answered during the drain

    try:
        barkd.send_signal(signum)
        stopping = wait_for_stopping(barkd, notify_socket)
        assert "STATUS" in stopping

        # Idle keep-alive connections are closed at once; in-flight ones are not.
        idle.expect_closed()
        assert barkd.alive(), "barkd exited with requests in flight"

        # Readiness is false while draining; the response ends the connection.
        probe.send(b"x")
        not_ready = probe.read_response()
        assert not_ready.status == 503
        assert not_ready.body.startswith(b"not ready:"), not_ready.body
        assert not_ready.closes
        probe.expect_closed()
        assert barkd.alive()

        # The slow request completes normally, then the connection closes.
        slow.send(b"llo")
        answered = slow.read_response()
        assert answered.status == 200
        assert "myapplication" in answered.json()
        assert answered.closes
        slow.expect_closed()

        assert barkd.wait_exit(10) == 0
    finally:
        for client in (idle, slow, probe):
            client.close()
    assert barkd.wait_for_log(lambda o: o.get("msg") == "stopped", timeout=2)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_with_only_idle_connections_exits_0(start_barkd, notify_socket, signum):
    barkd = start_barkd("--shutdown-grace", "15s", env={"NOTIFY_SOCKET": notify_socket.path})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    clients = []
    try:
        for _ in range(5):
            client = barkd.client()
            client.send(request("GET", "/healthcheck"))
            assert client.read_response().status == 200
            clients.append(client)
        barkd.send_signal(signum)
        wait_for_stopping(barkd, notify_socket)
        for client in clients:
            client.expect_closed()
        assert barkd.wait_exit(10) == 0
    finally:
        for client in clients:
            client.close()


def test_second_signal_exits_at_once(start_barkd, notify_socket):
    barkd = start_barkd("--shutdown-grace", "15s", env={"NOTIFY_SOCKET": notify_socket.path})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    slow = open_with_continue(barkd, "/healthcheck", 5)
    try:
        slow.send(b"h")
        barkd.send_signal(signal.SIGTERM)
        wait_for_stopping(barkd, notify_socket)
        assert barkd.alive()
        barkd.send_signal(signal.SIGTERM)
        # Well before the 15 s grace period would let the request finish.
        code = barkd.wait_exit(5)
        assert code != 0, "a second signal should not look like a clean drain"
        slow.read_until_closed()  # the in-flight connection is gone with the process
    finally:
        slow.close()


def test_grace_period_ends_a_stuck_request(start_barkd, notify_socket):
    barkd = start_barkd("--shutdown-grace", "1s", "--body-timeout", "60s", env={"NOTIFY_SOCKET": notify_socket.path})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    stuck = open_with_continue(barkd, "/healthcheck", 5)
    try:
        stuck.send(b"h")
        barkd.send_signal(signal.SIGTERM)
        wait_for_stopping(barkd, notify_socket)
        # The body never comes: after the grace period barkd gives up on it and exits.
        code = barkd.wait_exit(10)
        assert code == 0
        try:
            stuck.read_until_closed()
        except ConnectionResetError:
            pass
    finally:
        stuck.close()


def test_new_connections_are_not_served_after_the_signal(start_barkd, notify_socket):
    barkd = start_barkd("--shutdown-grace", "15s", env={"NOTIFY_SOCKET": notify_socket.path})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    slow = open_with_continue(barkd, "/healthcheck", 2)   # keeps barkd alive while we look
    try:
        barkd.send_signal(signal.SIGTERM)
        wait_for_stopping(barkd, notify_socket)
        late_response = None
        try:
            with Client(socket.create_connection(("127.0.0.1", barkd.port), timeout=2)) as late:
                late.send(request("GET", "/livez"))
                late_response = late.read_response()
        except (OSError, AssertionError):
            pass  # refused, reset, timed out or closed: not served
        assert late_response is None, f"a new connection was served while draining: {late_response}"
        slow.send(b"hi")
        assert slow.read_response().status == 200
        assert barkd.wait_exit(10) == 0
    finally:
        slow.close()


def test_drain_refuses_new_clients_and_answers_one_connected_before(start_barkd, notify_socket):
    """The listener closes at SIGTERM (ECONNREFUSED, not a backlog nobody accepts), and a
    client that connected before the signal but sends its request after the drain began
    is answered, with Connection: close."""
    barkd = start_barkd("--shutdown-grace", "15s", env={"NOTIFY_SOCKET": notify_socket.path})
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    slow = open_with_continue(barkd, "/healthcheck", 2)   # keeps barkd draining while we look
    early = barkd.client()                                # connected, no request yet
    try:
        barkd.send_signal(signal.SIGTERM)
        wait_for_stopping(barkd, notify_socket)
        early.send(request("GET", "/livez"))
        answered = early.read_response()
        assert answered.status == 200
        assert answered.closes
        early.expect_closed()

        def refused() -> bool:
            try:
                socket.create_connection(("127.0.0.1", barkd.port), timeout=2).close()
                return False
            except ConnectionRefusedError:
                return True

        wait_until(refused, 5, "a new connection is refused while draining")
        assert barkd.alive(), "barkd exited with a request in flight"
        slow.send(b"hi")
        assert slow.read_response().status == 200
        assert barkd.wait_exit(10) == 0
    finally:
        early.close()
        slow.close()


# --------------------------------------------------------------------------------------
# Socket activation
# --------------------------------------------------------------------------------------


def _listening_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def test_socket_activation_serves_on_the_passed_fd(start_barkd, notify_socket):
    listener = _listening_socket()
    port = listener.getsockname()[1]
    try:
        barkd = start_barkd(
            env={"LISTEN_FDS": "1", "NOTIFY_SOCKET": notify_socket.path},
            pass_fds=[listener.fileno()],
            argv_prefix=socket_activation_prefix(listener.fileno()),
        )
    finally:
        listener.close()  # only barkd holds it now
    assert barkd.starting.get("socket_activated") in (True, "true"), barkd.starting
    assert barkd.port == port, f"barkd listens on {barkd.port}, not on the passed socket's {port}"
    notify_socket.wait_for(lambda m: "READY=1" in m.split("\n"))
    for target in ["/healthcheck", "/livez", "/readyz"]:
        with Client(socket.create_connection(("127.0.0.1", port), timeout=5)) as client:
            client.send(request("GET", target, {"Connection": "close"}))
            assert client.read_response().status == 200
    # Several connections at once on the shared fd (every loop accepts from it).
    clients = [Client(socket.create_connection(("127.0.0.1", port), timeout=5)) for _ in range(20)]
    try:
        for client in clients:
            client.send(request("GET", "/livez"))
        for client in clients:
            assert client.read_response().status == 200
    finally:
        for client in clients:
            client.close()
    barkd.send_signal(signal.SIGTERM)
    assert barkd.wait_exit(10) == 0


def test_socket_activation_for_another_pid_is_ignored(start_barkd):
    """LISTEN_PID naming another process: the fds are not for barkd; it binds its own."""
    listener = _listening_socket()
    port = listener.getsockname()[1]
    try:
        prefix = socket_activation_prefix(listener.fileno())
        barkd = start_barkd(
            env={"LISTEN_FDS": "1", "SHIM_LISTEN_PID": "1"},
            pass_fds=[listener.fileno()],
            argv_prefix=prefix,
        )
        assert barkd.starting.get("socket_activated") in (False, "false"), barkd.starting
        assert barkd.port != port
        assert barkd.get("/livez").status == 200
    finally:
        listener.close()


# --------------------------------------------------------------------------------------
# The admin token file
# --------------------------------------------------------------------------------------


def test_admin_token_file_with_final_newline_works_and_a_readable_file_is_warned_about(start_barkd, tmp_path):
    from barkd_helpers import TOKEN, call

    path = tmp_path / "admin-token"
    path.write_text(TOKEN + " \n")          # trailing whitespace: not part of the token
    path.chmod(0o644)
    barkd = start_barkd("--data-dir", str(tmp_path / "data"), "--admin-token-file", str(path))
    warning = barkd.wait_for_log(lambda o: o.get("msg") == "the admin token file is readable by other users")
    assert warning.get("level") in ("warning", "warn"), warning
    assert TOKEN not in str(warning)
    path.write_text("rewritten-after-start-0123456789\n")   # read once: the start-up token serves
    wait_until(lambda: call(barkd, "GET", "/readyz").status == 200, 20, "/readyz 200")
    authorized = call(barkd, "POST", "/readyz/disable", headers={"Authorization": f"Bearer {TOKEN}"})
    assert authorized.status != 401, authorized.status
    assert call(barkd, "POST", "/readyz/disable", headers={"Authorization": "Bearer rewritten-after-start-0123456789"}).status == 401
