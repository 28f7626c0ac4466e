#!/usr/bin/env bash
# Load benchmark: barkd's /healthcheck against Debian's nginx serving the same body, in
# the same run, with wrk at 1, 64 and 512 connections. See Benchmarks/README.md.
#
#   Benchmarks/load.sh                      # 10 s per measurement
#   BENCH_DURATION=5 Benchmarks/load.sh     # shorter
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_WARMUP (seconds of
# warm-up per server, default 2, 0 to skip), BENCH_CONNECTIONS (default "1 64 512"),
# NGINX (default /usr/sbin/nginx), WRK (default wrk).
# Everything it starts it stops by PID on exit. It listens on 127.0.0.1 only.
set -euo pipefail

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
read -r -a connection_counts <<< "${BENCH_CONNECTIONS:-1 64 512}"
nginx_bin=${NGINX:-/usr/sbin/nginx}
wrk_bin=${WRK:-wrk}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results_dir="$repo/Benchmarks/results"
scratch="$repo/.build-bench"
clock_ticks=$(getconf CLK_TCK)

die() { echo "load.sh: $*" >&2; exit 1; }

[[ $duration =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive number of seconds, not '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number of seconds, not '$warmup'"
for tool in "$wrk_bin" curl python3 swift; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: apt-get install -y wrk curl python3; swift: see README.md)"
done
[[ -x $nginx_bin ]] || die "$nginx_bin not found (Debian: apt-get install -y nginx-light)"

# --- Processes we start, stopped by PID on exit ------------------------------------------------

workdir=$(mktemp -d "${TMPDIR:-/tmp}/barkd-bench.XXXXXX")
started_pids=()

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2> /dev/null || true
    done
    for pid in "${started_pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2> /dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 512 connections need more than the usual 1024 descriptors in wrk and the servers.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PID URL: until URL answers 200, or fail if PID died or 15 s passed.
wait_ready() {
    local pid=$1 url=$2
    for _ in $(seq 150); do
        kill -0 "$pid" 2> /dev/null || die "the server (pid $pid) exited during start-up; logs in $workdir"
        if curl -fsS --max-time 1 -o /dev/null "$url" 2> /dev/null; then
            return 0
        fi
        sleep 0.1
    done
    die "$url did not answer within 15 s"
}

# --- Build and start ---------------------------------------------------------------------------

echo "== building barkd (release, $scratch)" >&2
(cd "$repo" && swift build -c release --scratch-path "$scratch" >&2)
barkd_bin="$scratch/release/barkd"
[[ -x $barkd_bin ]] || die "no barkd binary at $barkd_bin after the build"

declare -A port pid_of
servers=(barkd barkd-log nginx)

port[barkd]=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "${port[barkd]}" --access-log off --event-loops 2 \
    > "$workdir/barkd.log" 2>&1 &
pid_of[barkd]=$!
started_pids+=("${pid_of[barkd]}")

port[barkd-log]=$(free_port)
"$barkd_bin" --host 127.0.0.1 --port "${port[barkd-log]}" --access-log on --event-loops 2 \
    > /dev/null 2> "$workdir/barkd-log.err" &
pid_of[barkd-log]=$!
started_pids+=("${pid_of[barkd-log]}")

wait_ready "${pid_of[barkd]}" "http://127.0.0.1:${port[barkd]}/healthcheck"
wait_ready "${pid_of[barkd-log]}" "http://127.0.0.1:${port[barkd-log]}/healthcheck"
body=$(curl -fsS "http://127.0.0.1:${port[barkd]}/healthcheck")
[[ -n $body ]] || die "barkd's /healthcheck body is empty"
[[ $body != *'$'* ]] || die "the /healthcheck body holds '\$', which nginx's return would expand: $body"

# nginx: the template with the run's directory, port and barkd's body (escaped for '…').
port[nginx]=$(free_port)
template=$(< "$repo/Benchmarks/nginx.conf.template")
nginx_body=${body//\\/\\\\}
nginx_body=${nginx_body//\'/\\\'}
config=${template//@DIR@/"$workdir"}
config=${config//@PORT@/"${port[nginx]}"}
config=${config//@BODY@/"$nginx_body"}
printf '%s\n' "$config" > "$workdir/nginx.conf"
"$nginx_bin" -p "$workdir" -e "$workdir/nginx-error.log" -c "$workdir/nginx.conf" > "$workdir/nginx.out" 2>&1 &
pid_of[nginx]=$!
started_pids+=("${pid_of[nginx]}")
wait_ready "${pid_of[nginx]}" "http://127.0.0.1:${port[nginx]}/healthcheck"
nginx_answer=$(curl -fsS "http://127.0.0.1:${port[nginx]}/healthcheck")
[[ $nginx_answer == "$body" ]] || die "nginx answers '$nginx_answer', barkd '$body'"

# --- Measuring ---------------------------------------------------------------------------------

# The PIDs whose CPU and memory count for a server: nginx's master and its workers.
server_pids() {
    local server=$1
    echo "${pid_of[$server]}"
    if [[ $server == nginx ]]; then
        pgrep -P "${pid_of[nginx]}" || true
    fi
}

# CPU time (user + system, in clock ticks) of a server's processes, threads included.
cpu_ticks() {
    local total=0 pid stat fields
    for pid in $(server_pids "$1"); do
        stat=$(< "/proc/$pid/stat") || continue
        # Fields after "(comm)": state is field 3, utime 14 and stime 15 of the full line.
        read -r -a fields <<< "${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# Resident memory of a server's processes, in KiB.
rss_kib() {
    local total=0 pid kib
    for pid in $(server_pids "$1"); do
        kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# Reads wrk --latency output; prints "requests req_per_s p50_ms p99_ms errors".
parse_wrk() {
    awk '
        function ms(text,   value) {
            value = text + 0
            if (text ~ /us$/) return value / 1000
            if (text ~ /ms$/) return value
            if (text ~ /m$/) return value * 60000
            if (text ~ /s$/) return value * 1000
            return value
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        / requests in / { requests = $1 }
        /^Requests\/sec:/ { rate = $2 }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { errors += $5 }
        END {
            if (requests == "" || rate == "") exit 1
            printf "%d %.0f %.3f %.3f %d\n", requests, rate, p50, p99, errors
        }'
}

declare -A rate_of p50_of p99_of rss_of cpu_of errors_of
mkdir -p "$results_dir"
raw_log="$results_dir/latest-wrk.txt"
: > "$raw_log"

url_of() { echo "http://127.0.0.1:${port[$1]}/healthcheck"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if ((warmup > 0)); then
    for server in "${servers[@]}"; do
        echo "== warm-up: $server (${warmup}s)" >&2
        "$wrk_bin" -t2 -c64 -d"${warmup}s" "$(url_of "$server")" > /dev/null
    done
fi

# Interleaved by connection count, so that every server meets the same machine state.
for connections in "${connection_counts[@]}"; do
    threads=$((connections < 2 ? connections : 2))
    for server in "${servers[@]}"; do
        echo "== $server: wrk -t$threads -c$connections -d${duration}s" >&2
        before=$(cpu_ticks "$server")
        output=$("$wrk_bin" -t"$threads" -c"$connections" -d"${duration}s" --latency "$(url_of "$server")")
        after=$(cpu_ticks "$server")
        printf '### %s, %d connections\n%s\n\n' "$server" "$connections" "$output" >> "$raw_log"
        parsed=$(parse_wrk <<< "$output") \
            || die "cannot read wrk's output for $server at $connections connections: $output"
        read -r requests rate p50 p99 errors <<< "$parsed"
        key="$server/$connections"
        rate_of[$key]=$rate
        p50_of[$key]=$p50
        p99_of[$key]=$p99
        errors_of[$key]=$errors
        rss_of[$key]=$(rss_kib "$server")
        cpu_of[$key]=$(awk -v ticks=$((after - before)) -v hz="$clock_ticks" -v n="$requests" \
            'BEGIN { if (n > 0) printf "%.2f", ticks / hz * 1e6 / n; else print "n/a" }')
    done
done

# --- Report ------------------------------------------------------------------------------------

label_of() {
    case $1 in
        barkd) echo "barkd (access log off)" ;;
        barkd-log) echo "barkd (access log on → /dev/null)" ;;
        nginx) echo "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*nginx/||')" ;;
    esac
}

commit=$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)
if [[ -n $(git -C "$repo" status --porcelain -- Sources Package.swift 2> /dev/null) ]]; then
    commit="$commit (with uncommitted changes)"
fi
report=$(
    echo "# barkd vs nginx: GET /healthcheck"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), barkd $commit, $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r)."
    echo "wrk $("$wrk_bin" -v 2>&1 | awk 'NR == 1 { print $2 }') with ≤2 threads, ${duration}s per row, on the same machine as the servers (127.0.0.1);"
    echo "barkd with --event-loops 2, nginx with 2 workers. Load average before the runs: $load_before."
    echo
    echo "| server | connections | req/s | barkd/nginx | p50 (ms) | p99 (ms) | RSS (MiB) | CPU/request (µs) | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for connections in "${connection_counts[@]}"; do
        for server in "${servers[@]}"; do
            key="$server/$connections"
            ratio=$(awk -v a="${rate_of[$key]}" -v b="${rate_of[nginx/$connections]}" -v self="$server" \
                'BEGIN { if (self == "nginx") print "—"; else if (b > 0) printf "%.2f×", a / b; else print "n/a" }')
            rss=$(awk -v k="${rss_of[$key]}" 'BEGIN { printf "%.1f", k / 1024 }')
            printf '| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n' "$(label_of "$server")" "$connections" \
                "${rate_of[$key]}" "$ratio" "${p50_of[$key]}" "${p99_of[$key]}" "$rss" "${cpu_of[$key]}" "${errors_of[$key]}"
        done
    done
)
printf '%s\n' "$report" | tee "$results_dir/latest.md"
echo "(written to Benchmarks/results/latest.md; raw wrk output in Benchmarks/results/latest-wrk.txt)" >&2
