#!/usr/bin/env bash
# Instructions per request: barkd (release) under `valgrind --tool=callgrind`, which counts
# executed instructions deterministically (the same work gives the same count run after run,
# unlike time on a shared machine), for GET /healthcheck and GET / (SQLite, batched and sync
# counter); optionally an older revision beside the current one (before/after).
#
#   Benchmarks/instructions.sh                          # the checkout's build
#   BENCH_BASELINE=c7bb819 Benchmarks/instructions.sh   # before/after
#
# For each build, counter mode and path it starts barkd under callgrind (one event loop,
# access log off, a fresh SQLite data directory), sends BENCH_WARMUP requests (default 300)
# on one keep-alive connection, zeroes the counters (callgrind_control -z), sends
# BENCH_REQUESTS more (default 2000), dumps the counters (callgrind_control -d) and divides
# the instructions of all barkd's threads by the requests. Timer work that does not depend
# on requests (loop heartbeats, counter flushes) is in the figure too: it is a few hundred
# instructions per request at most under valgrind's slowdown, the same for both builds.
# Valgrind 3.19 (Debian 12) cannot read the DWARF 5 the Swift toolchain writes, so each
# binary is measured as a copy without debug information (`strip --strip-debug`: the
# same code). Needs valgrind (apt valgrind), binutils, curl and python3. 127.0.0.1 only; everything it starts is
# stopped by PID on exit. Environment: BENCH_BASELINE, BENCH_WARMUP, BENCH_REQUESTS,
# BARKD_BENCH_BIN (a release barkd to use instead of building the checkout).
# shellcheck source=Benchmarks/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh

if ! command -v valgrind > /dev/null || ! command -v callgrind_control > /dev/null; then die "needs valgrind (apt-get install -y valgrind)"; fi
warmup=${BENCH_WARMUP:-300}
requests=${BENCH_REQUESTS:-2000}
baseline=${BENCH_BASELINE:-}

declare -A binary_of
builds=()
select_builds "$baseline"
for build in "${builds[@]}"; do
    strip --strip-debug -o "$bench_workdir/barkd-$build" "${binary_of[$build]}"
    binary_of[$build]="$bench_workdir/barkd-$build"
done

# instructions_per_request BINARY MODE PATH: prints the count per request.
instructions_per_request() {
    local binary=$1 mode=$2 path=$3 port data_dir out pid dump total
    port=$(free_port)
    data_dir=$(mktemp -d "$bench_workdir/data.XXXXXX")
    out="$bench_workdir/callgrind.$mode.${path//\//_}.$RANDOM"
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" --dump-instr=no --collect-atstart=yes \
        "$binary" --host 127.0.0.1 --port "$port" --event-loops 1 --access-log off --counter-mode "$mode" \
        --data-dir "$data_dir" > "$out.log" 2>&1 &
    pid=$!
    started_pids+=("$pid")
    wait_ready "$pid" "http://127.0.0.1:$port/readyz"
    Benchmarks/keepalive_requests.py "$port" "$path" "$warmup" || die "warm-up of $path failed"
    callgrind_control -z "$pid" > /dev/null 2>&1
    Benchmarks/keepalive_requests.py "$port" "$path" "$requests" || die "the measured requests for $path failed"
    callgrind_control -d "$pid" > /dev/null 2>&1
    dump=$(find "$bench_workdir" -maxdepth 1 -name "$(basename "$out").$pid.*" | sort | tail -1)
    [[ -n $dump ]] || die "callgrind wrote no dump for pid $pid"
    total=$(awk '/^totals:/ {print $2}' "$dump")
    [[ -n $total ]] || die "no totals in $dump"
    stop_pid "$pid"
    echo $((total / requests))
}

results="Benchmarks/results/latest-instructions.md"
mkdir -p Benchmarks/results
{
    echo "# barkd: instructions per request (callgrind)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); valgrind $(valgrind --version | sed 's/valgrind-//'); $warmup requests of warm-up, then $requests measured, on one keep-alive connection; barkd --event-loops 1 --access-log off, SQLite."
    echo
    if [[ -n $baseline ]]; then
        echo "| counter | path | before ($baseline) | after (checkout) | after ÷ before |"
        echo "|---|---|---:|---:|---:|"
    else
        echo "| counter | path | instructions per request |"
        echo "|---|---|---:|"
    fi
} > "$results"
for mode in batched sync; do
    for path in /healthcheck /; do
        declare -A count=()
        for build in "${builds[@]}"; do
            echo "== $build: $mode $path" >&2
            count[$build]=$(instructions_per_request "${binary_of[$build]}" "$mode" "$path")
        done
        if [[ -n $baseline ]]; then
            ratio=$(python3 -c "print(f'{${count[after]} / ${count[before]}:.3f}')")
            echo "| $mode | $path | ${count[before]} | ${count[after]} | $ratio |" >> "$results"
        else
            echo "| $mode | $path | ${count[current]} |" >> "$results"
        fi
    done
done
cat "$results"
echo "(written to $results)"
