#!/bin/bash
# The first-start part of the official image's entrypoint that compose.yaml relies on.
set -euo pipefail

secret() { # secret NAME: $NAME, or the content of the file $NAME_FILE
    local name=$1 file_var="${1}_FILE"
    if [ -n "${!file_var:-}" ]; then
        cat "${!file_var}"
    else
        printf '%s' "${!name:-}"
    fi
}
sql_string() { # a single-quoted SQL string literal
    printf "'%s'" "$(printf '%s' "$1" | sed "s/\\\\/\\\\\\\\/g; s/'/''/g")"
}

datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
    root_password=$(secret MARIADB_ROOT_PASSWORD)
    user_password=$(secret MARIADB_PASSWORD)
    [ -n "$root_password" ] || { echo "stand-in entrypoint: MARIADB_ROOT_PASSWORD(_FILE) is required" >&2; exit 1; }
    echo "stand-in entrypoint: initialising $datadir" >&2
    mariadb-install-db --no-defaults --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal > /dev/null
    mariadbd --no-defaults --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
    pid=$!
    for _ in $(seq 100); do
        mariadb-admin --socket=/run/mysqld/init.sock -uroot ping > /dev/null 2>&1 && break
        sleep 0.2
    done
    health_password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    {
        echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$root_password");"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$root_password");"
        echo "CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '$health_password';"
        if [ -n "${MARIADB_DATABASE:-}" ]; then
            echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
        fi
        if [ -n "${MARIADB_USER:-}" ] && [ -n "$user_password" ]; then
            echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY $(sql_string "$user_password");"
            [ -z "${MARIADB_DATABASE:-}" ] || echo "GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"
        fi
    } | mariadb --socket=/run/mysqld/init.sock -uroot
    printf '[mariadb-client]\nuser=healthcheck\npassword=%s\nsocket=/run/mysqld/mysqld.sock\n' "$health_password" > "$datadir/.my-healthcheck.cnf"
    chmod 0600 "$datadir/.my-healthcheck.cnf"
    kill "$pid"
    wait "$pid" || true
    echo "stand-in entrypoint: initialised" >&2
fi
if [ "${1:-}" = mariadbd ]; then
    shift
    exec mariadbd --no-defaults --datadir="$datadir" --socket=/run/mysqld/mysqld.sock \
        --bind-address=0.0.0.0 --port=3306 --skip-log-bin "$@"
fi
exec "$@"
