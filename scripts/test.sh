#!/usr/bin/env bash
# Builds barkd and runs every test: the Swift unit and loop tests (swift test), then the
# integration tests (pytest) against the real binary. Fails on any compiler warning in
# barkd's own code.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_ensure "${BARKD_BUILD_PACKAGES[@]}" python3 python3-venv git curl

venv=.tools/venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! cmp -s Tests/IntegrationTests/requirements.txt "$venv/.requirements" 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check -r Tests/IntegrationTests/requirements.txt
    cp Tests/IntegrationTests/requirements.txt "$venv/.requirements"
fi

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
echo "== swift build" >&2
swift build --build-tests 2>&1 | tee "$build_log"
if grep -E "^/.*/(Sources|Tests|Plugins)/.*: warning:" "$build_log" | grep -v "/.build" ; then
    echo "compiler warnings in barkd's code (see above): failing" >&2
    exit 1
fi

echo "== swift test" >&2
swift test --skip-build

echo "== integration tests" >&2
bin=$(swift build --show-bin-path)
BARKD_BIN="$bin/barkd" BARKD_PARSE_BIN="$bin/barkd-parse" BARKD_EXPECTED_COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider Tests/IntegrationTests
