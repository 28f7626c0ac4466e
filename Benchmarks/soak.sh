#!/usr/bin/env bash
# Soak: millions of mixed requests against the release barkd, and its memory over them.
# After a warm-up, barkd's resident memory must stay flat: every sample within
# BENCH_RSS_TOLERANCE percent (default 5) of the first one after the warm-up. A leak of a
# few bytes per request shows here as a steady climb.
#
#   Benchmarks/soak.sh                         # 5 million requests, a few minutes
#   BENCH_REQUESTS=1000000 Benchmarks/soak.sh  # shorter
#
# The mix (wrk with Benchmarks/soak.lua, 64 connections, keep-alive): /healthcheck, the
# page / (a counted view: SQLite writes), /api/gifs/random, /api/visitors, a stored GIF,
# a 404 and a 405, a request with a query. Environment: BENCH_REQUESTS (default 5000000),
# BENCH_WARMUP_REQUESTS (default 500000), BENCH_RSS_TOLERANCE (default 5),
# BENCH_CONNECTIONS (default 64), BARKD_BENCH_BIN (a release barkd instead of building the
# checkout), WRK. 127.0.0.1 only; barkd is stopped by PID on exit. The table goes to
# Benchmarks/results/latest-soak.md.
# shellcheck source=Benchmarks/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh

total=${BENCH_REQUESTS:-5000000}
warmup=${BENCH_WARMUP_REQUESTS:-500000}
tolerance=${BENCH_RSS_TOLERANCE:-5}
connections=${BENCH_CONNECTIONS:-64}
wrk_bin=${WRK:-wrk}
slice=10 # seconds per wrk run; RSS is sampled between runs
command -v "$wrk_bin" > /dev/null || die "$wrk_bin is not installed (apt-get install -y wrk)"

barkd_bin=${BARKD_BENCH_BIN:-$(build_barkd "$PWD")}
port=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "$port" --access-log off --data-dir "$bench_workdir/data" \
    > "$bench_workdir/barkd.log" 2>&1 &
pid=$!
started_pids+=("$pid")
wait_ready "$pid" "http://127.0.0.1:$port/readyz"

# runs wrk for one slice; prints the requests it completed (fails on errors)
run_slice() {
    local out parsed
    out=$("$wrk_bin" -t2 -c"$connections" -d"${slice}s" -s Benchmarks/soak.lua "http://127.0.0.1:$port" 2>&1)
    parsed=$(parse_wrk <<< "$out") || die "cannot read wrk's output: $out"
    read -r requests _ _ _ errors <<< "$parsed"
    # The mix's 404 and 405 are counted by wrk as non-2xx: soak.lua checks statuses itself.
    grep -q "unexpected status" <<< "$out" && die "an answer had an unexpected status: $out"
    [[ $(grep -o 'Socket errors:.*' <<< "$out" || true) == "" ]] || die "socket errors: $out"
    echo "$requests"
}

done_requests=0
echo "== warm-up: $warmup requests" >&2
while ((done_requests < warmup)); do
    done_requests=$((done_requests + $(run_slice)))
done
baseline=$(rss_kib "$pid")
samples=("$done_requests $baseline")
echo "== after the warm-up ($done_requests requests): RSS $baseline KiB; soaking to $total" >&2
while ((done_requests < total)); do
    done_requests=$((done_requests + $(run_slice)))
    samples+=("$done_requests $(rss_kib "$pid")")
    echo "   $done_requests requests: RSS $(rss_kib "$pid") KiB" >&2
done
kill -0 "$pid" 2> /dev/null || die "barkd exited during the soak; log in $bench_workdir/barkd.log"

results="Benchmarks/results/latest-soak.md"
mkdir -p Benchmarks/results
worst=$(printf '%s\n' "${samples[@]}" | awk -v base="$baseline" '
    { d = ($2 - base) * 100 / base; if (d < 0) d = -d; if (d > worst) worst = d } END { printf "%.1f", worst }')
{
    echo "# barkd: RSS over a soak of mixed requests"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); barkd $(measured_commit "$PWD") (release), $connections connections, $(machine_line)."
    echo
    echo "| requests | RSS (KiB) | vs after the warm-up |"
    echo "|---:|---:|---:|"
    for sample in "${samples[@]}"; do
        read -r n kib <<< "$sample"
        echo "| $n | $kib | $(awk -v a="$kib" -v b="$baseline" 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }') |"
    done
    echo
    echo "Largest difference from the RSS after the warm-up: $worst% (bound: $tolerance%)."
} > "$results"
cat "$results"
awk -v w="$worst" -v t="$tolerance" 'BEGIN { exit !(w <= t) }' || die "RSS moved $worst% (more than $tolerance%)"
