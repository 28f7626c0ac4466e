#!/usr/bin/env bash
# Event loops that fit the container (issue 13): barkd under a CPU quota of
# BENCH_QUOTA_CPUS (default 1) CPU, in a cgroup this script makes (cgroup v2 if the
# unified hierarchy has the cpu controller, else v1's cpu controller; needs root), with
# its default --event-loops (now the quota: AvailableCPUs) against --event-loops set to
# the host's CPU count (what the default was). wrk (outside the cgroup) measures each in
# turn, interleaved, BENCH_ROUNDS (3) rounds of BENCH_DURATION (10) seconds at 64
# connections on /healthcheck. Prints the table and writes it to
# Benchmarks/results/latest-cpu-quota.md.
#
#   sudo Benchmarks/cpu-quota.sh
#
# Environment: BENCH_QUOTA_CPUS, BENCH_ROUNDS, BENCH_DURATION, BARKD_BENCH_BIN, WRK.
# 127.0.0.1 only; both barkd processes are stopped by PID and the cgroup removed on exit.
# shellcheck source=Benchmarks/lib.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh

quota_cpus=${BENCH_QUOTA_CPUS:-1}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-10}
wrk_bin=${WRK:-wrk}
host_cpus=$(nproc)
command -v "$wrk_bin" > /dev/null || die "$wrk_bin is not installed (apt-get install -y wrk)"
((EUID == 0)) || die "making a cgroup needs root"

# make_cgroup NAME: a cgroup with the quota; prints the file to write PIDs to.
make_cgroup() {
    local name=$1 period=100000 dir
    if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2> /dev/null; then
        dir=/sys/fs/cgroup/$name
        grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
        mkdir -p "$dir"
        echo "$((quota_cpus * period)) $period" > "$dir/cpu.max"
    else
        dir=/sys/fs/cgroup/cpu/$name
        [[ -d /sys/fs/cgroup/cpu ]] || die "no cgroup cpu controller (v1 or v2) to set a quota with"
        mkdir -p "$dir"
        echo "$period" > "$dir/cpu.cfs_period_us"
        echo "$((quota_cpus * period))" > "$dir/cpu.cfs_quota_us"
    fi
    cgroup_dirs+=("$dir")
    echo "$dir/cgroup.procs"
}
cgroup_dirs=()
remove_cgroups() {
    local dir
    for dir in "${cgroup_dirs[@]}"; do rmdir "$dir" 2> /dev/null || true; done
}
trap 'bench_cleanup; remove_cgroups' EXIT

barkd_bin=${BARKD_BENCH_BIN:-$(build_barkd "$PWD")}
declare -A port_of pid_of loops_of
for variant in quota host; do
    procs=$(make_cgroup "barkd-bench-$variant-$$")
    port_of[$variant]=$(free_port)
    extra=()
    [[ $variant == host ]] && extra=(--event-loops "$host_cpus")
    # The process joins the cgroup before it execs barkd, so barkd reads its quota at start.
    sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$procs" "$barkd_bin" --host 127.0.0.1 --port "${port_of[$variant]}" \
        --access-log off --data-dir "$bench_workdir/data-$variant" "${extra[@]}" > "$bench_workdir/barkd-$variant.log" 2>&1 &
    pid_of[$variant]=$!
    started_pids+=("${pid_of[$variant]}")
    wait_ready "${pid_of[$variant]}" "http://127.0.0.1:${port_of[$variant]}/readyz"
    loops_of[$variant]=$(grep -o '"event_loops":"[0-9]*"' "$bench_workdir/barkd-$variant.log" | head -1 | grep -o '[0-9]\+')
done

declare -A total_rate total_p99
for variant in quota host; do total_rate[$variant]=0; total_p99[$variant]=0; done
for round in $(seq "$rounds"); do
    for variant in quota host; do
        echo "== round $round: $variant (${loops_of[$variant]} loops), wrk -t2 -c64 -d${duration}s" >&2
        out=$("$wrk_bin" -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:${port_of[$variant]}/healthcheck")
        read -r _ rate _ p99 errors <<< "$(parse_wrk <<< "$out")"
        ((errors == 0)) || die "$variant: $errors errors"
        total_rate[$variant]=$(awk -v a="${total_rate[$variant]}" -v b="$rate" 'BEGIN { print a + b }')
        total_p99[$variant]=$(awk -v a="${total_p99[$variant]}" -v b="$p99" 'BEGIN { print a + b }')
    done
done

results="Benchmarks/results/latest-cpu-quota.md"
mkdir -p Benchmarks/results
{
    echo "# barkd under a CPU quota of $quota_cpus CPU: event loops from the quota against one per host CPU"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); barkd $(measured_commit "$PWD") (release), $(machine_line); wrk -t2 -c64 on /healthcheck, mean of $rounds interleaved rounds of ${duration}s."
    echo
    echo "| barkd | event loops | req/s | vs host-count | p99 (ms) |"
    echo "|---|---:|---:|---:|---:|"
    for variant in quota host; do
        label=$([[ $variant == quota ]] && echo "default (cgroup quota)" || echo "--event-loops $host_cpus (host CPUs)")
        awk -v label="$label" -v loops="${loops_of[$variant]}" -v r="${total_rate[$variant]}" -v ref="${total_rate[host]}" \
            -v p="${total_p99[$variant]}" -v n="$rounds" \
            'BEGIN { printf "| %s | %s | %.0f | %.2f× | %.2f |\n", label, loops, r / n, r / ref, p / n }'
    done
} > "$results"
cat "$results"
