# shellcheck shell=bash
# Podman set-up shared by scripts/container-standins.sh and scripts/check-containers.sh
# (sourced, not executed). barkd's container tests use a podman of their own: their own
# image store under .tools/podman (so the stand-in base images never shadow real ones
# elsewhere on the machine) and a containers.conf with what this kind of host needs —
# runc (crun refuses hybrid cgroups), explicit ulimits at the hard limits (the defaults
# are refused), and netavark with aardvark-dns, so compose services find each other by name.

# shellcheck disable=SC2034 # used by the scripts that source this file
BARKD_PODMAN_PACKAGES=(podman runc netavark aardvark-dns debootstrap tar iproute2)

# podman_setup ROOT: writes ROOT/containers.conf and ROOT/storage.conf and exports
# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF, so every podman started from here (and
# from the tests) uses them.
podman_setup() {
    local root=$1 run
    mkdir -p "$root/storage" "$root/networks"
    root=$(cd "$root" && pwd)
    # Run-time state beside no other store's: one folder per store (two checkouts' tests
    # may run at once).
    run="/tmp/barkd-podman-run-$(id -u)-$(printf '%s' "$root" | md5sum | cut -c1-12)"
    mkdir -p "$run"
    local nofile nproc
    nofile=$(ulimit -Hn)
    nproc=$(ulimit -Hu)
    [ "$nofile" != unlimited ] || nofile=1048576
    # runc's setrlimit of nproc above 32768 is refused on this kind of host (measured:
    # 32768 starts, 32769 and the hard limit of 96362 fail with EPERM).
    if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
    cat > "$root/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
tmp_dir = "$run/libpod"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
network_config_dir = "$root/networks"
# Not 10.88.0.0/16: the Debian package's CNI bridge claims that range on the host.
default_subnet = "10.89.240.0/24"
CONF
    cat > "$root/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$root/storage"
runroot = "$run/storage"
CONF
    # podman build does not apply default_ulimits to its RUN steps: pass these to it.
    PODMAN_ULIMITS=(--ulimit "nofile=${nofile}:${nofile}" --ulimit "nproc=${nproc}:${nproc}")
    export CONTAINERS_CONF="$root/containers.conf"
    export CONTAINERS_STORAGE_CONF="$root/storage.conf"
}

# podman_unusable: prints why podman cannot run containers here and succeeds, or fails
# (prints nothing) when it can.
podman_unusable() {
    if ! command -v podman >/dev/null 2>&1; then
        echo "podman is not installed"
        return 0
    fi
    local info
    if ! info=$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1); then
        echo "podman info fails: $(printf '%s' "$info" | tail -1)"
        return 0
    fi
    return 1
}
