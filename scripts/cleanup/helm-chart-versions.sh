#!/usr/bin/env bash
# Keeps the newest N versions (default 3) of each chart in a GitHub Pages chart
# repository checkout (the gh-pages branch), deletes the older packages and rebuilds
# index.yaml with `helm repo index`. A dry run (the default) only lists what would go.
#
#   scripts/cleanup/helm-chart-versions.sh --repo-dir gh-pages --url https://user.github.io/barkd [--keep 3] [--apply [--push]]
#
# Options:
#   --repo-dir DIR   a git checkout of the chart repository (packages at its top level)
#   --url URL        the repository's public URL (the prefix of the packages in index.yaml)
#   --keep N         versions to keep per chart (default 3)
#   --chart NAME     only this chart (default: every chart in the directory)
#   --dry-run        only list what would be deleted (the default)
#   --apply          delete, rebuild index.yaml and commit
#   --push           with --apply: push the commit to the checkout's origin
# Exit status: 0 done, 1 a step failed, 2 usage or a missing tool or credentials.
# Needs git and helm (HELM names another helm binary).
set -euo pipefail

repo_dir=""
url=""
keep=3
chart=""
apply=false
push=false
helm=${HELM:-helm}

usage() {
    sed -n '2,/^set /{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "cleanup-helm-chart-versions: $1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --repo-dir) [ $# -ge 2 ] || usage; repo_dir=$2; shift 2 ;;
        --url) [ $# -ge 2 ] || usage; url=$2; shift 2 ;;
        --keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
        --chart) [ $# -ge 2 ] || usage; chart=$2; shift 2 ;;
        --apply) apply=true; shift ;;
        --dry-run) apply=false; shift ;;
        --push) push=true; shift ;;
        -h|--help) usage ;;
        *) echo "cleanup-helm-chart-versions: unknown argument '$1'" >&2; usage ;;
    esac
done

[ -n "$repo_dir" ] || die "--repo-dir is required" 2
[ -d "$repo_dir" ] || die "--repo-dir '$repo_dir' is not a directory" 2
git -C "$repo_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "'$repo_dir' is not a git checkout" 2
[[ "$url" =~ ^https?://[^[:space:]]+$ ]] || die "--url must be the chart repository's http(s) URL (got '$url')" 2
if ! [[ "$keep" =~ ^[0-9]+$ ]] || [ "$keep" -lt 1 ]; then
    die "--keep must be at least 1 (got '$keep')" 2
fi
if $push && ! $apply; then
    die "--push needs --apply" 2
fi
command -v "$helm" >/dev/null 2>&1 || die "helm is required (or set HELM)" 2
if $push; then
    git -C "$repo_dir" remote get-url origin >/dev/null 2>&1 || die "--push: the checkout has no origin remote" 2
    git -C "$repo_dir" ls-remote --exit-code origin >/dev/null 2>&1 \
        || die "--push: cannot reach origin; check the git credentials (GITHUB_TOKEN / persist-credentials)" 2
fi

# Packages are named CHART-VERSION.tgz; the version starts at the first "-<digit>".
declare -A versions=()
shopt -s nullglob
for path in "$repo_dir"/*.tgz; do
    file=${path##*/}
    if [[ "$file" =~ ^(.+)-([0-9]+\.[0-9]+\.[0-9]+[-+.0-9A-Za-z]*)\.tgz$ ]]; then
        name=${BASH_REMATCH[1]}
        version=${BASH_REMATCH[2]}
        [ -z "$chart" ] || [ "$name" = "$chart" ] || continue
        versions[$name]+="$version"$'\n'
    else
        echo "skipping $file: not CHART-VERSION.tgz" >&2
    fi
done

old=()
for name in "${!versions[@]}"; do
    # Newest first by semantic version order; a pre-release sorts below its release.
    mapfile -t sorted < <(printf '%s' "${versions[$name]}" | sed '/-/!s/$/_/' | sort -V -r | sed 's/_$//')
    echo "$name: ${#sorted[@]} versions, keeping ${sorted[*]:0:keep}" >&2
    for version in "${sorted[@]:keep}"; do
        old+=("$name-$version.tgz")
        echo "old: $name-$version.tgz" >&2
    done
done

if [ ${#old[@]} -eq 0 ]; then
    echo "nothing to delete" >&2
    exit 0
fi
if ! $apply; then
    echo "dry run: nothing deleted (pass --apply to delete ${#old[@]} packages)" >&2
    exit 0
fi

for file in "${old[@]}"; do
    if git -C "$repo_dir" ls-files --error-unmatch -- "$file" >/dev/null 2>&1; then
        git -C "$repo_dir" rm --quiet -- "$file"
    else
        rm -f -- "${repo_dir:?}/$file"
    fi
done
# Rebuilt from the packages that remain, so the deleted versions leave the index too.
rm -f "$repo_dir/index.yaml"
"$helm" repo index "$repo_dir" --url "$url" || die "helm repo index failed"
git -C "$repo_dir" add -- index.yaml
git -C "$repo_dir" \
    -c user.name="${GIT_AUTHOR_NAME:-github-actions[bot]}" \
    -c user.email="${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}" \
    commit --quiet -m "Keep the newest $keep chart versions: delete ${old[*]}"
echo "deleted ${#old[@]} packages and rebuilt index.yaml" >&2
if $push; then
    git -C "$repo_dir" push --quiet origin HEAD || die "git push failed"
    echo "pushed to origin" >&2
fi
