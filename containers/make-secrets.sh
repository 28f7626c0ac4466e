#!/usr/bin/env bash
# Writes the secret files containers/compose.yaml mounts: db_password, db_root_password
# and admin_token, each a fresh random value (openssl rand -hex 24), into DIR (default
# containers/secrets, ignored by git). Existing files are kept unless --force is given.
# The folder is 0700 (only its owner on the host can reach the files); the files are 0644
# so the containers' own users (barkd runs as 10001, MariaDB as mysql) can read them
# through their read-only bind mounts.
#   containers/make-secrets.sh [--force] [DIR]
set -euo pipefail
force=false
if [ "${1:-}" = --force ]; then force=true; shift; fi
dir=${1:-"$(dirname "$0")/secrets"}
command -v openssl > /dev/null 2>&1 || { echo "make-secrets: openssl is required" >&2; exit 2; }
mkdir -p "$dir"
chmod 0700 "$dir"
for name in db_password db_root_password admin_token; do
    file="$dir/$name"
    if [ -s "$file" ] && ! $force; then
        echo "make-secrets: keeping $file" >&2
        continue
    fi
    (umask 022 && openssl rand -hex 24 | tr -d '\n' > "$file")
    echo "make-secrets: wrote $file" >&2
done
