#!/usr/bin/env bash
# The compose smoke test the CD pipeline runs before it pushes an image: build the image,
# start MariaDB and barkd, wait until both are healthy, request /, /healthcheck and
# /metrics, and always take everything down again (volumes included).
# Needs Docker with Compose v2 (or any engine with a Docker-compatible API and a compose
# client: BARKD_COMPOSE names the client command, default "docker compose"), curl,
# openssl and python3. Usage:
#   containers/smoke.sh            # builds the image; fresh random secrets
#   BARKD_IMAGE=barkd:ci BARKD_COMMIT_SHA=<sha> containers/smoke.sh   # test a built image
#   BARKD_SECRETS_DIR=DIR containers/smoke.sh                          # use these secret files
set -euo pipefail
cd "$(dirname "$0")"

compose_file=compose.yaml
project="barkd-smoke-$$"
port="${BARKD_SMOKE_PORT:-5000}"
base="http://127.0.0.1:${port}"
expected_version="${BARKD_VERSION:-0.1.0}"
read -r -a compose_command <<< "${BARKD_COMPOSE:-docker compose}"

generated=""
if [ -z "${BARKD_SECRETS_DIR:-}" ]; then
    generated=$(mktemp -d)
    ./make-secrets.sh "$generated/secrets" 2> /dev/null
    export BARKD_SECRETS_DIR="$generated/secrets"
fi
export BARKD_PUBLISH="127.0.0.1:${port}"

compose() {
    "${compose_command[@]}" --project-name "$project" -f "$compose_file" "$@"
}

cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "smoke: failed; container logs follow" >&2
        compose logs --no-color --tail=200 >&2 || true
    fi
    compose down --volumes --remove-orphans --timeout 40 >/dev/null 2>&1 || true
    [ -z "$generated" ] || rm -rf "$generated"
    exit "$status"
}
trap cleanup EXIT

# With BARKD_IMAGE (CD) the smoke test runs exactly that image, the one about to be
# pushed; without it compose builds one.
if [ -n "${BARKD_IMAGE:-}" ]; then
    echo "smoke: docker compose up with $BARKD_IMAGE (wait for health)" >&2
    compose up --no-build --detach --wait --wait-timeout 180
else
    echo "smoke: docker compose up (build, wait for health)" >&2
    compose up --build --detach --wait --wait-timeout 180
fi

fetch() {
    # fetch PATH OUTFILE: fails unless the answer is 200.
    curl --silent --show-error --fail --max-time 10 --output "$2" "${base}$1"
}

body=$(mktemp)
fetch / "$body"
grep -q 'id="visitor">#' "$body" || { echo "smoke: / does not show the visitor counter" >&2; exit 1; }
echo "smoke: / ok" >&2

fetch /healthcheck "$body"
python3 - "$body" "$expected_version" "${BARKD_COMMIT_SHA:-}" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
entry = doc["myapplication"][0]
assert set(entry) == {"version", "description", "lastcommitsha"}, entry
assert entry["version"] == sys.argv[2], entry
if sys.argv[3]:
    assert entry["lastcommitsha"] == sys.argv[3], entry
PY
echo "smoke: /healthcheck ok" >&2

fetch /metrics "$body"
grep -q "^# TYPE " "$body" || { echo "smoke: /metrics is not Prometheus text" >&2; exit 1; }
echo "smoke: /metrics ok" >&2

# Every view counts: the visitor count grows.
before=$(curl --silent --show-error --fail --max-time 10 "${base}/api/visitors" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
fetch / "$body"
after=$(curl --silent --show-error --fail --max-time 10 "${base}/api/visitors" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[ "$after" -gt "$before" ] || { echo "smoke: the visitor count did not grow ($before -> $after)" >&2; exit 1; }
echo "smoke: visitor count $before -> $after" >&2

fetch /readyz "$body"
rm -f "$body"
echo "smoke: passed" >&2
