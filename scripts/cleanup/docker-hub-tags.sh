#!/usr/bin/env bash
# Deletes the tags of a Docker Hub repository that were last pushed more than N days ago
# (default 7). A dry run (the default) only lists them; --apply deletes them.
#
#   DOCKERHUB_USERNAME=... DOCKERHUB_TOKEN=... \
#     scripts/cleanup/docker-hub-tags.sh --repository user/barkd [--days 7] [--apply]
#
# Options:
#   --repository NS/NAME  the repository (or DOCKERHUB_REPOSITORY)
#   --days N              age limit in days (default 7)
#   --protect TAG         never delete TAG (repeatable; default: latest)
#   --dry-run             only list what would be deleted (the default)
#   --apply               delete for real
#   --api URL             Docker Hub API base (default https://hub.docker.com; tests use a stand-in)
# Exit status: 0 done, 1 an API call failed, 2 usage or missing credentials.
# Needs curl and jq.
set -euo pipefail

api="${DOCKERHUB_API:-https://hub.docker.com}"
repository="${DOCKERHUB_REPOSITORY:-}"
days=7
apply=false
protect=()

usage() {
    sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "cleanup-docker-hub-tags: $1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --repository) [ $# -ge 2 ] || usage; repository=$2; shift 2 ;;
        --days) [ $# -ge 2 ] || usage; days=$2; shift 2 ;;
        --protect) [ $# -ge 2 ] || usage; protect+=("$2"); shift 2 ;;
        --api) [ $# -ge 2 ] || usage; api=$2; shift 2 ;;
        --apply) apply=true; shift ;;
        --dry-run) apply=false; shift ;;
        -h|--help) usage ;;
        *) echo "cleanup-docker-hub-tags: unknown argument '$1'" >&2; usage ;;
    esac
done
[ ${#protect[@]} -gt 0 ] || protect=(latest)

for tool in curl jq; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required" 2
done
[[ "$repository" =~ ^[a-z0-9]+([._-][a-z0-9]+)*/[a-z0-9]+([._-][a-z0-9]+)*$ ]] \
    || die "--repository must be namespace/name (got '${repository}')" 2
if ! [[ "$days" =~ ^[0-9]+$ ]] || [ "$days" -lt 1 ]; then
    die "--days must be a whole number of days, at least 1 (got '$days')" 2
fi
[ -n "${DOCKERHUB_USERNAME:-}" ] || die "DOCKERHUB_USERNAME is not set (the Docker Hub user that owns $repository)" 2
[ -n "${DOCKERHUB_TOKEN:-}" ] || die "DOCKERHUB_TOKEN is not set (a Docker Hub access token with delete permission)" 2
api=${api%/}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# call METHOD URL [BODY]: the response body on stdout; fails on any non-2xx status.
call() {
    local method=$1 url=$2 body=${3:-} status
    local args=(--silent --show-error --max-time 30 --request "$method" --output "$workdir/body" --write-out '%{http_code}')
    [ -z "${token:-}" ] || args+=(--header @"$workdir/auth")
    if [ -n "$body" ]; then
        args+=(--header "Content-Type: application/json" --data @-)
        status=$(printf '%s' "$body" | curl "${args[@]}" "$url") || die "$method $url: request failed"
    else
        status=$(curl "${args[@]}" "$url") || die "$method $url: request failed"
    fi
    case "$status" in
        2??) cat "$workdir/body" ;;
        401|403) die "$method $url: HTTP $status: check DOCKERHUB_USERNAME and DOCKERHUB_TOKEN" ;;
        *) die "$method $url: HTTP $status: $(head -c 300 "$workdir/body")" ;;
    esac
}

login=$(jq -n --arg u "$DOCKERHUB_USERNAME" --arg p "$DOCKERHUB_TOKEN" '{username: $u, password: $p}')
token=""
token=$(call POST "$api/v2/users/login" "$login" | jq -r '.token // empty')
[ -n "$token" ] || die "login answered without a token"
# The token goes to curl through a file, never on a command line.
printf 'Authorization: JWT %s\n' "$token" > "$workdir/auth"

cutoff=$(( $(date +%s) - days * 86400 ))
url="$api/v2/repositories/$repository/tags?page_size=100"
old=()
total=0
while [ -n "$url" ]; do
    page=$(call GET "$url")
    while IFS=$'\t' read -r name pushed; do
        [ -n "$name" ] || continue
        total=$((total + 1))
        when=$(date -u -d "$pushed" +%s 2>/dev/null) || die "tag $name: unreadable push time '$pushed'"
        if [ "$when" -lt "$cutoff" ]; then
            keep=false
            for protected in "${protect[@]}"; do [ "$name" = "$protected" ] && keep=true; done
            if $keep; then
                echo "keep (protected): $name (pushed $pushed)" >&2
            else
                old+=("$name")
                echo "old: $name (pushed $pushed)" >&2
            fi
        fi
    done < <(printf '%s' "$page" | jq -r '.results[] | [.name, (.tag_last_pushed // .last_updated)] | @tsv')
    url=$(printf '%s' "$page" | jq -r '.next // empty')
    # Follow pagination only on the same API host.
    if [ -n "$url" ] && [[ "$url" != "$api/"* ]]; then
        die "refusing to follow a next page on another host: $url"
    fi
done

echo "$repository: ${#old[@]} of $total tags are older than $days days" >&2
if ! $apply; then
    [ ${#old[@]} -eq 0 ] || echo "dry run: nothing deleted (pass --apply to delete ${old[*]})" >&2
    exit 0
fi
for name in "${old[@]}"; do
    call DELETE "$api/v2/repositories/$repository/tags/$name/" >/dev/null
    echo "deleted: $name" >&2
done
