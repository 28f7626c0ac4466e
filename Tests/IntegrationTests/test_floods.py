"""Connection floods against the release binary: 15,000 concurrent idle connections
(this machine's hard descriptor limit is 20,000 per process) and a connect/close flood.

barkd must keep serving the connections it holds within `--max-connections`, leave the
rest waiting in the kernel's backlog (shed, counted once per pause as
`too_many_connections`), recover when the flood goes away, and leak no descriptor.
Metrics are read from `--metrics-listen`, a listener of its own that the flood does not
fill. Everything goes to 127.0.0.1 and is bounded in count and time."""
from __future__ import annotations

import errno
import select
import socket
import time

import pytest

from barkd_helpers import Barkd, Client, free_port, metric_value, request, wait_until

FLOOD = 15_000
LIMIT = 12_000
NORMAL_CLIENTS = 50
#: A request on a connection barkd holds must be answered within this during the flood.
NORMAL_LATENCY_BOUND = 1.0
#: SO_LINGER on with a zero timeout: close() sends RST.
RESET = b"\x01\x00\x00\x00\x00\x00\x00\x00"


@pytest.fixture
def flooded(start_release_barkd):
    metrics_port = free_port()
    b = start_release_barkd("--max-connections", str(LIMIT), "--metrics-listen", f"127.0.0.1:{metrics_port}",
                            "--header-timeout", "120s", "--idle-timeout", "120s")
    b.metrics_port = metrics_port
    return b


def metrics(b: Barkd) -> str:
    with socket.create_connection(("127.0.0.1", b.metrics_port), timeout=5) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def open_connections(b: Barkd) -> float:
    return metric_value(metrics(b), "barkd_http_open_connections") or 0.0


def serve_each(clients: list[Client]) -> float:
    """One /healthcheck on each held connection; returns the slowest answer's time."""
    slowest = 0.0
    for client in clients:
        began = time.monotonic()
        client.send(request("GET", "/healthcheck"))
        response = client.read_response()
        assert response.status == 200, response.status
        slowest = max(slowest, time.monotonic() - began)
    return slowest


def connect_many(port: int, count: int, timeout: float) -> tuple[list[socket.socket], int]:
    """`count` non-blocking connects to 127.0.0.1:`port`; waits up to `timeout` for the
    handshakes. Returns every socket and how many completed."""
    sockets = []
    poller = select.poll()
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex(("127.0.0.1", port))
        assert code in (0, errno.EINPROGRESS), f"connect: {errno.errorcode.get(code, code)}"
        sockets.append(sock)
        poller.register(sock.fileno(), select.POLLOUT)
    connected = 0
    deadline = time.monotonic() + timeout
    while connected < count and time.monotonic() < deadline:
        for fd, _ in poller.poll(200):
            poller.unregister(fd)
            connected += 1
    return sockets, connected


def test_fifteen_thousand_idle_connections_are_held_to_the_limit_and_leak_nothing(flooded):
    b = flooded
    normal = [b.client(timeout=10) for _ in range(NORMAL_CLIENTS)]
    flood: list[socket.socket] = []
    try:
        serve_each(normal)
        baseline_fds = b.fd_count()
        flood, handshakes = connect_many(b.port, FLOOD, timeout=10)
        wait_until(lambda: open_connections(b) >= LIMIT, 60, lambda: f"barkd to hold {LIMIT} connections; "
                   f"it holds {open_connections(b):.0f}")
        held = open_connections(b)
        assert held == LIMIT, f"barkd holds {held:.0f} connections, beyond --max-connections {LIMIT}"
        slowest = serve_each(normal)
        assert slowest < NORMAL_LATENCY_BOUND, f"a held connection waited {slowest:.3f} s during the flood"
        shed = metric_value(metrics(b), 'barkd_http_rejected_total{reason="too_many_connections"}') or 0
        assert shed >= 1, "the pause at the limit was not counted"
        fds_at_limit = b.fd_count()
        rss_at_limit = b.rss_kib()
    finally:
        for sock in flood:
            # RST: no TIME_WAIT left holding 15,000 of the machine's ephemeral ports.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
            sock.close()
    # Recovery: the flood's connections go, the held ones keep working, new ones are served.
    wait_until(lambda: open_connections(b) <= NORMAL_CLIENTS, 60,
               lambda: f"barkd back to the {NORMAL_CLIENTS} normal connections; it holds {open_connections(b):.0f}")
    serve_each(normal)
    with b.client(timeout=10) as fresh:
        fresh.send(request("GET", "/healthcheck"))
        assert fresh.read_response().status == 200
    wait_until(lambda: abs(b.fd_count() - baseline_fds) <= 2, 30,
               lambda: f"fd count back to {baseline_fds}; it is {b.fd_count()}")
    fds_after = b.fd_count()
    for client in normal:
        client.close()
    print(f"15,000 idle connections: {handshakes} handshakes completed, barkd held {held:.0f} (the limit), "
          f"the rest waited in the backlog; fds {baseline_fds} → {fds_at_limit} → {fds_after}; "
          f"RSS at the limit {rss_at_limit / 1024:.1f} MiB; held connections answered in ≤ {slowest * 1000:.1f} ms")


def test_connect_close_flood_leaks_nothing(start_release_barkd):
    b = start_release_barkd()
    with b.client(timeout=10) as client:
        client.send(request("GET", "/healthcheck"))
        assert client.read_response().status == 200
    baseline_fds = b.fd_count()
    rss_before = b.rss_kib()
    began = time.monotonic()
    cycles = 20_000
    for index in range(cycles):
        sock = socket.create_connection(("127.0.0.1", b.port), timeout=10)
        if index % 2:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
        sock.close()
    elapsed = time.monotonic() - began
    wait_until(lambda: abs(b.fd_count() - baseline_fds) <= 2, 30,
               lambda: f"fd count back to {baseline_fds}; it is {b.fd_count()}")
    with b.client(timeout=10) as client:
        client.send(request("GET", "/healthcheck"))
        assert client.read_response().status == 200
    rss_after = b.rss_kib()
    assert rss_after < rss_before + 8 * 1024, f"RSS grew from {rss_before} to {rss_after} KiB"
    print(f"connect/close flood: {cycles} connections (half closed with RST) in {elapsed:.1f} s; "
          f"fds {baseline_fds} → {b.fd_count()}; RSS {rss_before / 1024:.1f} → {rss_after / 1024:.1f} MiB")
