#!/usr/bin/env bash
# Builds the real container image from containers/Dockerfile and runs it and the compose
# stack here, under podman (there is no Docker engine and no registry on this machine):
#   1. stand-ins for the base images the Dockerfile and compose.yaml name
#      (scripts/container-standins.sh);
#   2. podman build of containers/Dockerfile as it is, --pull=never, with the host's Swift
#      toolchain and package mirror mounted read-only for the build stage;
#   3. Tests/ContainerTests: the image as a user runs it (non-root, HEALTHCHECK, commit in
#      /healthcheck, SIGTERM to PID 1, read-only root with the data volume, libraries,
#      exit 2 on bad configuration) and containers/compose.yaml through podman's
#      Docker-compatible API with containers/smoke.sh.
# Skips (exit 0, one SKIP line) only where podman cannot run containers at all.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# shellcheck source=scripts/podman-lib.sh
. scripts/podman-lib.sh

if ! apt_ensure "${BARKD_PODMAN_PACKAGES[@]}" python3 python3-venv openssl curl git; then
    echo "SKIP: container tests: podman cannot be installed here" >&2
    exit 0
fi
podman_setup .tools/podman
if reason=$(podman_unusable); then
    echo "SKIP: container tests: podman cannot run containers here: $reason" >&2
    exit 0
fi

scripts/container-standins.sh
venv=.tools/container-venv
install_venv "$venv" Tests/ContainerTests/requirements.txt

# The build stage's toolchain and package mirror come from this machine.
# (swift is a link to swift-driver: the toolchain is the folder above usr/bin.)
swift_bin=$(readlink -f "$(command -v swift)")
toolchain=${swift_bin%/usr/bin/*}
mirror=$(git config --get-regexp '^url\..*\.insteadof$' 'https://github.com/' | head -1 | sed -E 's/^url\.(.*)\.insteadof .*/\1/')
mirror=${mirror%/}
[ -d "$toolchain/usr/bin" ] || { echo "check-containers: no Swift toolchain found at $toolchain" >&2; exit 1; }
mounts=(--volume "$toolchain:/opt/swift:ro")
if [ -n "$mirror" ] && [ -d "$mirror" ]; then
    mounts+=(--volume "$mirror:/opt/swift-packages:ro")
else
    echo "check-containers: no local Swift package mirror (git url.*.insteadOf https://github.com/); the build fetches from GitHub" >&2
fi

commit=$(git rev-parse HEAD)
version=$(sed -nE 's/^appVersion: *"?([^"]+)"?$/\1/p' charts/barkd/Chart.yaml)
image=localhost/barkd:check
echo "== podman build -f containers/Dockerfile (commit $commit, version $version)" >&2
started=$(date +%s)
podman build --pull=never --format docker "${PODMAN_ULIMITS[@]}" "${mounts[@]}" \
    --build-arg BARKD_VERSION="$version" \
    --build-arg BARKD_COMMIT_SHA="$commit" \
    --build-arg SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" \
    -f containers/Dockerfile -t "$image" . > .tools/podman/build.log 2>&1 \
    || { tail -40 .tools/podman/build.log >&2; echo "check-containers: podman build failed (log: .tools/podman/build.log)" >&2; exit 1; }
echo "built $image in $(( $(date +%s) - started )) s: $(podman image inspect "$image" --format '{{.Size}}') bytes" >&2

echo "== Tests/ContainerTests" >&2
BARKD_TEST_IMAGE="$image" BARKD_EXPECTED_COMMIT="$commit" BARKD_COMPOSE="$PWD/$venv/bin/docker-compose" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider -rP Tests/ContainerTests
