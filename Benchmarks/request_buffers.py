"""Memory an anonymous client can make barkd hold: the driver of Benchmarks/memory.sh.

Against one running release barkd (its PID and port given), in one run:

1. ``idle``: N connections each send one small request (GET /healthcheck), read the
   answer and stay open: the reference, what N idle keep-alive connections cost. Then
   they close.
2. ``bodies``: N new connections each send a maximal anonymous body (Content-Length of
   ``--max-body``, to the admin upload route without a token: read whole, then 401), read
   the answer and stay open. Buffers are lent per request and freed after it, so this
   must cost about what the idle ones do, not N × the body.
3. ``burst``: ``--burst`` connections at once send the head and most of a maximal body
   and stop there, holding their buffers, until the server-wide request-buffer budget is
   spent: the rest are answered 503 while a small request on a fresh connection is still
   answered 200. RSS at the peak is bounded by the budget.

Prints one JSON object with RSS (KiB) after each phase and the answers counted.
127.0.0.1 only; every connection is closed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def status_of(sock: socket.socket) -> int:
    """Reads one response (head and Content-Length body); returns its status."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data[:200]!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split(b" ", 2)[1])


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    return sock


def settle(pid: int, seconds: float = 1.0) -> int:
    """RSS once the loops have finished what they were doing."""
    time.sleep(seconds)
    return rss_kib(pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--body-bytes", type=int, default=1 << 20)
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--senders", type=int, default=32)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    result: dict[str, object] = {"connections": args.connections, "body_bytes": args.body_bytes}
    result["rss_start_kib"] = settle(args.pid, 0.2)
    held: list[socket.socket] = []
    try:
        # 1. idle after one small request each
        def small(_: int) -> socket.socket:
            sock = connect(args.port)
            sock.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: bench\r\n\r\n")
            if (status := status_of(sock)) != 200:
                raise RuntimeError(f"/healthcheck answered {status}")
            return sock

        began = time.monotonic()
        with ThreadPoolExecutor(args.senders) as pool:
            held += pool.map(small, range(args.connections))
        result["idle_seconds"] = round(time.monotonic() - began, 1)
        result["rss_idle_kib"] = settle(args.pid)
        for sock in held:
            sock.close()
        held.clear()
        result["rss_idle_closed_kib"] = settle(args.pid, 2.0)

        # 2. one maximal anonymous body each, then idle
        head = (b"POST /api/gifs HTTP/1.1\r\nHost: bench\r\nContent-Type: image/gif\r\n"
                b"Content-Length: %d\r\n\r\n" % args.body_bytes)
        body = b"G" * args.body_bytes
        statuses: dict[int, int] = {}

        def large(_: int) -> tuple[socket.socket, int]:
            sock = connect(args.port)
            sock.sendall(head)
            sock.sendall(body)
            return sock, status_of(sock)

        began = time.monotonic()
        with ThreadPoolExecutor(args.senders) as pool:
            for sock, status in pool.map(large, range(args.connections)):
                held.append(sock)
                statuses[status] = statuses.get(status, 0) + 1
        result["bodies_seconds"] = round(time.monotonic() - began, 1)
        result["bodies_statuses"] = statuses
        result["rss_bodies_kib"] = settle(args.pid)
        result["open_after_bodies"] = len(held)

        # 3. a burst of half-sent bodies against the budget
        partial = body[: args.body_bytes * 7 // 8]
        burst_statuses: dict[str, int] = {}
        burst: list[socket.socket] = []
        for _ in range(args.burst):
            sock = connect(args.port)
            sock.settimeout(0.2)
            try:
                sock.sendall(head + partial)
            except (TimeoutError, OSError):
                pass
            burst.append(sock)
        time.sleep(1.0)
        result["rss_burst_kib"] = rss_kib(args.pid)
        probe = connect(args.port)
        began = time.monotonic()
        probe.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        result["probe_status_during_burst"] = status_of(probe)
        result["probe_seconds_during_burst"] = round(time.monotonic() - began, 4)
        probe.close()
        for sock in burst:
            sock.settimeout(0.05)
            try:
                key = str(status_of(sock))
            except (TimeoutError, OSError, ConnectionError):
                key = "holding"  # still sending its body: within the budget
            burst_statuses[key] = burst_statuses.get(key, 0) + 1
        result["burst_statuses"] = burst_statuses
        for sock in burst:
            sock.close()
        result["rss_after_burst_kib"] = settle(args.pid, 2.0)
    finally:
        for sock in held:
            sock.close()
    result["rss_end_kib"] = settle(args.pid, 2.0)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
