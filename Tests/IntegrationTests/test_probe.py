"""`barkd probe`: the container HEALTHCHECK. It asks 127.0.0.1:PORT for /readyz over a
plain socket and exits 0 on 200, 1 otherwise with one line on stderr, 2 on bad usage."""

from __future__ import annotations

import os
import socket
import subprocess
import time

from barkd_helpers import clean_environment, free_port, request

TOKEN = "probe-test-admin-token-0123456789"


def run_probe(barkd_bin, *args, env=None, timeout=10):
    result = subprocess.run(
        [barkd_bin, "probe", *args], env=clean_environment(env), stdin=subprocess.DEVNULL,
        capture_output=True, timeout=timeout,
    )
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def test_ready_server_exits_zero_silently(barkd_bin, start_barkd):
    barkd = start_barkd()
    code, out, err = run_probe(barkd_bin, "--port", str(barkd.port))
    assert (code, out, err) == (0, "", "")
    # The probe's request shows up in the access log like any other.
    line = barkd.wait_for_log(lambda o: o.get("path") == "/readyz" and o.get("status") == 200)
    assert line["method"] == "GET"


def test_port_from_environment(barkd_bin, start_barkd):
    barkd = start_barkd()
    code, _, err = run_probe(barkd_bin, env={"BARKD_PORT": str(barkd.port)})
    assert code == 0, err
    # The flag wins over the environment.
    code, _, err = run_probe(barkd_bin, "--port", str(barkd.port), env={"BARKD_PORT": str(free_port())})
    assert code == 0, err


def test_not_ready_exits_one_with_one_line(barkd_bin, start_barkd, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    barkd = start_barkd("--admin-token-file", str(token_file))
    with barkd.client() as client:
        client.send(request("POST", "/readyz/disable", {
            "Authorization": f"Bearer {TOKEN}", "Content-Length": "0", "Connection": "close"}))
        assert client.read_response().status in (200, 204)
    assert barkd.get("/readyz").status == 503
    code, out, err = run_probe(barkd_bin, "--port", str(barkd.port))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert f"127.0.0.1:{barkd.port}/readyz answered 503" in err


def test_nothing_listening_exits_one(barkd_bin):
    port = free_port()
    code, _, err = run_probe(barkd_bin, "--port", str(port))
    assert code == 1
    assert err.count("\n") == 1 and "refused" in err.lower()


def test_silent_server_times_out(barkd_bin):
    """A listener that accepts but never answers: the probe gives up after --timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        started = time.monotonic()
        code, _, err = run_probe(barkd_bin, "--port", str(port), "--timeout", "0.5")
        elapsed = time.monotonic() - started
    assert code == 1
    assert err.count("\n") == 1 and "no answer" in err
    assert 0.4 < elapsed < 5


def test_garbage_answer_exits_one(barkd_bin):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        process = subprocess.Popen(
            [barkd_bin, "probe", "--port", str(port)], env=clean_environment(),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            listener.settimeout(5)
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(5)
                assert conn.recv(4096).startswith(b"GET /readyz HTTP/1.1\r\n")
                conn.sendall(b"SSH-2.0-nope\r\n")
            _, err = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                os.kill(process.pid, 9)
                process.wait(timeout=5)
    assert process.returncode == 1
    assert b"not an HTTP/1.x answer" in err


def test_bad_usage_exits_two(barkd_bin):
    for args in (["--bogus"], ["--port", "0"], ["--port", "70000"], ["--port"], ["--timeout", "-1"], ["--path", "x"]):
        code, _, err = run_probe(barkd_bin, *args)
        assert code == 2, args
        assert err.startswith("barkd probe: ") and err.count("\n") == 1, (args, err)
