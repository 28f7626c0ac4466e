# shellcheck shell=bash
# Shared by Benchmarks/load.sh, frameworks.sh and page.sh (sourced, not executed): building
# barkd (the checkout, or another revision for before/after runs), starting and stopping
# processes by PID, waiting for readiness, and reading CPU, memory, idle time and wrk output.
# Expects `set -euo pipefail` in the caller.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

clock_ticks=$(getconf CLK_TCK)

# Processes started by the script, stopped by PID (TERM, then KILL after 5 s) on exit.
started_pids=()
bench_workdir=$(mktemp -d "${TMPDIR:-/tmp}/barkd-bench.XXXXXX")

stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2> /dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
}

bench_cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        stop_pid "$pid"
    done
    if declare -F bench_extra_cleanup > /dev/null; then bench_extra_cleanup; fi
    rm -rf "$bench_workdir"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 512 connections need more than the usual 1024 descriptors in wrk and the servers.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)" 2> /dev/null || true

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PID URL: until URL answers 200, or fail if PID died or 30 s passed.
wait_ready() {
    local pid=$1 url=$2
    for _ in $(seq 300); do
        kill -0 "$pid" 2> /dev/null || die "the server (pid $pid) exited during start-up; logs in $bench_workdir"
        if curl -fsS --max-time 1 -o /dev/null "$url" 2> /dev/null; then
            return 0
        fi
        sleep 0.1
    done
    die "$url did not answer within 30 s"
}

# build_barkd: a release build in .build-bench; prints the binary's path.
build_barkd() {
    local repo=$1 scratch="$1/.build-bench"
    echo "== building barkd (release, $scratch)" >&2
    (cd "$repo" && swift build -c release --scratch-path "$scratch" >&2)
    [[ -x $scratch/release/barkd ]] || die "no barkd binary at $scratch/release/barkd after the build"
    echo "$scratch/release/barkd"
}

# select_builds [BASELINE]: fills the caller's `builds` array and `binary_of` map (declared
# there, the map with `declare -A`): "current", the checkout's release build (or
# BARKD_BENCH_BIN); with a BASELINE revision, "before" (its build) and "after" (current).
# shellcheck disable=SC2034,SC2154
select_builds() {
    builds=(current)
    binary_of[current]=${BARKD_BENCH_BIN:-$(build_barkd "$PWD")}
    if [[ -n ${1:-} ]]; then
        builds=(before after)
        binary_of[after]=${binary_of[current]}
        binary_of[before]=$(build_barkd_revision "$PWD" "$1")
    fi
}

# build_barkd_revision REPO REVISION: a release build of barkd as it was at REVISION, for
# before/after comparisons. The source is a temporary `git worktree` in the benchmark's
# temporary folder (removed when the build ends, however it ends), built with its own
# scratch path REPO/.build-bench-baseline and the checkout's Package.resolved (the same
# dependency versions as the current build; the package mirror serves both alike). The
# binary is kept as REPO/.build-bench-baseline/bin/barkd-<commit>: a commit does not
# change, so a later run for the same commit reuses it. Prints the binary's path.
# A function in a subshell of its own, so that its EXIT trap removes the worktree.
build_barkd_revision() (
    local repo=$1 revision=$2 commit scratch cached worktree
    commit=$(git -C "$repo" rev-parse --verify --quiet "$revision^{commit}") \
        || die "'$revision' is not a commit of $repo"
    scratch="$repo/.build-bench-baseline"
    cached="$scratch/bin/barkd-$commit"
    if [[ -x $cached ]]; then
        echo "== barkd at ${commit:0:7}: reusing $cached" >&2
        echo "$cached"
        exit 0
    fi
    worktree="$bench_workdir/source-$commit"
    trap 'git -C "$repo" worktree remove --force "$worktree" > /dev/null 2>&1 || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    git -C "$repo" worktree add --detach --quiet "$worktree" "$commit" >&2 \
        || die "cannot check out $commit into $worktree"
    if [[ -f $repo/Package.resolved ]]; then cp "$repo/Package.resolved" "$worktree/"; fi
    echo "== building barkd at ${commit:0:7} (release, $scratch, from a worktree in $worktree)" >&2
    (cd "$worktree" && swift build -c release --scratch-path "$scratch" >&2) || die "the build of $commit failed"
    [[ -x $scratch/release/barkd ]] || die "no barkd binary at $scratch/release/barkd after the build"
    mkdir -p "$scratch/bin"
    { cp "$scratch/release/barkd" "$cached.tmp" && mv "$cached.tmp" "$cached"; } || die "cannot keep the binary as $cached"
    echo "$cached"
)

# CPU time (user + system, in clock ticks) of the given PIDs, threads included.
cpu_ticks() {
    local total=0 pid stat fields
    for pid in "$@"; do
        stat=$(< "/proc/$pid/stat") || continue
        # Fields after "(comm)": utime and stime are fields 14 and 15 of the full line.
        read -r -a fields <<< "${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# thread_group_ticks PID: CPU ticks of PID's threads by role, from their names:
# "loops db swift other" (event loops barkd-loop-*, database threads db-*, the Swift
# global executor's threads *qos*, everything else).
thread_group_ticks() {
    local pid=$1 task name stat fields loops=0 db=0 swift=0 other=0 ticks
    for task in /proc/"$pid"/task/*; do
        name=$(< "$task/comm") 2> /dev/null || continue
        stat=$(< "$task/stat") 2> /dev/null || continue
        read -r -a fields <<< "${stat##*) }"
        ticks=$((fields[11] + fields[12]))
        case $name in
            barkd-loop-*) loops=$((loops + ticks)) ;;
            db-*) db=$((db + ticks)) ;;
            *qos*) swift=$((swift + ticks)) ;;
            *) other=$((other + ticks)) ;;
        esac
    done
    echo "$loops $db $swift $other"
}

# Resident memory of the given PIDs, in KiB.
rss_kib() {
    local total=0 pid kib
    for pid in "$@"; do
        kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2> /dev/null || true)
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# Ticks of the whole machine (from /proc/stat): "idle total irq" — idle and I/O wait, all,
# and interrupt handling (hard and soft: on this kernel the loopback network's softirq
# time is charged to no process).
machine_ticks() {
    awk '/^cpu / { idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print idle, total, $7 + $8 }' /proc/stat
}

# idle_percent BEFORE AFTER: the machine's idle share between two machine_ticks readings.
idle_percent() {
    awk -v b="$1" -v a="$2" 'BEGIN {
        split(b, x, " "); split(a, y, " "); total = y[2] - x[2]
        if (total > 0) printf "%.0f%%", 100 * (y[1] - x[1]) / total; else print "n/a" }'
}

# idle_over SECONDS: the machine's idle share over the next SECONDS (before a load starts:
# near 0 % means something else is using the cores).
idle_over() {
    local before
    before=$(machine_ticks)
    sleep "$1"
    idle_percent "$before" "$(machine_ticks)"
}

# per_request TICKS REQUESTS: CPU microseconds per request.
per_request() {
    awk -v ticks="$1" -v hz="$clock_ticks" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", ticks / hz * 1e6 / n; else print "n/a" }'
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

# The commit measured, marked when Sources or Package.swift have uncommitted changes.
measured_commit() {
    local repo=$1 commit
    commit=$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)
    if [[ -n $(git -C "$repo" status --porcelain -- Sources Package.swift 2> /dev/null) ]]; then
        commit="$commit (with uncommitted changes)"
    fi
    echo "$commit"
}

machine_line() {
    echo "$(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r)"
}

# The two functions below read the caller's globals and fill its associative arrays
# (declared there with `declare -A`), which shellcheck cannot see from this file.
# warm_up: WARMUP seconds of wrk at 64 connections against each of SERVERS.
# The caller defines `url_of SERVER` and the globals servers, warmup and wrk_bin.
# shellcheck disable=SC2154
warm_up() {
    local server
    ((warmup > 0)) || return 0
    for server in "${servers[@]}"; do
        echo "== warm-up: $server (${warmup}s)" >&2
        "$wrk_bin" -t2 -c64 -d"${warmup}s" "$(url_of "$server")" > /dev/null
    done
}

# measure_interleaved: for each connection count, runs wrk against every server in turn
# (interleaved, so every server meets the same machine state) and fills the global
# associative arrays rate_of, p50_of, p99_of, errors_of, rss_of and cpu_of under the key
# "SERVER/CONNECTIONS". The caller defines `url_of SERVER` and `server_pids SERVER` (the
# PIDs whose CPU and memory count for it), and the globals servers, connection_counts,
# duration, wrk_bin and raw_log (wrk's raw output is appended there).
# shellcheck disable=SC2154,SC2034,SC2004
measure_interleaved() {
    local connections threads server before after output parsed requests rate p50 p99 errors key
    local -a pids
    for connections in "${connection_counts[@]}"; do
        threads=$((connections < 2 ? connections : 2))
        for server in "${servers[@]}"; do
            echo "== $server: wrk -t$threads -c$connections -d${duration}s" >&2
            mapfile -t pids < <(server_pids "$server")
            before=$(cpu_ticks "${pids[@]}")
            output=$("$wrk_bin" -t"$threads" -c"$connections" -d"${duration}s" --latency "$(url_of "$server")")
            after=$(cpu_ticks "${pids[@]}")
            printf '### %s, %d connections\n%s\n\n' "$server" "$connections" "$output" >> "$raw_log"
            parsed=$(parse_wrk <<< "$output") \
                || die "cannot read wrk's output for $server at $connections connections: $output"
            read -r requests rate p50 p99 errors <<< "$parsed"
            key="$server/$connections"
            rate_of[$key]=$rate
            p50_of[$key]=$p50
            p99_of[$key]=$p99
            errors_of[$key]=$errors
            rss_of[$key]=$(rss_kib "${pids[@]}")
            cpu_of[$key]=$(per_request $((after - before)) "$requests")
        done
    done
}

# report_rows REFERENCE [inverted]: the markdown rows of the results table, one per server
# and connection count, from the arrays measure_interleaved filled. The ratio column is
# the row's req/s over REFERENCE's (or, with "inverted", REFERENCE's over the row's; a
# caller's `reference_for SERVER`, if defined, names each row's reference instead); a
# reference row shows "—". The caller defines `label_of SERVER`.
# shellcheck disable=SC2154
report_rows() {
    local reference=$1 inverted=${2:-} connections server key ratio rss
    for connections in "${connection_counts[@]}"; do
        for server in "${servers[@]}"; do
            key="$server/$connections"
            # A caller may give a row its own reference (`reference_for SERVER`).
            if declare -F reference_for > /dev/null; then reference=$(reference_for "$server"); fi
            ratio=$(awk -v row="${rate_of[$key]}" -v ref="${rate_of[$reference/$connections]}" \
                -v self="$server" -v reference="$reference" -v inverted="$inverted" 'BEGIN {
                    if (self == reference) { print "—"; exit }
                    top = inverted ? ref : row; bottom = inverted ? row : ref
                    if (bottom > 0) printf "%.2f×", top / bottom; else print "n/a" }')
            rss=$(awk -v k="${rss_of[$key]}" 'BEGIN { printf "%.1f", k / 1024 }')
            printf '| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n' "$(label_of "$server")" "$connections" \
                "${rate_of[$key]}" "$ratio" "${p50_of[$key]}" "${p99_of[$key]}" "$rss" "${cpu_of[$key]}" "${errors_of[$key]}"
        done
    done
}
