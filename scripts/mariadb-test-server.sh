#!/usr/bin/env bash
# A throwaway MariaDB server for tests, in its own data directory, on 127.0.0.1 and a
# free port; never the system's service.
#
#   scripts/mariadb-test-server.sh start DIR   # prints mariadb://barkd@127.0.0.1:PORT/barkd_test
#   scripts/mariadb-test-server.sh stop DIR    # stops the server started in DIR (by its PID)
#
# `start` initialises DIR/data, runs mariadbd in the background (PID in DIR/mariadbd.pid,
# log in DIR/error.log), creates the database `barkd_test` and the user
# 'barkd'@'127.0.0.1' with a random password written to DIR/password. The user may
# also create and drop databases named barkd_test_* (one per test case). DIR/url holds
# the printed URL; the server offers TLS with the self-signed certificate DIR/ca.pem, or,
# when the caller put them there before `start`, with DIR/server-cert.pem and
# DIR/server-key.pem (TLS tests with a CA of their own).
# Starting again after `stop` (outage tests) keeps the data, the port, the password and
# the certificate. Needs Debian's mariadb-server, mariadb-client and openssl.
set -euo pipefail

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
command=$1
dir=$2

# free_port prints a TCP port that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# admin SQL... runs statements as root over the server's own socket.
admin() {
    mariadb --no-defaults --protocol=socket --socket="$dir/sock" -uroot -e "$1"
}

stop_server() {
    local pid_file="$dir/mariadbd.pid"
    [ -f "$pid_file" ] || return 0
    local pid
    pid=$(cat "$pid_file")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "mariadbd $pid did not stop within 10 s: killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pid_file"
}

start_server() {
    local tool
    for tool in mariadb-install-db mariadbd mariadb mariadb-admin openssl python3; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "$0 needs $tool (apt-get install mariadb-server mariadb-client openssl python3)" >&2
            exit 1
        }
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/mariadbd.pid" ] && kill -0 "$(cat "$dir/mariadbd.pid")" 2>/dev/null; then
        echo "a test MariaDB already runs in $dir" >&2
        exit 1
    fi
    local run_user=mysql
    if [ "$(id -u)" -eq 0 ]; then
        # mariadbd drops to the mysql user: it must reach DIR (often a 0700 mktemp dir).
        chown mysql:mysql "$dir"
    else
        run_user=$(id -un)
    fi
    if [ ! -d "$dir/data/mysql" ]; then
        mariadb-install-db --no-defaults --user="$run_user" --datadir="$dir/data" \
            --skip-test-db --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 || {
            cat "$dir/install.log" >&2
            exit 1
        }
    fi

    # A self-signed certificate for 127.0.0.1, so tests can use tls=required and
    # tls=verify-identity&tls-ca=DIR/ca.pem (the certificate is its own CA), unless the
    # caller brought a certificate of its own.
    local ssl_cert="$dir/ca.pem" ssl_key="$dir/key.pem"
    if [ -s "$dir/server-cert.pem" ] && [ -s "$dir/server-key.pem" ]; then
        ssl_cert="$dir/server-cert.pem"
        ssl_key="$dir/server-key.pem"
        if [ "$(id -u)" -eq 0 ]; then
            chown mysql:mysql "$ssl_key"
        fi
    elif [ ! -s "$dir/ca.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
            -addext "subjectAltName=IP:127.0.0.1" -keyout "$dir/key.pem" -out "$dir/ca.pem" >/dev/null 2>&1
        if [ "$(id -u)" -eq 0 ]; then
            chown mysql:mysql "$dir/key.pem"
        fi
    fi

    local port attempt
    for attempt in 1 2 3; do
        # A restart keeps the port of the first start, so clients can reconnect.
        if [ -s "$dir/port" ]; then
            port=$(cat "$dir/port")
        else
            port=$(free_port)
        fi
        mariadbd --no-defaults --user="$run_user" --datadir="$dir/data" --socket="$dir/sock" \
            --port="$port" --bind-address=127.0.0.1 --skip-log-bin --skip-name-resolve \
            --pid-file="$dir/server.pid" --log-error="$dir/error.log" --max-connections=500 \
            --innodb-buffer-pool-size=64M --ssl-cert="$ssl_cert" --ssl-key="$ssl_key" \
            </dev/null >/dev/null 2>&1 &
        echo $! >"$dir/mariadbd.pid"
        local waited=0
        while [ "$waited" -lt 300 ]; do
            if mariadb-admin --no-defaults --protocol=socket --socket="$dir/sock" -uroot ping >/dev/null 2>&1; then
                break 2
            fi
            if ! kill -0 "$(cat "$dir/mariadbd.pid")" 2>/dev/null; then
                break
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
        if [ -s "$dir/port" ] && [ "$attempt" -ge 2 ]; then
            rm -f "$dir/port"
        fi
        echo "mariadbd did not come up on port $port (attempt $attempt); log:" >&2
        tail -n 20 "$dir/error.log" >&2 || true
        stop_server
    done
    if [ ! -f "$dir/mariadbd.pid" ]; then
        echo "could not start a test MariaDB in $dir" >&2
        exit 1
    fi

    printf '%s\n' "$port" >"$dir/port"
    local password
    if [ -s "$dir/password" ]; then
        password=$(cat "$dir/password")
    else
        password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
        (umask 077 && printf '%s' "$password" >"$dir/password")
    fi
    admin "CREATE DATABASE IF NOT EXISTS barkd_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
           CREATE OR REPLACE USER 'barkd'@'127.0.0.1' IDENTIFIED BY '$password';
           GRANT ALL PRIVILEGES ON \`barkd\\_test%\`.* TO 'barkd'@'127.0.0.1';"
    local url="mariadb://barkd@127.0.0.1:$port/barkd_test"
    printf '%s\n' "$url" >"$dir/url"
    printf '%s\n' "$url"
}

case "$command" in
    start) start_server ;;
    stop) stop_server ;;
    *) usage ;;
esac
