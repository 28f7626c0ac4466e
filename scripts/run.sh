#!/usr/bin/env bash
# Builds barkd (release) and runs it in the foreground. Extra arguments go to barkd,
# e.g. scripts/run.sh --port 8080. Defaults: 127.0.0.1:5000, embedded storage.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_ensure "${BARKD_BUILD_PACKAGES[@]}"
swift build -c release --product barkd >&2
exec "$(swift build -c release --show-bin-path)/barkd" "$@"
