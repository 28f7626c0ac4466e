"""Slow HTTP attacks from Debian's slowhttptest against the release binary: slow headers
(Slowloris), slow body (R-U-Dead-Yet) and slow read. During each, a normal client keeps
asking for /healthcheck on fresh connections; it must get 200 in under 1 s every time,
and barkd must cut the slow connections (counted in barkd_http_rejected_total under the
matching reason) and settle back to only the connections that are really open.

barkd runs with 2 s header, body, write and idle timeouts, so each attack meets its cut
within the test's 8 s; the attacks keep up to 600 connections open at once (bounded,
127.0.0.1).

A slow reader does not stall barkd's writes here: the kernel's send buffer (autotuned to
about 3.9 MB per socket on this machine) takes the 160 KB of pipelined answers at once,
barkd's connection is idle from then on, and the idle timeout cuts it."""
from __future__ import annotations

import csv
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from barkd_helpers import Barkd, call, list_all, metric_value, start_app, wait_until

ATTACK_SECONDS = 8
#: A normal client's request must be answered within this, during every attack.
NORMAL_LATENCY_BOUND = 1.0


@pytest.fixture
def target(start_release_barkd, tmp_path) -> Barkd:
    return start_app(start_release_barkd, tmp_path / "data",
                     "--header-timeout", "2s", "--body-timeout", "2s", "--write-timeout", "2s",
                     "--idle-timeout", "2s")


class NormalClient:
    """Asks for /healthcheck every 50 ms on a fresh connection, from its own thread, and
    keeps each answer's status and latency."""

    def __init__(self, b: Barkd):
        self.b = b
        self.samples: list[tuple[int, float]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "NormalClient":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the normal client did not stop"

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                status = call(self.b, "GET", "/healthcheck", timeout=5).status
                self.samples.append((status, time.monotonic() - began))
            except (OSError, AssertionError) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
            self._stop.wait(0.05)

    def check(self, attack: str) -> str:
        assert not self.errors, f"during {attack} the normal client failed: {self.errors[:5]}"
        assert len(self.samples) >= ATTACK_SECONDS * 5, f"during {attack} only {len(self.samples)} normal requests"
        statuses = {status for status, _ in self.samples}
        assert statuses == {200}, f"during {attack} the normal client got {statuses}"
        slowest = max(latency for _, latency in self.samples)
        assert slowest < NORMAL_LATENCY_BOUND, f"during {attack} a normal request took {slowest:.3f} s"
        latencies = sorted(latency for _, latency in self.samples)
        return (f"{len(self.samples)} normal requests, all 200, median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
                f"slowest {slowest * 1000:.1f} ms")


def slowhttptest(tmp_path: Path, mode_args: list[str], url: str) -> dict:
    """Runs slowhttptest for ATTACK_SECONDS and returns its last statistics row
    (closed, pending, connected, service available)."""
    tool = shutil.which("slowhttptest")
    assert tool, "slowhttptest is not installed (scripts/test.sh installs it: apt-get install slowhttptest)"
    prefix = tmp_path / "slowhttptest"
    argv = [tool, *mode_args, "-l", str(ATTACK_SECONDS), "-g", "-o", str(prefix), "-u", url, "-p", "3"]
    result = subprocess.run(argv, capture_output=True, timeout=ATTACK_SECONDS + 30)
    assert result.returncode == 0, f"slowhttptest exited {result.returncode}: {result.stderr[-1000:]!r}"
    with open(f"{prefix}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows, "slowhttptest wrote no statistics"
    return {key.strip().lower(): value for key, value in rows[-1].items()}


def rejected(b: Barkd, reason: str) -> float:
    body = call(b, "GET", "/metrics").body.decode()
    value = metric_value(body, f'barkd_http_rejected_total{{reason="{reason}"}}')
    return value or 0.0


def open_connections(b: Barkd) -> float:
    return metric_value(call(b, "GET", "/metrics").body.decode(), "barkd_http_open_connections") or 0.0


def attack(b: Barkd, tmp_path: Path, name: str, mode_args: list[str], path: str, *reasons: str) -> None:
    """Runs one attack with a normal client beside it; the slow connections must be cut
    under one of `reasons`."""
    before = sum(rejected(b, reason) for reason in reasons)
    with NormalClient(b) as normal:
        stats = slowhttptest(tmp_path, mode_args, f"http://127.0.0.1:{b.port}{path}")
    seen = normal.check(name)
    cut = sum(rejected(b, reason) for reason in reasons) - before
    assert cut > 0, f"{name}: barkd counted no {' or '.join(reasons)} rejection"
    # Every slow connection is gone (the metrics request itself is the one left).
    wait_until(lambda: open_connections(b) <= 1, 10, f"{name}: barkd back to no open connections")
    print(f"{name}: slowhttptest {' '.join(mode_args)} → its last row {stats}; barkd cut {cut:.0f} "
          f"({' or '.join(reasons)}); {seen}")


def test_slow_headers_are_cut_and_a_normal_client_keeps_being_served(target, tmp_path):
    # Slowloris: 600 connections at 300/s, each sending one more header line every second.
    attack(target, tmp_path, "slow headers", ["-H", "-c", "600", "-r", "300", "-i", "1"], "/healthcheck",
           "header_timeout")


def test_slow_body_is_cut_and_a_normal_client_keeps_being_served(target, tmp_path):
    # R-U-Dead-Yet: POSTs announcing 8 KiB, sending a few bytes every second.
    attack(target, tmp_path, "slow body", ["-B", "-c", "600", "-r", "300", "-i", "1", "-s", "8192"],
           "/healthcheck", "body_timeout")


def test_slow_read_is_cut_and_a_normal_client_keeps_being_served(target, tmp_path):
    # Slow read: the largest GIF asked 10 times per connection (slowhttptest's maximum),
    # about 160 KB, read 8 bytes a second through a receive window of at most 32 bytes.
    largest = max((len(call(target, "GET", f"/gifs/{gif['id']}").body), gif["id"]) for gif in list_all(target))
    attack(target, tmp_path, "slow read",
           ["-X", "-c", "300", "-r", "150", "-w", "1", "-y", "32", "-n", "1", "-z", "8", "-k", "10"],
           f"/gifs/{largest[1]}", "write_timeout", "idle_timeout")
