#!/usr/bin/env bash
# Page benchmark: the Dog GIF page `/` (a random GIF, one counted view) beside
# `/healthcheck` on the same barkd, for SQLite and MariaDB with the batched and the sync
# visitor counter, in one run; optionally an older revision of barkd measured beside the
# current one (before/after), interleaved. See Benchmarks/README.md.
#
#   Benchmarks/page.sh                      # 10 s per measurement
#   BENCH_DURATION=5 Benchmarks/page.sh     # shorter
#   BENCH_BASELINE=cd689ec BENCH_STORES=mariadb Benchmarks/page.sh   # before/after
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_WARMUP (seconds of
# warm-up per configuration and path, default 2), BENCH_PAGE_CONNECTIONS (default 64),
# BENCH_STORES (default "sqlite mariadb"), BENCH_BASELINE (a git revision: build it too and
# measure it beside the current barkd, rows "before" and "after"), BENCH_ROUNDS (measurements
# per configuration, path and build; default 2 with BENCH_BASELINE, the order of the builds
# alternating per round, else 1), BENCH_MAX_OTHERS (default 10: a wrk run during which other
# processes took more than this % of the machine is set aside and run again, at most
# BENCH_RETRIES times, default 2), WRK (default wrk), BARKD_BENCH_BIN (a release barkd to
# use instead of building the checkout).
# It starts a MariaDB of its own (scripts/mariadb-test-server.sh, in a temporary
# directory) and stops everything it started by PID on exit. 127.0.0.1 only.
set -euo pipefail

duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-2}
connections=${BENCH_PAGE_CONNECTIONS:-64}
read -r -a stores <<< "${BENCH_STORES:-sqlite mariadb}"
baseline=${BENCH_BASELINE:-}
rounds=${BENCH_ROUNDS:-}
[[ -n $rounds ]] || rounds=$([[ -n $baseline ]] && echo 2 || echo 1)
max_others=${BENCH_MAX_OTHERS:-10}
retries=${BENCH_RETRIES:-2}
wrk_bin=${WRK:-wrk}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results_dir="$repo/Benchmarks/results"
# shellcheck source=Benchmarks/lib.sh
. "$repo/Benchmarks/lib.sh"

[[ $duration =~ ^[1-9][0-9]*$ ]] || die "BENCH_DURATION must be a positive number of seconds, not '$duration'"
[[ $warmup =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be a number of seconds, not '$warmup'"
[[ $connections =~ ^[1-9][0-9]*$ ]] || die "BENCH_PAGE_CONNECTIONS must be a positive number, not '$connections'"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive number, not '$rounds'"
[[ $max_others =~ ^[0-9]+$ ]] || die "BENCH_MAX_OTHERS must be a percentage (0-100), not '$max_others'"
[[ $retries =~ ^[0-9]+$ ]] || die "BENCH_RETRIES must be a number, not '$retries'"
for tool in "$wrk_bin" curl python3; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: apt-get install -y wrk curl python3)"
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- The builds measured -------------------------------------------------------------------------
# Without BENCH_BASELINE one build, "current"; with it two, "before" (the baseline revision)
# and "after" (the checkout), each started on its own port and database beside the other.

declare -A bin_of
barkd_bin=${BARKD_BENCH_BIN:-}
[[ -n $barkd_bin ]] || barkd_bin=$(build_barkd "$repo")
[[ -x $barkd_bin ]] || die "no barkd binary at $barkd_bin"
if [[ -n $baseline ]]; then
    builds=(before after)
    bin_of[before]=$(build_barkd_revision "$repo" "$baseline")
    bin_of[after]=$barkd_bin
else
    builds=(current)
    bin_of[current]=$barkd_bin
fi

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

# mariadb_counters: the server's "statements redo-log-writes" so far (SHOW GLOBAL STATUS
# Questions and Innodb_log_writes), read as root over its socket.
mariadb_counters() {
    mariadb --no-defaults --protocol=socket --socket="$mariadb_dir/sock" -uroot --batch --skip-column-names \
        -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Innodb_log_writes')" \
        | awk '$1 == "Questions" { q = $2 } $1 == "Innodb_log_writes" { f = $2 } END { print q + 0, f + 0 }'
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
# Every figure is kept per instance and path, under the key "INSTANCE PATH", where an
# instance is one configuration run by one build ("mariadb-batched", or with a baseline
# "mariadb-batched before" and "mariadb-batched after"). Over several rounds the sums
# (requests, CPU ticks) and the per-round lists (rates, latencies, idle shares) grow.

declare -A requests_of rates_of p50s_of p99s_of errors_of barkd_ticks_of groups_of db_ticks_of
declare -A statements_of log_writes_of set_aside_of page_runs_of wrk_ticks_of idle_ticks_of machine_ticks_of irq_ticks_of others_ticks_of idle_before_of
declare -A stored_of answered_of commit_of pid_of base_of
mkdir -p "$results_dir"
raw_log="$results_dir/latest-page-wrk.txt"
: > "$raw_log"
configurations=()

# run_once INSTANCE PATH: one wrk run against INSTANCE's barkd, after a second of looking
# at how idle the machine is; leaves its figures in the global associative array `run`
# (ticks are clock ticks over the run; `others` is the busy time that is neither this
# barkd, nor mariadbd, nor wrk, nor interrupts: other people's builds and tests, the
# hypervisor's steal, the idle barkd beside this one).
declare -A run
run_once() {
    local instance=$1 path=$2 pid=${pid_of[$1]}
    local threads=$((connections < 2 ? connections : 2))
    local before after db_before=0 db_after=0 machine_before machine_after output parsed
    local groups_before groups_after idle_before wrk_ticks
    local counters_before="0 0" counters_after="0 0" on_mariadb=""
    local -a b a groups
    local i
    [[ -z $mariadb_pid || $instance != mariadb* ]] || on_mariadb=yes
    idle_before=$(idle_over 1)
    echo "== $instance $path: wrk -t$threads -c$connections -d${duration}s (machine idle just before: $idle_before)" >&2
    [[ -z $on_mariadb ]] || counters_before=$(mariadb_counters)
    before=$(cpu_ticks "$pid")
    groups_before=$(thread_group_ticks "$pid")
    [[ -z $on_mariadb ]] || db_before=$(cpu_ticks "$mariadb_pid")
    machine_before=$(machine_ticks)
    # `times` after wrk: the CPU time of the subshell's children, i.e. wrk's own.
    output=$("$wrk_bin" -t"$threads" -c"$connections" -d"${duration}s" --latency "${base_of[$instance]}$path" && times)
    machine_after=$(machine_ticks)
    wrk_ticks=$(tail -n 1 <<< "$output" | awk -v hz="$clock_ticks" '{
        for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%d", s * hz + 0.5 }')
    output=$(head -n -2 <<< "$output")
    after=$(cpu_ticks "$pid")
    groups_after=$(thread_group_ticks "$pid")
    [[ -z $on_mariadb ]] || db_after=$(cpu_ticks "$mariadb_pid")
    [[ -z $on_mariadb ]] || counters_after=$(mariadb_counters)
    printf '### %s %s, %d connections\n%s\n\n' "$instance" "$path" "$connections" "$output" >> "$raw_log"
    parsed=$(parse_wrk <<< "$output") || die "cannot read wrk's output for $instance $path: $output"
    run=()
    read -r 'run[requests]' 'run[rate]' 'run[p50]' 'run[p99]' 'run[errors]' <<< "$parsed"
    run[barkd]=$((after - before))
    run[db]=$((db_after - db_before))
    run[wrk]=$wrk_ticks
    read -r -a b <<< "$groups_before"
    read -r -a a <<< "$groups_after"
    groups=()
    for i in 0 1 2 3; do groups+=($((a[i] - b[i]))); done
    run[groups]="${groups[*]}"
    read -r -a b <<< "$counters_before"
    read -r -a a <<< "$counters_after"
    run[statements]=$((a[0] - b[0]))
    run[log_writes]=$((a[1] - b[1]))
    read -r -a b <<< "$machine_before"
    read -r -a a <<< "$machine_after"
    run[idle]=$((a[0] - b[0]))
    run[machine]=$((a[1] - b[1]))
    run[irq]=$((a[2] - b[2]))
    run[others]=$((run[machine] - run[idle] - run[irq] - run[barkd] - run[db] - run[wrk]))
    run[idle_before]=${idle_before%\%}
}

# measure INSTANCE PATH: a wrk run whose figures count for INSTANCE PATH. A run during
# which other processes took more than BENCH_MAX_OTHERS % of the machine is set aside and
# run again (at most BENCH_RETRIES times; the last run counts whatever it saw). Every run
# of `/` counts its answered views, set aside or not: barkd counted them.
measure() {
    local instance=$1 path=$2 key="$1 $2" attempt others i
    local -a sums add
    for ((attempt = 0; ; attempt++)); do
        run_once "$instance" "$path"
        if [[ $path == / ]]; then
            answered_of[$instance]=$((${answered_of[$instance]:-0} + run[requests]))
            page_runs_of[$instance]=$((${page_runs_of[$instance]:-0} + 1))
        fi
        others=$(awk -v o="${run[others]}" -v t="${run[machine]}" 'BEGIN { printf "%d", (t > 0 ? 100 * o / t : 0) }')
        if ((others > max_others && attempt < retries)); then
            echo "   other processes took ${others}% of the machine during that run: set aside, measuring again" >&2
            set_aside_of[$key]=$((${set_aside_of[$key]:-0} + 1))
            continue
        fi
        break
    done
    requests_of[$key]=$((${requests_of[$key]:-0} + run[requests]))
    rates_of[$key]+="${run[rate]} "
    p50s_of[$key]+="${run[p50]} "
    p99s_of[$key]+="${run[p99]} "
    errors_of[$key]=$((${errors_of[$key]:-0} + run[errors]))
    barkd_ticks_of[$key]=$((${barkd_ticks_of[$key]:-0} + run[barkd]))
    db_ticks_of[$key]=$((${db_ticks_of[$key]:-0} + run[db]))
    wrk_ticks_of[$key]=$((${wrk_ticks_of[$key]:-0} + run[wrk]))
    read -r -a sums <<< "${groups_of[$key]:-0 0 0 0}"
    read -r -a add <<< "${run[groups]}"
    for i in 0 1 2 3; do sums[i]=$((sums[i] + add[i])); done
    groups_of[$key]="${sums[*]}"
    if [[ $instance == mariadb* ]]; then
        statements_of[$key]=$((${statements_of[$key]:-0} + run[statements]))
        log_writes_of[$key]=$((${log_writes_of[$key]:-0} + run[log_writes]))
    fi
    idle_ticks_of[$key]=$((${idle_ticks_of[$key]:-0} + run[idle]))
    machine_ticks_of[$key]=$((${machine_ticks_of[$key]:-0} + run[machine]))
    irq_ticks_of[$key]=$((${irq_ticks_of[$key]:-0} + run[irq]))
    others_ticks_of[$key]=$((${others_ticks_of[$key]:-0} + run[others]))
    idle_before_of[$key]+="${run[idle_before]} "
}

# stored_views STORE INSTANCE DATABASE: the visitor count INSTANCE's database holds.
stored_views() {
    local store=$1 instance=$2 database_name=$3
    if [[ $store == sqlite ]]; then
        python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count FROM visitor_counter").fetchone()[0])' \
            "$bench_workdir/$instance/barkd.sqlite3"
    else
        mariadb_sql "$mariadb_url" "SELECT count FROM $database_name.visitor_counter"
    fi
}

# visitor_count BASE: what /api/visitors says (stored + this instance's pending views).
visitor_count() {
    curl -fsS "$1/api/visitors" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

declare -A database_of warmed_views_of build_commit_of
for store in "${stores[@]}"; do
    case $store in
        sqlite) ;;
        mariadb) [[ -n $mariadb_url ]] || start_mariadb ;;
        *) die "unknown store '$store' in BENCH_STORES (sqlite, mariadb)" ;;
    esac
    for mode in batched sync; do
        config="$store-$mode"
        configurations+=("$config")
        instances=()
        # Every build of this configuration runs at once, each on its own port, data
        # directory and database, so the measurements below can alternate between them.
        for build in "${builds[@]}"; do
            instance=$config
            [[ $build == current ]] || instance="$config $build"
            instances+=("$instance")
            port=$(free_port)
            data_dir="$bench_workdir/${instance// /-}"
            args=(--host 127.0.0.1 --port "$port" --access-log off --event-loops 2 --counter-mode "$mode" --data-dir "$data_dir")
            env_args=()
            database_name=""
            if [[ $store == mariadb ]]; then
                database_name="barkd_test_bench_${mode}_$build"
                mariadb_sql "$mariadb_url" "DROP DATABASE IF EXISTS $database_name; CREATE DATABASE $database_name"
                args+=(--database "${mariadb_url%/*}/$database_name")
                env_args=(BARKD_DB_PASSWORD_FILE="$mariadb_dir/password")
            fi
            database_of[$instance]=$database_name
            env "${env_args[@]}" "${bin_of[$build]}" "${args[@]}" > "$bench_workdir/${instance// /-}.log" 2>&1 &
            pid_of[$instance]=$!
            started_pids+=("$!")
            base_of[$instance]="http://127.0.0.1:$port"
        done
        for i in "${!instances[@]}"; do
            instance=${instances[i]}
            base=${base_of[$instance]}
            wait_ready "${pid_of[$instance]}" "$base/readyz"
            curl -fsS "$base/" | grep -q 'id="visitor"' || die "$instance: / does not show a visitor number"
            commit_of[$instance]=$(curl -fsS "$base/healthcheck" | python3 -c 'import json, sys; print(json.load(sys.stdin)["myapplication"][0]["lastcommitsha"][:7])')
            build_commit_of[${builds[i]}]=${commit_of[$instance]}
        done
        if ((warmup > 0)); then
            for instance in "${instances[@]}"; do
                echo "== warm-up: $instance (${warmup}s per path)" >&2
                for path in /healthcheck /; do
                    "$wrk_bin" -t$((connections < 2 ? connections : 2)) -c"$connections" -d"${warmup}s" "${base_of[$instance]}$path" > /dev/null
                done
            done
        fi
        for instance in "${instances[@]}"; do
            warmed_views_of[$instance]=$(visitor_count "${base_of[$instance]}")
        done
        # Interleaved: each path is measured on every build back to back, the builds' order
        # reversed every other round (before, after; then after, before; …), so a change
        # in the machine's load meets both alike.
        for round in $(seq "$rounds"); do
            order=("${instances[@]}")
            if ((round % 2 == 0 && ${#instances[@]} == 2)); then order=("${instances[1]}" "${instances[0]}"); fi
            for path in /healthcheck /; do
                for instance in "${order[@]}"; do
                    measure "$instance" "$path"
                done
            done
        done
        # Stop them (SIGTERM writes the pending views) and compare the stored count with
        # the views wrk saw answered.
        for instance in "${instances[@]}"; do
            stop_pid "${pid_of[$instance]}"
            stored=$(stored_views "$store" "${instance// /-}" "${database_of[$instance]}")
            stored_of[$instance]=$((stored - warmed_views_of[$instance]))
            answered_of[$instance]=${answered_of[$instance]:-0}
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Report --------------------------------------------------------------------------------------

# mean and median of a space-separated list of numbers; spread: "a / b / …" as integers.
mean() { awk -v list="$1" 'BEGIN { n = split(list, v, " "); for (i = 1; i <= n; i++) s += v[i]; printf "%.0f", n ? s / n : 0 }'; }
median() {
    tr ' ' '\n' <<< "$1" | awk 'NF' | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'
}
spread() { awk -v list="$1" 'BEGIN { n = split(list, v, " "); for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " / " : ""), v[i] }'; }
per_thousand() { awk -v x="$1" -v n="$2" 'BEGIN { if (x == "" || n <= 0) print "—"; else printf "%.1f", 1000 * x / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Per key: the figures of the table, from the sums and lists measure() kept.
rate() { mean "${rates_of[$1]}"; }
barkd_cpu() { per_request "${barkd_ticks_of[$1]}" "${requests_of[$1]}"; }
db_cpu() {
    if [[ $1 == mariadb* ]]; then per_request "${db_ticks_of[$1]}" "${requests_of[$1]}"; else echo "—"; fi
}
split_cpu() {
    local -a sums
    local i text=""
    read -r -a sums <<< "${groups_of[$1]}"
    for i in 0 1 2 3; do text+="${text:+ / }$(per_request "${sums[i]}" "${requests_of[$1]}")"; done
    echo "$text"
}
idle_during() {
    awk -v i="${idle_ticks_of[$1]}" -v t="${machine_ticks_of[$1]}" 'BEGIN { if (t > 0) printf "%.0f%%", 100 * i / t; else print "n/a" }'
}
# share TICKS_ARRAY_VALUE KEY: a tick sum as a share of the machine's ticks in the same runs.
share() {
    awk -v o="$1" -v t="${machine_ticks_of[$2]}" 'BEGIN { if (o < 0) o = 0; if (t > 0) printf "%.0f%%", 100 * o / t; else print "n/a" }'
}
idle_before() { awk -v list="${idle_before_of[$1]}" 'BEGIN { n = split(list, v, " "); m = 100; for (i = 1; i <= n; i++) if (v[i] + 0 < m) m = v[i] + 0; printf "%d%%", m }'; }

# The table's rows: the "build", "req/s per round" and "after ÷ before" columns only when
# they say something (a baseline; more than one round).
header="| store, counter | path |"
rule="|---|---|"
[[ -z $baseline ]] || { header+=" build |"; rule+="---|"; }
header+=" req/s |"
rule+="---:|"
((rounds == 1)) || { header+=" req/s per round |"; rule+="---:|"; }
header+=" / ÷ /healthcheck |"
rule+="---:|"
[[ -z $baseline ]] || { header+=" after ÷ before (req/s) |"; rule+="---:|"; }
header+=" p50 (ms) | p99 (ms) | barkd CPU/req (µs) | of which loops / db threads / Swift pool / other | mariadbd CPU/req (µs) | wrk CPU/req (µs) | machine idle before / during | interrupts / others' CPU | errors |"
rule+="---:|---:|---:|---:|---:|---:|---:|---:|---:|"

table_row() {
    local config=$1 build=$2 path=$3 instance key row
    instance=$config
    [[ $build == current ]] || instance="$config $build"
    key="$instance $path"
    row="| $config | $path |"
    [[ -z $baseline ]] || row+=" $build ${commit_of[$instance]} |"
    row+=" $(rate "$key") |"
    ((rounds == 1)) || row+=" $(spread "${rates_of[$key]}") |"
    if [[ $path == / ]]; then row+=" $(ratio "$(rate "$key")" "$(rate "$instance /healthcheck")") |"; else row+=" — |"; fi
    if [[ -n $baseline ]]; then
        if [[ $build == after ]]; then row+=" $(ratio "$(rate "$key")" "$(rate "$config before $path")") |"; else row+=" — |"; fi
    fi
    row+=" $(median "${p50s_of[$key]}") | $(median "${p99s_of[$key]}") | $(barkd_cpu "$key") | $(split_cpu "$key") | $(db_cpu "$key") |"
    row+=" $(per_request "${wrk_ticks_of[$key]}" "${requests_of[$key]}") |"
    row+=" $(idle_before "$key") / $(idle_during "$key") | $(share "${irq_ticks_of[$key]}" "$key") / $(share "${others_ticks_of[$key]}" "$key") | ${errors_of[$key]} |"
    echo "$row"
}

# With a baseline, what the change costs a page view: per configuration, `/` before and
# after, CPU per view of barkd and of mariadbd, and their sum's difference.
cost_rows() {
    local config before after b_total a_total
    for config in "${configurations[@]}"; do
        before="$config before /"
        after="$config after /"
        b_total=$(awk -v x="$(barkd_cpu "$before")" -v y="$(db_cpu "$before")" 'BEGIN { printf "%.1f", x + y }')
        a_total=$(awk -v x="$(barkd_cpu "$after")" -v y="$(db_cpu "$after")" 'BEGIN { printf "%.1f", x + y }')
        printf '| %s | %s → %s (%s×) | %s → %s | %s → %s | %s → %s | %s → %s (%+.1f) | %s → %s | %s → %s | %s → %s |\n' "$config" \
            "$(rate "$before")" "$(rate "$after")" "$(ratio "$(rate "$after")" "$(rate "$before")")" \
            "$(median "${p50s_of[$before]}")" "$(median "${p50s_of[$after]}")" \
            "$(barkd_cpu "$before")" "$(barkd_cpu "$after")" "$(db_cpu "$before")" "$(db_cpu "$after")" \
            "$b_total" "$a_total" "$(awk -v a="$a_total" -v b="$b_total" 'BEGIN { print a - b }')" \
            "$(ratio "$(rate "$before")" "$(rate "$config before /healthcheck")")" "$(ratio "$(rate "$after")" "$(rate "$config after /healthcheck")")" \
            "$(per_thousand "${statements_of[$before]:-}" "${requests_of[$before]}")" "$(per_thousand "${statements_of[$after]:-}" "${requests_of[$after]}")" \
            "$(per_thousand "${log_writes_of[$before]:-}" "${requests_of[$before]}")" "$(per_thousand "${log_writes_of[$after]:-}" "${requests_of[$after]}")"
    done
}

report=$(
    echo "# barkd: GET / (the Dog GIF page) beside GET /healthcheck"
    echo
    if [[ -n $baseline ]]; then
        echo "$(date -u '+%Y-%m-%d %H:%M UTC'); before: barkd ${build_commit_of[before]} (BENCH_BASELINE=$baseline), after: barkd ${build_commit_of[after]} (the checkout's build; the commits are those the binaries report); $(machine_line)."
    else
        echo "$(date -u '+%Y-%m-%d %H:%M UTC'), barkd $(measured_commit "$repo"), $(machine_line)."
    fi
    echo "wrk $("$wrk_bin" -v 2>&1 | awk 'NR == 1 { print $2 }'), $connections connections, ${duration}s per measurement, $rounds round(s), on the same machine (127.0.0.1);"
    echo "barkd --event-loops 2 --access-log off; MariaDB $(mariadbd --version 2> /dev/null | awk '{ print $3 }' || echo "?") (Debian defaults, durable commits) on the same cores."
    echo "Load average (1, 5, 15 min) before the run: $load_before; after: $load_after."
    [[ -z $baseline ]] || echo "Both builds of a configuration run side by side (one idle while the other is measured), each path measured on both back to back, their order swapped every round."
    echo
    echo "$header"
    echo "$rule"
    for config in "${configurations[@]}"; do
        for path in /healthcheck /; do
            for build in "${builds[@]}"; do
                table_row "$config" "$build" "$path"
            done
        done
    done
    if [[ -n $baseline ]]; then
        echo
        echo "What a page view costs, before → after:"
        echo
        echo "| store, counter | / req/s | / p50 (ms) | barkd CPU per view (µs) | mariadbd CPU per view (µs) | both (µs, Δ) | / ÷ /healthcheck | SQL statements per 1000 views | redo log writes per 1000 views |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        cost_rows
    fi
    echo
    set_aside=0
    for key in "${!set_aside_of[@]}"; do set_aside=$((set_aside + set_aside_of[$key])); done
    echo "Runs set aside because other processes took more than ${max_others}% of the machine (and run again): $set_aside."
    echo
    echo "Views wrk saw answered during the runs of / (those set aside included) and views stored after SIGTERM (stored ≥ answered; a few more are stored because wrk abandons its in-flight requests at the end of each run, at most one per connection):"
    echo
    for config in "${configurations[@]}"; do
        for build in "${builds[@]}"; do
            instance=$config
            [[ $build == current ]] || instance="$config $build"
            echo "- $instance: answered ${answered_of[$instance]}, stored ${stored_of[$instance]} (+$((stored_of[$instance] - answered_of[$instance])))"
        done
    done
)
printf '%s\n' "$report" | tee "$results_dir/latest-page.md"
# Exactness: no view answered may be missing, and no more may be stored than the views
# answered plus those wrk abandoned in flight (one per connection at the end of each run
# of /, the warm-up's and those set aside included): more would be views counted twice.
for instance in "${!stored_of[@]}"; do
    if ((stored_of[$instance] < answered_of[$instance])); then
        die "$instance: stored ${stored_of[$instance]} views but wrk saw ${answered_of[$instance]} answered"
    fi
    in_flight=$((connections * (${page_runs_of[$instance]:-0} + 1)))
    if ((stored_of[$instance] > answered_of[$instance] + in_flight)); then
        die "$instance: stored ${stored_of[$instance]} views, more than the ${answered_of[$instance]} answered plus $in_flight in flight"
    fi
done
echo "(written to Benchmarks/results/latest-page.md; raw wrk output in Benchmarks/results/latest-page-wrk.txt)" >&2
