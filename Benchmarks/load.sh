#!/usr/bin/env bash
# Load benchmark: barkd's /healthcheck against Debian's nginx serving the same body, in
# the same run, with wrk at 1, 64 and 512 connections. See Benchmarks/README.md.
#
#   Benchmarks/load.sh                      # 10 s per measurement
#   BENCH_DURATION=5 Benchmarks/load.sh     # shorter
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_WARMUP (seconds of
# warm-up per server, default 2, 0 to skip), BENCH_CONNECTIONS (default "1 64 512"),
# NGINX (default /usr/sbin/nginx), WRK (default wrk), BENCH_PAGE (default 1: then also run
# Benchmarks/page.sh, the Dog GIF page on SQLite and MariaDB; 0 to skip it).
# Everything it starts it stops by PID on exit. It listens on 127.0.0.1 only.
set -euo pipefail

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
read -r -a connection_counts <<< "${BENCH_CONNECTIONS:-1 64 512}"
nginx_bin=${NGINX:-/usr/sbin/nginx}
wrk_bin=${WRK:-wrk}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results_dir="$repo/Benchmarks/results"
# shellcheck source=Benchmarks/lib.sh
. "$repo/Benchmarks/lib.sh"
workdir=$bench_workdir

[[ $duration =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive number of seconds, not '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number of seconds, not '$warmup'"
for tool in "$wrk_bin" curl python3 swift; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: apt-get install -y wrk curl python3; swift: see README.md)"
done
[[ -x $nginx_bin ]] || die "$nginx_bin not found (Debian: apt-get install -y nginx-light)"

# --- Build and start ---------------------------------------------------------------------------

barkd_bin=$(build_barkd "$repo")

declare -A port pid_of
servers=(barkd barkd-nometrics barkd-log nginx nginx-log)

port[barkd]=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "${port[barkd]}" --access-log off --event-loops 2 \
    > "$workdir/barkd.log" 2>&1 &
pid_of[barkd]=$!
started_pids+=("${pid_of[barkd]}")

# The same with metrics off: the cost of recording each request for /metrics.
port[barkd-nometrics]=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "${port[barkd-nometrics]}" --access-log off --metrics off --event-loops 2 \
    > "$workdir/barkd-nometrics.log" 2>&1 &
pid_of[barkd-nometrics]=$!
started_pids+=("${pid_of[barkd-nometrics]}")

port[barkd-log]=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "${port[barkd-log]}" --access-log on --event-loops 2 \
    > "$workdir/barkd-access.log" 2> "$workdir/barkd-log.err" &
pid_of[barkd-log]=$!
started_pids+=("${pid_of[barkd-log]}")

wait_ready "${pid_of[barkd]}" "http://127.0.0.1:${port[barkd]}/healthcheck"
wait_ready "${pid_of[barkd-nometrics]}" "http://127.0.0.1:${port[barkd-nometrics]}/healthcheck"
wait_ready "${pid_of[barkd-log]}" "http://127.0.0.1:${port[barkd-log]}/healthcheck"
body=$(curl -fsS "http://127.0.0.1:${port[barkd]}/healthcheck")
[[ -n $body ]] || die "barkd's /healthcheck body is empty"
[[ $body != *'$'* ]] || die "the /healthcheck body holds '\$', which nginx's return would expand: $body"

# nginx: the template with the server's directory, port, barkd's body (escaped for '…') and
# access log; start_nginx NAME ACCESS_LOG starts one as server NAME.
template=$(< "$repo/Benchmarks/nginx.conf.template")
nginx_body=${body//\\/\\\\}
nginx_body=${nginx_body//\'/\\\'}
start_nginx() {
    local name=$1 access_log=$2 dir="$workdir/$1" config
    mkdir -p "$dir"
    port[$name]=$(free_port)
    config=${template//@DIR@/"$dir"}
    config=${config//@PORT@/"${port[$name]}"}
    config=${config//@BODY@/"$nginx_body"}
    config=${config//@ACCESS_LOG@/"$access_log"}
    printf '%s\n' "$config" > "$dir/nginx.conf"
    "$nginx_bin" -p "$dir" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" > "$dir/nginx.out" 2>&1 &
    pid_of[$name]=$!
    started_pids+=("${pid_of[$name]}")
    wait_ready "${pid_of[$name]}" "http://127.0.0.1:${port[$name]}/healthcheck"
    nginx_answer=$(curl -fsS "http://127.0.0.1:${port[$name]}/healthcheck")
    [[ $nginx_answer == "$body" ]] || die "$name answers '$nginx_answer', barkd '$body'"
}
start_nginx nginx off
# With its access log on, to a file, beside barkd writing its JSON lines to a file.
start_nginx nginx-log "$workdir/nginx-log/access.log"

# --- Measuring ---------------------------------------------------------------------------------

# The PIDs whose CPU and memory count for a server: nginx's master and its workers.
server_pids() {
    local server=$1
    echo "${pid_of[$server]}"
    if [[ $server == nginx* ]]; then
        pgrep -P "${pid_of[$server]}" || true
    fi
}

declare -A rate_of p50_of p99_of rss_of cpu_of errors_of
mkdir -p "$results_dir"
raw_log="$results_dir/latest-wrk.txt"
: > "$raw_log"

url_of() { echo "http://127.0.0.1:${port[$1]}/healthcheck"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
warm_up
measure_interleaved

# --- Report ------------------------------------------------------------------------------------

label_of() {
    case $1 in
        barkd) echo "barkd (access log off, metrics on)" ;;
        barkd-nometrics) echo "barkd (access log off, metrics off)" ;;
        barkd-log) echo "barkd (access log on → a file)" ;;
        nginx) echo "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*nginx/||') (access log off)" ;;
        nginx-log) echo "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*nginx/||') (access log on → a file)" ;;
    esac
}

# Each row's ratio is against nginx with the same logging: barkd with its access log on
# against nginx with its own on.
reference_for() {
    case $1 in
        barkd-log | nginx-log) echo nginx-log ;;
        *) echo nginx ;;
    esac
}

commit=$(measured_commit "$repo")
report=$(
    echo "# barkd vs nginx: GET /healthcheck"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), barkd $commit, $(machine_line)."
    echo "wrk $("$wrk_bin" -v 2>&1 | awk 'NR == 1 { print $2 }') with ≤2 threads, ${duration}s per row, on the same machine as the servers (127.0.0.1);"
    echo "barkd with --event-loops 2, nginx with 2 workers. Load average before the runs: $load_before."
    echo
    echo "| server | connections | req/s | barkd/nginx | p50 (ms) | p99 (ms) | RSS (MiB) | CPU/request (µs) | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    report_rows nginx
)
printf '%s\n' "$report" | tee "$results_dir/latest.md"
echo "(written to Benchmarks/results/latest.md; raw wrk output in Benchmarks/results/latest-wrk.txt)" >&2

if [[ ${BENCH_PAGE:-1} != 0 ]]; then
    # Stop this part's servers first, so the page benchmark has the machine to itself.
    for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
    started_pids=()
    BARKD_BENCH_BIN=$barkd_bin "$repo/Benchmarks/page.sh"
fi
