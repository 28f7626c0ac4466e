#!/usr/bin/env bash
# Deletes the tags of a Docker Hub repository that were last pushed more than N days ago
# (default 7), except the tags something may still pull: `latest`, the current appVersion
# (the chart's default tag, read from charts/barkd/Chart.yaml), every tag a kept chart
# version points at (--keep-tags-from-index) and every tag given with --keep-tag (e.g. the
# images running in the cluster). A dry run (the default) only lists them; --apply deletes.
#
#   DOCKERHUB_USERNAME=... DOCKERHUB_TOKEN=... \
#     scripts/cleanup/docker-hub-tags.sh --repository user/barkd [--days 7] \
#       [--keep-tags-from-index gh-pages/index.yaml] [--keep-tag TAG ...] [--apply]
#
# Options:
#   --repository NS/NAME          the repository (or DOCKERHUB_REPOSITORY)
#   --days N                      age limit in days (default 7)
#   --keep-tag TAG                never delete TAG (repeatable; --protect is the same)
#   --keep-tags-from-index FILE   never delete a tag a chart version in this chart repository
#                                 index.yaml deploys (repeatable; see chart-image-tags.py);
#                                 an index without a barkd version is an error
#   --chart-yaml FILE             Chart.yaml whose appVersion is kept (default: this
#                                 repository's charts/barkd/Chart.yaml)
#   --dry-run                     only list what would be deleted (the default)
#   --apply                       delete for real
#   --api URL                     Docker Hub API base (default https://hub.docker.com; tests use a stand-in)
# Exit status: 0 done, 1 an API call failed or a kept-tag source could not be read, 2 usage
# or missing credentials. Needs curl, jq and python3 with PyYAML (PYTHON names another).
set -euo pipefail

api="${DOCKERHUB_API:-https://hub.docker.com}"
repository="${DOCKERHUB_REPOSITORY:-}"
days=7
apply=false
keep=(latest)
indexes=()
here=$(cd "$(dirname "$0")" && pwd)
chart_yaml="$here/../../charts/barkd/Chart.yaml"
python=${PYTHON:-python3}

usage() {
    sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "cleanup-docker-hub-tags: $1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --repository) [ $# -ge 2 ] || usage; repository=$2; shift 2 ;;
        --days) [ $# -ge 2 ] || usage; days=$2; shift 2 ;;
        --keep-tag|--protect) [ $# -ge 2 ] || usage; keep+=("$2"); shift 2 ;;
        --keep-tags-from-index) [ $# -ge 2 ] || usage; indexes+=("$2"); shift 2 ;;
        --chart-yaml) [ $# -ge 2 ] || usage; chart_yaml=$2; shift 2 ;;
        --api) [ $# -ge 2 ] || usage; api=$2; shift 2 ;;
        --apply) apply=true; shift ;;
        --dry-run) apply=false; shift ;;
        -h|--help) usage ;;
        *) echo "cleanup-docker-hub-tags: unknown argument '$1'" >&2; usage ;;
    esac
done
for tool in curl jq; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required" 2
done
[[ "$repository" =~ ^[a-z0-9]+([._-][a-z0-9]+)*/[a-z0-9]+([._-][a-z0-9]+)*$ ]] \
    || die "--repository must be namespace/name (got '${repository}')" 2
if ! [[ "$days" =~ ^[0-9]+$ ]] || [ "$days" -lt 1 ]; then
    die "--days must be a whole number of days, at least 1 (got '$days')" 2
fi

# Every tag to keep, gathered before any API call: a source that cannot be read stops the
# run, so nothing is deleted on a partial list.
"$python" -c 'import yaml' 2>/dev/null || die "$python with PyYAML is required (apt install python3-yaml)" 2
app_version=$("$python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["appVersion"])' "$chart_yaml" 2>/dev/null) \
    || die "cannot read appVersion from $chart_yaml (--chart-yaml)" 2
keep+=("$app_version")
for index in "${indexes[@]}"; do
    tags=$("$python" "$here/chart-image-tags.py" "$index") || die "cannot read the tags of the chart versions in $index"
    mapfile -t -O "${#keep[@]}" keep <<< "$tags"
done
declare -A kept=()
for tag in "${keep[@]}"; do [ -z "$tag" ] || kept[$tag]=1; done
echo "kept whatever their age: $(printf '%s\n' "${!kept[@]}" | sort | tr '\n' ' ')" >&2

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
            if [ -n "${kept[$name]:-}" ]; then
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
