#!/usr/bin/env bash
# Framework benchmark: barkd's /healthcheck against the same route written with Hummingbird 2
# and with Vapor 4 (Benchmarks/frameworks/), serving barkd's exact body, in the same run, with
# wrk at 1, 64 and 512 connections. See Benchmarks/README.md.
#
#   Benchmarks/frameworks.sh                      # 10 s per measurement
#   BENCH_DURATION=5 Benchmarks/frameworks.sh     # shorter
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_WARMUP (seconds of
# warm-up per server, default 2, 0 to skip), BENCH_CONNECTIONS (default "1 64 512"), WRK
# (default wrk). The reference servers are built in release under .build-frameworks/<name>
# (reused, so later runs build incrementally). Everything it starts it stops by PID on exit.
# It listens on 127.0.0.1 only.
set -euo pipefail

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
read -r -a connection_counts <<< "${BENCH_CONNECTIONS:-1 64 512}"
wrk_bin=${WRK:-wrk}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results_dir="$repo/Benchmarks/results"
frameworks_dir="$repo/Benchmarks/frameworks"
# shellcheck source=Benchmarks/lib.sh
. "$repo/Benchmarks/lib.sh"
workdir=$bench_workdir

[[ $duration =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive number of seconds, not '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number of seconds, not '$warmup'"
for tool in "$wrk_bin" curl python3 swift; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: apt-get install -y wrk curl python3; swift: see README.md)"
done

# --- Build -------------------------------------------------------------------------------------

# The reference servers: name → package folder under Benchmarks/frameworks and executable.
declare -A package_of=([hummingbird]=hummingbird-healthcheck [vapor]=vapor-healthcheck)
declare -A product_of=([hummingbird]=HummingbirdHealthcheck [vapor]=VaporHealthcheck)
# The package whose resolved version labels each reference server's row.
declare -A framework_package_of=([hummingbird]=hummingbird [vapor]=vapor)

# build_framework NAME: a release build in .build-frameworks/NAME; prints the binary's path.
build_framework() {
    local name=$1 package="$frameworks_dir/${package_of[$1]}" scratch="$repo/.build-frameworks/$1"
    echo "== building $name (release, $scratch)" >&2
    swift build -c release --package-path "$package" --scratch-path "$scratch" \
        --product "${product_of[$name]}" >&2
    [[ -x $scratch/release/${product_of[$name]} ]] || die "no binary at $scratch/release/${product_of[$name]} after the build"
    echo "$scratch/release/${product_of[$name]}"
}

# resolved_version NAME PACKAGE: PACKAGE's version in NAME's Package.resolved.
resolved_version() {
    python3 - "$frameworks_dir/${package_of[$1]}/Package.resolved" "$2" << 'EOF'
import json, sys
pins = json.load(open(sys.argv[1]))["pins"]
print(next((p["state"].get("version", "?") for p in pins if p["identity"] == sys.argv[2]), "?"))
EOF
}

barkd_bin=$(build_barkd "$repo")
declare -A bin_of=([barkd]=$barkd_bin)
for name in hummingbird vapor; do
    bin_of[$name]=$(build_framework "$name")
done

# --- Start -------------------------------------------------------------------------------------

declare -A port pid_of
servers=(barkd hummingbird vapor)
url_of() { echo "http://127.0.0.1:${port[$1]}/healthcheck"; }

port[barkd]=$(free_port)
"${bin_of[barkd]}" --host 127.0.0.1 --port "${port[barkd]}" --access-log off --event-loops 2 --metrics on \
    > "$workdir/barkd.log" 2>&1 &
pid_of[barkd]=$!
started_pids+=("${pid_of[barkd]}")
wait_ready "${pid_of[barkd]}" "$(url_of barkd)"
body=$(curl -fsS "$(url_of barkd)")
[[ -n $body ]] || die "barkd's /healthcheck body is empty"

# The reference servers take the port and barkd's body as arguments.
for name in hummingbird vapor; do
    port[$name]=$(free_port)
    "${bin_of[$name]}" "${port[$name]}" "$body" > "$workdir/$name.log" 2>&1 &
    pid_of[$name]=$!
    started_pids+=("${pid_of[$name]}")
done
for name in hummingbird vapor; do
    wait_ready "${pid_of[$name]}" "$(url_of "$name")"
    answer=$(curl -fsS "$(url_of "$name")")
    [[ $answer == "$body" ]] || die "$name answers '$answer', barkd '$body'"
    content_type=$(curl -fsS -o /dev/null -w '%{content_type}' "$(url_of "$name")")
    [[ $content_type == application/json* ]] || die "$name answers Content-Type '$content_type'"
done

# --- Measuring ---------------------------------------------------------------------------------

declare -A rate_of p50_of p99_of rss_of cpu_of errors_of
mkdir -p "$results_dir"
raw_log="$results_dir/latest-frameworks-wrk.txt"
: > "$raw_log"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Each server is a single process: its PID alone carries its CPU time and memory.
server_pids() { echo "${pid_of[$1]}"; }

warm_up
measure_interleaved
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report ------------------------------------------------------------------------------------

label_of() {
    case $1 in
        barkd) echo "barkd (access log off, metrics on)" ;;
        *) echo "$1 $(resolved_version "$1" "${framework_package_of[$1]}")" ;;
    esac
}

commit=$(measured_commit "$repo")
nio_versions="Hummingbird with swift-nio $(resolved_version hummingbird swift-nio), Vapor with swift-nio $(resolved_version vapor swift-nio)"
report=$(
    echo "# barkd vs Hummingbird and Vapor: GET /healthcheck"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), barkd $commit, $(machine_line)."
    echo "wrk $("$wrk_bin" -v 2>&1 | awk 'NR == 1 { print $2 }') with ≤2 threads, ${duration}s per row, on the same machine as the servers (127.0.0.1);"
    echo "every server with 2 event-loop threads, release builds ($nio_versions)."
    echo "Load average before the runs: $load_before; after: $load_after."
    echo
    echo "| server | connections | req/s | barkd ÷ this | p50 (ms) | p99 (ms) | RSS (MiB) | CPU/request (µs) | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    report_rows barkd inverted
)
printf '%s\n' "$report" | tee "$results_dir/latest-frameworks.md"
echo "(written to Benchmarks/results/latest-frameworks.md; raw wrk output in Benchmarks/results/latest-frameworks-wrk.txt)" >&2
