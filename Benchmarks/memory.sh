#!/usr/bin/env bash
# Memory an anonymous client can make barkd hold (issue 12, item 3), against the release
# barkd, all in one run (Benchmarks/request_buffers.py drives it):
#   idle    10,000 connections after one small request each: the reference;
#   bodies  10,000 connections after one maximal anonymous body each (--max-body, 1 MiB,
#           to the upload route without a token: read whole, answered 401), then idle;
#   burst   BENCH_BURST connections at once send most of a maximal body and stop: the
#           request-buffer budget (--request-buffer-budget, 64 MiB) answers the rest 503
#           while a small request is still answered.
# The bounds stated in the README: after the bodies, RSS above the start at most
# BENCH_PER_CONNECTION_BOUND_KIB (default 32) per connection and at most 1.5× the idle
# reference's; during the burst, at most the budget (and 16 MiB) above that; a small
# request answered 200 meanwhile. Fails if a bound is passed.
#
#   Benchmarks/memory.sh            # about a minute
#
# Environment: BENCH_CONNECTIONS (default 10000), BENCH_BURST (default 400),
# BENCH_PER_CONNECTION_BOUND_KIB, BARKD_BENCH_BIN (a release barkd instead of building the checkout).
# 127.0.0.1 only; barkd is stopped by PID on exit. The table goes to
# Benchmarks/results/latest-memory.md.
# shellcheck source=Benchmarks/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh

connections=${BENCH_CONNECTIONS:-10000}
burst=${BENCH_BURST:-400}
bound_kib=${BENCH_PER_CONNECTION_BOUND_KIB:-32}
budget_mib=64

barkd_bin=${BARKD_BENCH_BIN:-$(build_barkd "$PWD")}
port=$(free_port)
# The upload route exists only with an admin token; the bodies are sent without it.
umask 077
head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$bench_workdir/admin-token"
"$barkd_bin" --host 127.0.0.1 --port "$port" --access-log off --data-dir "$bench_workdir/data" \
    --max-connections $((connections + burst + 100)) --request-buffer-budget "${budget_mib}MiB" \
    --admin-token-file "$bench_workdir/admin-token" --idle-timeout 300s --header-timeout 120s --body-timeout 120s \
    > "$bench_workdir/barkd.log" 2>&1 &
pid=$!
started_pids+=("$pid")
wait_ready "$pid" "http://127.0.0.1:$port/readyz"

echo "== $connections idle connections, then $connections maximal anonymous bodies, then a burst of $burst" >&2
json=$(python3 Benchmarks/request_buffers.py --pid "$pid" --port "$port" --connections "$connections" --burst "$burst")
kill -0 "$pid" 2> /dev/null || die "barkd exited during the run; log in $bench_workdir/barkd.log"
echo "$json" >&2

results="Benchmarks/results/latest-memory.md"
mkdir -p Benchmarks/results
status=0
python3 - "$json" "$bound_kib" "$budget_mib" "$(measured_commit "$PWD")" "$(machine_line)" > "$results" <<'PY' || status=$?
import json, sys
r = json.loads(sys.argv[1]); bound = int(sys.argv[2]); budget = int(sys.argv[3]) * 1024
n = r["connections"]
start, idle, bodies = r["rss_start_kib"], r["rss_idle_kib"], r["rss_bodies_kib"]
per = lambda kib: (kib - start) * 1024 / n
print("# barkd: memory an anonymous client can make it hold\n")
print(f"barkd {sys.argv[4]} (release), {sys.argv[5]}.\n")
print("| phase | RSS (KiB) | per connection | vs idle reference |")
print("|---|---:|---:|---:|")
print(f"| started | {start} | | |")
print(f"| {n} idle connections, one small request each (reference) | {idle} | {per(idle):.0f} B | 1.00× |")
print(f"| the same closed | {r['rss_idle_closed_kib']} | | |")
print(f"| {n} connections after a {r['body_bytes'] >> 20} MiB anonymous body each, idle | {bodies} | {per(bodies):.0f} B | {(bodies - start) / max(1, idle - start):.2f}× |")
print(f"| + {sum(r['burst_statuses'].values())} connections holding 7/8 of a body (burst) | {r['rss_burst_kib']} | | |")
print(f"| after the burst | {r['rss_after_burst_kib']} | | |")
print(f"| everything closed | {r['rss_end_kib']} | | |")
print()
print(f"Bodies answered: {r['bodies_statuses']} in {r['bodies_seconds']} s. Burst: {r['burst_statuses']} "
      f"(503: refused by the {budget >> 10} MiB budget); a /healthcheck during it: {r['probe_status_during_burst']} "
      f"in {r['probe_seconds_during_burst'] * 1000:.1f} ms.")
failures = []
if (bodies - start) / n > bound: failures.append(f"after the bodies {(bodies - start) / n:.1f} KiB per connection > bound {bound} KiB")
if bodies - start > 1.5 * (idle - start) + 4096: failures.append("bodies cost more than 1.5x the idle reference")
if r["rss_burst_kib"] > bodies + budget + 16384: failures.append("burst RSS past the bodies' RSS + budget")
if r["probe_status_during_burst"] != 200: failures.append("the probe was not answered 200 during the burst")
if set(r["bodies_statuses"]) != {"401"}: failures.append(f"bodies answered {r['bodies_statuses']}")
print("\nBounds: " + ("all held" if not failures else "; ".join(failures)))
sys.exit(1 if failures else 0)
PY
cat "$results"
exit "$status"
