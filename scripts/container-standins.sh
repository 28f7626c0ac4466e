#!/usr/bin/env bash
# Builds local stand-ins for the base images containers/Dockerfile and
# containers/compose.yaml name, which this machine cannot pull (no registry is reachable),
# and tags them with exactly those names in barkd's own podman store (.tools/podman):
#   docker.io/library/debian:bookworm-slim  debootstrap --variant=minbase bookworm
#   docker.io/library/swift:6.3-bookworm    that root + the official image's packages; the
#                                           toolchain and package mirror are mounted at build
#   docker.io/library/mariadb:11.4          that root + Debian's MariaDB and an entrypoint
#                                           with the official image's variables and healthcheck.sh
# An image already present is kept unless --rebuild is given.
#   scripts/container-standins.sh [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
# shellcheck source=scripts/podman-lib.sh
. scripts/podman-lib.sh

rebuild=false
[ "${1:-}" != --rebuild ] || rebuild=true

apt_ensure "${BARKD_PODMAN_PACKAGES[@]}"
podman_setup .tools/podman

debian=docker.io/library/debian:bookworm-slim
swift=docker.io/library/swift:6.3-bookworm
mariadb=docker.io/library/mariadb:11.4
standins=Tests/ContainerTests/standins

present() { ! $rebuild && podman image exists "$1"; }

build() { # build TAG CONTAINERFILE: the build's output goes to a log, shown on failure.
    local log=.tools/podman/standin-build.log
    podman build --pull=never --format docker "${PODMAN_ULIMITS[@]}" -f "$standins/$2" -t "$1" "$standins" > "$log" 2>&1 \
        || { tail -40 "$log" >&2; echo "stand-ins: building $1 failed (log: $log)" >&2; exit 1; }
}

# The Debian mirror apt uses here (deb822 or one-line sources), for debootstrap.
debian_mirror() {
    local uri
    uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
    [ -n "$uri" ] || uri=$(grep -hE '^deb +http' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}

if ! present "$debian"; then
    root=$(mktemp -d /tmp/barkd-debootstrap.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    mirror=$(debian_mirror)
    echo "stand-ins: debootstrap --variant=minbase bookworm from $mirror" >&2
    debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 \
        || { tail -20 "$root.log" >&2; exit 1; }
    rm -f "$root.log"
    # What the slim image trims: apt lists and caches, documentation.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
    tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$debian" > /dev/null
    rm -rf "$root"
    trap - EXIT
    echo "stand-ins: $debian imported" >&2
fi

if ! present "$swift"; then
    echo "stand-ins: building $swift" >&2
    build "$swift" swift.Containerfile
fi
if ! present "$mariadb"; then
    echo "stand-ins: building $mariadb" >&2
    build "$mariadb" mariadb.Containerfile
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^($debian|$swift|$mariadb) " >&2
