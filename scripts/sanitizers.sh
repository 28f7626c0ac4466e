#!/usr/bin/env bash
# Builds barkd and its Swift tests with a sanitizer and runs every Swift test under it:
# ThreadSanitizer (data races) and AddressSanitizer with LeakSanitizer (memory errors,
# leaks). Separate from scripts/test.sh: each sanitizer build of the whole package takes
# several minutes. Any report fails the run (halt_on_error=1). What keeps the run honest
# is in scripts/sanitizers/: lsan.supp (the one suppression: a leak in XCTest's runner,
# with its evidence) and tsan-mutex.c (shows TSan the lock hand-over of a contended
# Synchronization.Mutex, which it cannot see on Linux; it hides no race).
#
#   scripts/sanitizers.sh [--integration] [thread|address]...
#
# With no sanitizer named, runs both, thread first. Each has its own build folder
# (.build-tsan, .build-asan) so the normal .build is not rebuilt. The tests run one at a
# time (--no-parallel): in parallel, on two cores, sanitized code misses the wall-clock
# bounds of the timeout tests. --integration also runs a subset of the integration tests
# (HTTP conformance, the GIF app) against that sanitizer's barkd (TSan: the debug build;
# ASan: a release build), failing on any report a barkd process wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

integration=false
sanitizers=()
for arg in "$@"; do
    case "$arg" in
        --integration) integration=true ;;
        thread | address) sanitizers+=("$arg") ;;
        *)
            echo "usage: $0 [--integration] [thread|address]..." >&2
            exit 2
            ;;
    esac
done
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(thread address)

apt_ensure "${BARKD_BUILD_PACKAGES[@]}" python3 python3-venv git mariadb-server mariadb-client openssl
venv=.tools/venv
if $integration; then
    install_venv "$venv" Tests/IntegrationTests/requirements.txt
fi

work=$(mktemp -d /tmp/barkd-sanitizers.XXXXXX)
# Its own folder: mariadbd runs as the mysql user, which cannot enter $work (0700).
mariadb_dir=$(mktemp -d /tmp/barkd-test-mariadb.XXXXXX)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    stop_test_mariadb "$mariadb_dir"
    rm -rf "$work" "$mariadb_dir"
}
trap cleanup EXIT

echo "== starting a test MariaDB" >&2
start_test_mariadb "$mariadb_dir"

# Under ThreadSanitizer every process gets scripts/sanitizers/tsan-mutex.c preloaded: it
# shows TSan the hand-over of a contended Synchronization.Mutex (see that file).
tsan_mutex="$work/tsan-mutex.so"
clang -shared -fPIC -O2 -Wall -Wextra -Werror -o "$tsan_mutex" scripts/sanitizers/tsan-mutex.c -ldl

# sanitizer_env SANITIZER [LOG_PREFIX] prints the environment (NAME=VALUE words) a
# process under SANITIZER runs with; with LOG_PREFIX, reports go to LOG_PREFIX.PID files
# instead of standard error.
sanitizer_env() {
    local log=""
    [ $# -lt 2 ] || log=":log_path=$2"
    case "$1" in
        thread)
            # second_deadlock_stack: both stacks of a lock-order inversion.
            echo "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1$log LD_PRELOAD=$tsan_mutex"
            ;;
        address)
            # LeakSanitizer is part of ASan on Linux and on by default; named so that it
            # is plain that a leak fails the run too. lsan.supp: leaks proven not barkd's.
            echo "ASAN_OPTIONS=halt_on_error=1:detect_leaks=1$log LSAN_OPTIONS=suppressions=$PWD/scripts/sanitizers/lsan.supp"
            ;;
    esac
}

status=0
for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        thread) scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
    esac
    started=$SECONDS
    echo "== swift build -sanitize=$sanitizer ($scratch)" >&2
    swift build --build-tests -Xswiftc "-sanitize=$sanitizer" --scratch-path "$scratch"
    built=$SECONDS
    echo "== swift test under -sanitize=$sanitizer" >&2
    result=passed
    # shellcheck disable=SC2046 # sanitizer_env prints separate NAME=VALUE words
    if ! env $(sanitizer_env "$sanitizer") swift test --skip-build --no-parallel --scratch-path "$scratch"; then
        result=FAILED
        status=1
    fi
    tested=$SECONDS
    if $integration; then
        bin="$scratch/debug"
        if [ "$sanitizer" = address ]; then
            # A release build: the debug one takes ~8 s to take in a 2 MiB upload under
            # ASan, longer than the tests' 5 s socket timeout.
            echo "== swift build -c release -sanitize=$sanitizer: barkd, barkd-parse" >&2
            for product in barkd barkd-parse; do
                swift build -c release -Xswiftc "-sanitize=$sanitizer" --scratch-path "$scratch" --product "$product"
            done
            bin="$scratch/release"
        fi
        echo "== integration tests against the -sanitize=$sanitizer barkd" >&2
        reports="$work/$sanitizer-reports"
        mkdir -p "$reports"
        # shellcheck disable=SC2046 # sanitizer_env prints separate NAME=VALUE words
        if ! env $(sanitizer_env "$sanitizer" "$reports/report") \
            BARKD_BIN="$PWD/$bin/barkd" BARKD_PARSE_BIN="$PWD/$bin/barkd-parse" \
            BARKD_EXPECTED_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
            "$venv/bin/python" -m pytest -q -p no:cacheprovider \
            Tests/IntegrationTests/test_http.py Tests/IntegrationTests/test_gif_app.py; then
            result=FAILED
            status=1
        fi
        # Each barkd writes its reports (and its leak check at exit) to a file of its own.
        if compgen -G "$reports/report.*" >/dev/null; then
            echo "sanitizer reports from the barkd processes:" >&2
            cat "$reports"/report.* >&2
            result=FAILED
            status=1
        fi
    fi
    timings="build $((built - started)) s, swift test $((tested - built)) s"
    if $integration; then timings="$timings, integration $((SECONDS - tested)) s"; fi
    echo "== -sanitize=$sanitizer: $result ($timings)" >&2
done
exit "$status"
