#!/usr/bin/env bash
# Heap allocations per request: barkd (release) under heaptrack, which intercepts every
# malloc, calloc, realloc and aligned allocation and counts the calls exactly. For each
# path (GET /healthcheck and GET /, SQLite, batched counter) barkd runs twice, once
# answering BENCH_SHORT (default 2000) requests and once BENCH_LONG (default 12000), one
# after another on one keep-alive connection; allocations per request is the difference of
# the two runs' counts over the difference of their requests, so start-up and shutdown
# cancel out. What does not depend on requests (loop heartbeats, counter flushes every
# second) stays in the figure: a few hundredths per request at most. Optionally an older
# revision beside the current one (before/after):
#
#   Benchmarks/allocations.sh
#   BENCH_BASELINE=049dadc Benchmarks/allocations.sh
#
# Needs heaptrack (apt heaptrack), curl and python3. Fails if /healthcheck makes more than
# BENCH_HEALTHCHECK_MAX (default 0.05) allocations per request: that path makes none at
# steady state, and this guards it. 127.0.0.1 only; everything it starts is stopped by
# PID on exit. Environment: BENCH_BASELINE, BENCH_SHORT, BENCH_LONG, BENCH_HEALTHCHECK_MAX,
# BARKD_BENCH_BIN. The table goes to Benchmarks/results/latest-allocations.md.
# shellcheck source=Benchmarks/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh

command -v heaptrack > /dev/null || die "needs heaptrack (apt-get install -y heaptrack)"
short=${BENCH_SHORT:-2000}
long=${BENCH_LONG:-12000}
healthcheck_max=${BENCH_HEALTHCHECK_MAX:-0.05}
baseline=${BENCH_BASELINE:-}

declare -A binary_of
builds=()
select_builds "$baseline"

# allocation_calls BINARY PATH REQUESTS: the allocation calls of one barkd run answering
# REQUESTS requests for PATH after start-up.
allocation_calls() {
    local binary=$1 path=$2 requests=$3 port data_dir out pid
    port=$(free_port)
    data_dir=$(mktemp -d "$bench_workdir/data.XXXXXX")
    out="$bench_workdir/heaptrack.${path//\//_}.$requests.$RANDOM"
    heaptrack -o "$out" "$binary" --host 127.0.0.1 --port "$port" --event-loops 1 --access-log off \
        --data-dir "$data_dir" > "$out.log" 2>&1 &
    pid=$!
    started_pids+=("$pid")
    wait_ready "$pid" "http://127.0.0.1:$port/readyz"
    Benchmarks/keepalive_requests.py "$port" "$path" "$requests" || die "the requests for $path failed"
    # heaptrack's wrapper script is $pid; barkd is its child.
    pkill -TERM -P "$pid" -f "$binary" || die "no barkd under heaptrack ($pid)"
    wait "$pid" || true
    heaptrack_print -f "$out.zst" --print-peaks 0 --print-allocators 0 --print-leaks 0 --print-temporary 0 \
        --print-histogram 0 2> /dev/null | awk '/^calls to allocation functions:/ { print $5 }'
}

declare -A per_request
for build in "${builds[@]}"; do
    for path in /healthcheck /; do
        echo "== $build: $path, $short then $long requests" >&2
        a=$(allocation_calls "${binary_of[$build]}" "$path" "$short")
        b=$(allocation_calls "${binary_of[$build]}" "$path" "$long")
        [[ -n $a && -n $b ]] || die "no allocation count from heaptrack for $path"
        per_request[$build$path]=$(awk -v a="$a" -v b="$b" -v n=$((long - short)) 'BEGIN { printf "%.3f", (b - a) / n }')
        echo "   $a and $b allocations: ${per_request[$build$path]} per request" >&2
    done
done

results="Benchmarks/results/latest-allocations.md"
mkdir -p Benchmarks/results
{
    echo "# barkd: heap allocations per request (heaptrack, exact counts)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); barkd $(measured_commit "$PWD") (release), one event loop, SQLite, batched counter; ($long − $short requests)."
    echo
    if [[ -n $baseline ]]; then
        echo "| path | before ($baseline) | after | after − before |"
        echo "|---|---:|---:|---:|"
        for path in /healthcheck /; do
            awk -v p="$path" -v a="${per_request[before$path]}" -v b="${per_request[after$path]}" \
                'BEGIN { printf "| `%s` | %.3f | %.3f | %+.3f |\n", p, a, b, b - a }'
        done
    else
        echo "| path | allocations per request |"
        echo "|---|---:|"
        for path in /healthcheck /; do echo "| \`$path\` | ${per_request[current$path]} |"; done
    fi
} > "$results"
cat "$results"
last=${builds[-1]}
awk -v v="${per_request[$last/healthcheck]}" -v max="$healthcheck_max" 'BEGIN { exit !(v <= max) }' \
    || die "/healthcheck makes ${per_request[$last/healthcheck]} allocations per request (guard: $healthcheck_max)"
