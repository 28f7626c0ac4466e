#!/usr/bin/env bash
# Builds barkd and runs every test: the Swift unit and loop tests (swift test), the
# integration tests (pytest) against the real binary, the deployment and monitoring
# checks, and the real container image and compose stack under podman. Fails on any
# compiler warning in barkd's own code.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_ensure "${BARKD_BUILD_PACKAGES[@]}" python3 python3-venv git curl mariadb-server mariadb-client chromium chromium-driver openssl prometheus slowhttptest

venv=.tools/venv
install_venv "$venv" Tests/IntegrationTests/requirements.txt

build_log=$(mktemp)
mariadb_dir=$(mktemp -d /tmp/barkd-test-mariadb.XXXXXX)
cleanup() {
    stop_test_mariadb "$mariadb_dir"
    rm -rf "$mariadb_dir" "$build_log"
}
trap cleanup EXIT
echo "== swift build" >&2
# Every module a target imports must be one of its declared dependencies.
swift build --build-tests --explicit-target-dependency-import-check=error 2>&1 | tee "$build_log"
if grep -E "^/.*/(Sources|Tests|Plugins)/.*: warning:" "$build_log" | grep -v "/.build" ; then
    echo "compiler warnings in barkd's code (see above): failing" >&2
    exit 1
fi
# ...and every module it imports, C targets and other packages' products included.
swift package dump-package | scripts/check-imports.py

echo "== starting a test MariaDB" >&2
start_test_mariadb "$mariadb_dir"

echo "== swift test" >&2
swift test --skip-build
FUZZ_PYTHON="$venv/bin/python" scripts/fuzz.sh  # 5 harnesses and the h11 differential, FUZZ_SECONDS (30) each

echo "== release build (the attack and flood tests run what users run)" >&2
swift build -c release --product barkd

echo "== integration tests" >&2
bin=$(swift build --show-bin-path)
BARKD_BIN="$bin/barkd" BARKD_PARSE_BIN="$bin/barkd-parse" BARKD_RELEASE_BIN="$(swift build -c release --show-bin-path)/barkd" \
    BARKD_EXPECTED_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/IntegrationTests
BARKD_BIN="$bin/barkd" scripts/check-deploy.sh
BARKD_BIN="$bin/barkd" scripts/check-monitoring.sh
scripts/check-containers.sh
