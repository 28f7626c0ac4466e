#!/usr/bin/env bash
# Page benchmark: the Dog GIF page `/` (a random GIF, one counted view) beside
# `/healthcheck` on the same barkd, for SQLite and MariaDB with the batched and the sync
# visitor counter, in one run. See Benchmarks/README.md.
#
#   Benchmarks/page.sh                      # 10 s per measurement
#   BENCH_DURATION=5 Benchmarks/page.sh     # shorter
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_WARMUP (seconds of
# warm-up per configuration and path, default 2), BENCH_PAGE_CONNECTIONS (default 64),
# BENCH_STORES (default "sqlite mariadb"), WRK (default wrk), BARKD_BENCH_BIN (a release
# barkd to use instead of building one).
# It starts a MariaDB of its own (scripts/mariadb-test-server.sh, in a temporary
# directory) and stops everything it started by PID on exit. 127.0.0.1 only.
set -euo pipefail

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
connections=${BENCH_PAGE_CONNECTIONS:-64}
read -r -a stores <<< "${BENCH_STORES:-sqlite mariadb}"
wrk_bin=${WRK:-wrk}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results_dir="$repo/Benchmarks/results"
# shellcheck source=Benchmarks/lib.sh
. "$repo/Benchmarks/lib.sh"

[[ $duration =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive number of seconds, not '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number of seconds, not '$warmup'"
[[ $connections =~ ^[1-9][0-9]*$ ]] || die "BENCH_PAGE_CONNECTIONS must be a positive number, not '$connections'"
for tool in "$wrk_bin" curl python3; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: apt-get install -y wrk curl python3)"
done

barkd_bin=${BARKD_BENCH_BIN:-}
[[ -n $barkd_bin ]] || barkd_bin=$(build_barkd "$repo")
[[ -x $barkd_bin ]] || die "no barkd binary at $barkd_bin"

# --- MariaDB -------------------------------------------------------------------------------------

mariadb_dir=""
mariadb_pid=""
bench_extra_cleanup() {
    if [[ -n $mariadb_dir ]]; then
        "$repo/scripts/mariadb-test-server.sh" stop "$mariadb_dir" > /dev/null 2>&1 || true
        rm -rf "$mariadb_dir"
    fi
}

# mariadb_sql STATEMENT: runs STATEMENT as the benchmark's database user.
mariadb_sql() {
    local url=$1 statement=$2 hostport port
    hostport=${url#*@}
    hostport=${hostport%%/*}
    port=${hostport##*:}
    MYSQL_PWD=$(< "$mariadb_dir/password") mariadb --no-defaults --protocol=tcp --host=127.0.0.1 \
        --port="$port" --user=barkd --batch --skip-column-names -e "$statement"
}

mariadb_url=""
start_mariadb() {
    command -v mariadbd > /dev/null || die "MariaDB is not installed (Debian: apt-get install -y mariadb-server mariadb-client)"
    # Under /tmp and handed to the mysql user by the script (a private mktemp parent would hide it).
    mariadb_dir=$(mktemp -d /tmp/barkd-bench-mariadb.XXXXXX)
    echo "== starting MariaDB in $mariadb_dir" >&2
    mariadb_url=$("$repo/scripts/mariadb-test-server.sh" start "$mariadb_dir")
    mariadb_pid=$(< "$mariadb_dir/mariadbd.pid")
}

# --- Measuring -----------------------------------------------------------------------------------

declare -A rate_of p50_of p99_of errors_of barkd_cpu_of db_cpu_of idle_of split_of
mkdir -p "$results_dir"
raw_log="$results_dir/latest-page-wrk.txt"
: > "$raw_log"
configurations=()
declare -A stored_of answered_of

# measure NAME PATH URL: one wrk run; records rate, latency, CPU per request and idle share.
measure() {
    local name=$1 path=$2 url=$3 key="$1 $2"
    local threads=$((connections < 2 ? connections : 2))
    local before after db_before=0 db_after=0 machine_before machine_after output parsed
    local requests rate p50 p99 errors
    echo "== $name $path: wrk -t$threads -c$connections -d${duration}s" >&2
    before=$(cpu_ticks "$barkd_pid")
    local groups_before groups_after
    groups_before=$(thread_group_ticks "$barkd_pid")
    [[ -z $mariadb_pid || $name != mariadb* ]] || db_before=$(cpu_ticks "$mariadb_pid")
    machine_before=$(machine_ticks)
    output=$("$wrk_bin" -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")
    machine_after=$(machine_ticks)
    after=$(cpu_ticks "$barkd_pid")
    groups_after=$(thread_group_ticks "$barkd_pid")
    [[ -z $mariadb_pid || $name != mariadb* ]] || db_after=$(cpu_ticks "$mariadb_pid")
    printf '### %s %s, %d connections\n%s\n\n' "$name" "$path" "$connections" "$output" >> "$raw_log"
    parsed=$(parse_wrk <<< "$output") || die "cannot read wrk's output for $key: $output"
    read -r requests rate p50 p99 errors <<< "$parsed"
    rate_of[$key]=$rate
    p50_of[$key]=$p50
    p99_of[$key]=$p99
    errors_of[$key]=$errors
    barkd_cpu_of[$key]=$(per_request $((after - before)) "$requests")
    local split="" b a i
    read -r -a b <<< "$groups_before"
    read -r -a a <<< "$groups_after"
    for i in 0 1 2 3; do
        split+="${split:+ / }$(per_request $((a[i] - b[i])) "$requests")"
    done
    split_of[$key]=$split
    if [[ $name == mariadb* ]]; then
        db_cpu_of[$key]=$(per_request $((db_after - db_before)) "$requests")
    else
        db_cpu_of[$key]="—"
    fi
    idle_of[$key]=$(awk -v b="$machine_before" -v a="$machine_after" 'BEGIN {
        split(b, x, " "); split(a, y, " "); total = y[2] - x[2]
        if (total > 0) printf "%.0f%%", 100 * (y[1] - x[1]) / total; else print "n/a" }')
    if [[ $path == / ]]; then
        answered_of[$name]=$(( ${answered_of[$name]:-0} + requests ))
    fi
}

barkd_pid=""
for store in "${stores[@]}"; do
    case $store in
        sqlite) ;;
        mariadb) [[ -n $mariadb_url ]] || start_mariadb ;;
        *) die "unknown store '$store' in BENCH_STORES (sqlite, mariadb)" ;;
    esac
    for mode in batched sync; do
        name="$store-$mode"
        configurations+=("$name")
        port=$(free_port)
        args=(--host 127.0.0.1 --port "$port" --access-log off --event-loops 2 --counter-mode "$mode")
        env_args=()
        database_name=""
        if [[ $store == sqlite ]]; then
            args+=(--data-dir "$bench_workdir/$name")
        else
            database_name="barkd_test_bench_$mode"
            mariadb_sql "$mariadb_url" "DROP DATABASE IF EXISTS $database_name; CREATE DATABASE $database_name"
            args+=(--database "${mariadb_url%/*}/$database_name")
            env_args=(BARKD_DB_PASSWORD_FILE="$mariadb_dir/password")
        fi
        env "${env_args[@]}" "$barkd_bin" "${args[@]}" > "$bench_workdir/$name.log" 2>&1 &
        barkd_pid=$!
        started_pids+=("$barkd_pid")
        base="http://127.0.0.1:$port"
        wait_ready "$barkd_pid" "$base/readyz"
        curl -fsS "$base/" | grep -q 'id="visitor"' || die "$name: / does not show a visitor number"
        if ((warmup > 0)); then
            echo "== warm-up: $name (${warmup}s per path)" >&2
            for path in /healthcheck /; do
                "$wrk_bin" -t2 -c"$connections" -d"${warmup}s" "$base$path" > /dev/null
            done
        fi
        warmed_views=$(curl -fsS "$base/api/visitors" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')
        measure "$name" /healthcheck "$base/healthcheck"
        measure "$name" / "$base/"
        # Stop it (SIGTERM flushes the counter) and compare the stored count with the
        # views wrk saw answered; wrk abandons a few in-flight requests at the end of a
        # run, which barkd may still have counted, so stored ≥ answered.
        stop_pid "$barkd_pid"
        if [[ $store == sqlite ]]; then
            stored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count FROM visitor_counter").fetchone()[0])' \
                "$bench_workdir/$name/barkd.sqlite3")
        else
            stored=$(mariadb_sql "$mariadb_url" "SELECT count FROM $database_name.visitor_counter")
        fi
        stored_of[$name]=$((stored - warmed_views))
        answered_of[$name]=${answered_of[$name]:-0}
    done
done

# --- Report --------------------------------------------------------------------------------------

report=$(
    echo "# barkd: GET / (the Dog GIF page) beside GET /healthcheck"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), barkd $(measured_commit "$repo"), $(machine_line)."
    echo "wrk $("$wrk_bin" -v 2>&1 | awk 'NR == 1 { print $2 }'), $connections connections, ${duration}s per row, on the same machine (127.0.0.1);"
    echo "barkd --event-loops 2 --access-log off; MariaDB $(mariadbd --version 2> /dev/null | awk '{ print $3 }' || echo "?") (Debian defaults, durable commits) on the same cores."
    echo
    echo "| store, counter | path | req/s | / ÷ /healthcheck | p50 (ms) | p99 (ms) | barkd CPU/req (µs) | of which loops / db threads / Swift pool / other | mariadbd CPU/req (µs) | machine idle | errors |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for name in "${configurations[@]}"; do
        for path in /healthcheck /; do
            key="$name $path"
            ratio="—"
            if [[ $path == / ]]; then
                ratio=$(awk -v a="${rate_of[$key]}" -v b="${rate_of[$name /healthcheck]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
            fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$path" "${rate_of[$key]}" "$ratio" \
                "${p50_of[$key]}" "${p99_of[$key]}" "${barkd_cpu_of[$key]}" "${split_of[$key]}" "${db_cpu_of[$key]}" "${idle_of[$key]}" "${errors_of[$key]}"
        done
    done
    echo
    echo "Views answered by wrk during the measured run of / and views stored after SIGTERM (stored ≥ answered: wrk drops a few in-flight requests at its end):"
    echo
    for name in "${configurations[@]}"; do
        echo "- $name: answered ${answered_of[$name]}, stored ${stored_of[$name]}"
    done
)
printf '%s\n' "$report" | tee "$results_dir/latest-page.md"
for name in "${configurations[@]}"; do
    if ((stored_of[$name] < answered_of[$name])); then
        die "$name: stored ${stored_of[$name]} views but wrk saw ${answered_of[$name]} answered"
    fi
done
echo "(written to Benchmarks/results/latest-page.md; raw wrk output in Benchmarks/results/latest-page-wrk.txt)" >&2
