#!/bin/bash
# The two checks of the official image's healthcheck.sh that compose.yaml uses:
#   --connect              the server accepts a client connection
#   --innodb_initialized   InnoDB is up
set -euo pipefail
client=(mariadb --defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf --batch --skip-column-names)
[ $# -gt 0 ] || set -- --connect
for check in "$@"; do
    case "$check" in
        --connect) "${client[@]}" -e 'SELECT 1' > /dev/null ;;
        --innodb_initialized)
            answer=$("${client[@]}" -e "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT', 'ENABLED')")
            [ "$answer" = 1 ] ;;
        *) echo "healthcheck.sh stand-in: unsupported check $check" >&2; exit 2 ;;
    esac
done
