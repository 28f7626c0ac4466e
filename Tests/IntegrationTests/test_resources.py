"""Resource exhaustion and address families: barkd pauses instead of spinning or dying."""

import socket
import time

from barkd_helpers import exchange, request, wait_until


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks


def test_out_of_descriptors_pauses_accepting_then_recovers(start_barkd):
    # A hard limit of 64 descriptors: barkd cannot raise it, so accept4 fails with EMFILE
    # once the held connections use up what start-up left.
    barkd = start_barkd("--event-loops", "1", argv_prefix=["prlimit", "--nofile=64:64", "--"])
    held = []
    try:
        for _ in range(80):  # more than fit; the rest wait in the kernel's backlog
            held.append(socket.create_connection(("127.0.0.1", barkd.port), timeout=5))
        barkd.wait_for_log(lambda line: line.get("msg") == "accept failed; pausing", timeout=5)
        # Paused, not spinning: well under a tenth of a CPU second over one second (a
        # measuring window, not a wait for an event).
        before = cpu_seconds(barkd.pid)
        time.sleep(1.0)
        assert cpu_seconds(barkd.pid) - before < 0.1
        assert barkd.alive()
    finally:
        for sock in held:
            sock.close()
    # Descriptors come back as barkd sees the closes; then it serves again.
    response = wait_until(lambda: barkd.get("/healthcheck"), 10, "barkd serving again after the closes",
                          interval=0.2, ignore=(OSError,))
    assert response.status == 200
    assert barkd.alive()


def test_ipv6_loopback(start_barkd):
    barkd = start_barkd("--host", "::1", "--port", "0", "--event-loops", "2", defaults=False)
    assert barkd.starting["listen"].startswith("[::1]:")
    data = exchange(("::1", barkd.port), request("GET", "/healthcheck", {"Host": "[::1]", "Connection": "close"}))
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"myapplication"' in data


def test_dual_stack_wildcard_accepts_ipv4_and_ipv6(start_barkd):
    barkd = start_barkd("--host", "::", "--port", "0", "--event-loops", "1", defaults=False)
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect((address, barkd.port))
            sock.sendall(request("GET", "/livez", {"Host": "x", "Connection": "close"}))
            assert sock.recv(64).startswith(b"HTTP/1.1 200 OK")
