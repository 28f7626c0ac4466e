"""Start-up time of barkd: from exec to READY=1 on the notify socket (what systemd's
Type=notify waits for), with the SQLite catalog already seeded (a first start seeds it and
is not counted). Reference in the same run: exec to exit of `barkd --help` (the process
start, the Swift runtime and argument parsing, no server).

    python3 Benchmarks/startup.py --barkd .build-bench/release/barkd [--runs 20]

Prints one JSON object: median and worst milliseconds of each. 127.0.0.1 only; every
barkd is stopped by its PID (SIGTERM) before the next starts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_until_ready(barkd: str, data_dir: str, notify_path: str, listener: socket.socket) -> float:
    """Milliseconds from exec to READY=1; the process is stopped before returning."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NOTIFY_SOCKET": notify_path}
    argv = [barkd, "--host", "127.0.0.1", "--port", str(free_port()), "--data-dir", data_dir, "--access-log", "off",
            "--log-level", "warning"]
    began = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = began + 30
        while True:
            listener.settimeout(max(0.01, deadline - time.perf_counter()))
            message = listener.recv(4096)
            if b"READY=1" in message.split(b"\n"):
                return (time.perf_counter() - began) * 1000
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--barkd", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        notify_path = os.path.join(work, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(notify_path)
        data_dir = os.path.join(work, "data")
        start_until_ready(args.barkd, data_dir, notify_path, listener)  # seeds the catalog
        ready, help_runs = [], []
        for _ in range(args.runs):
            began = time.perf_counter()
            subprocess.run([args.barkd, "--help"], stdout=subprocess.DEVNULL, check=True)
            help_runs.append((time.perf_counter() - began) * 1000)
            ready.append(start_until_ready(args.barkd, data_dir, notify_path, listener))
        listener.close()
    result = {
        "runs": args.runs,
        "ready_median_ms": round(statistics.median(ready), 1), "ready_worst_ms": round(max(ready), 1),
        "help_median_ms": round(statistics.median(help_runs), 1), "help_worst_ms": round(max(help_runs), 1),
    }
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
