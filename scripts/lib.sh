# shellcheck shell=bash
# Shared set-up for scripts/run.sh, scripts/test.sh and scripts/sanitizers.sh (sourced,
# not executed).
# Installs what is missing on a fresh Debian machine; does nothing when all is there.

# The Swift toolchain lives in /opt/swift on our machine image; put it on PATH if needed.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "barkd needs the Swift 6 toolchain (swift.org) on PATH" >&2
    exit 1
fi

# apt_ensure PKG... installs the Debian packages that are not installed yet.
apt_ensure() {
    local missing=()
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Libraries barkd links against.
# shellcheck disable=SC2034 # used by the scripts that source this file
BARKD_BUILD_PACKAGES=(pkg-config libsystemd-dev libsqlite3-dev libmariadb-dev)

# install_venv DIR REQUIREMENTS: a Python venv in DIR (under the ignored .tools/) holding
# exactly REQUIREMENTS; reinstalls only when the requirements file changed.
install_venv() {
    local venv=$1 requirements=$2
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv" || return 1
    fi
    if ! cmp -s "$requirements" "$venv/.requirements" 2>/dev/null; then
        echo "installing $requirements into $venv" >&2
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || return 1
        cp "$requirements" "$venv/.requirements"
    fi
}

# start_test_mariadb DIR starts a throwaway MariaDB in DIR (scripts/mariadb-test-server.sh)
# and exports what the tests read to reach it: BARKD_TEST_MARIADB_URL and
# BARKD_TEST_MARIADB_PASSWORD_FILE. Stop it with stop_test_mariadb DIR.
start_test_mariadb() {
    local dir=$1
    BARKD_TEST_MARIADB_URL=$(scripts/mariadb-test-server.sh start "$dir") || return 1
    BARKD_TEST_MARIADB_PASSWORD_FILE="$dir/password"
    export BARKD_TEST_MARIADB_URL BARKD_TEST_MARIADB_PASSWORD_FILE
}

# stop_test_mariadb DIR stops the MariaDB started in DIR (by its PID), if it runs.
stop_test_mariadb() {
    scripts/mariadb-test-server.sh stop "$1" >/dev/null 2>&1 || true
}
