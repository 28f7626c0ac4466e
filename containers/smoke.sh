#!/usr/bin/env bash
# The compose smoke test the CD pipeline runs before it pushes an image: build the image,
# start MariaDB and barkd, wait until both are healthy, request /, /healthcheck and
# /metrics, and always take everything down again (volumes included).
# Needs Docker with Compose v2 and curl. Usage:
#   containers/smoke.sh            # secrets: containers/.env if present, else generated
#   BARKD_IMAGE=barkd:ci BARKD_COMMIT_SHA=<sha> containers/smoke.sh   # test a built image
set -euo pipefail
cd "$(dirname "$0")"

compose_file=compose.yaml
project="barkd-smoke-$$"
port="${BARKD_SMOKE_PORT:-5000}"
base="http://127.0.0.1:${port}"
expected_version="${BARKD_VERSION:-0.1.0}"

env_file=.env
generated=""
if [ ! -f "$env_file" ]; then
    generated=$(mktemp)
    env_file=$generated
    {
        echo "BARKD_DB_PASSWORD=$(openssl rand -hex 24)"
        echo "MARIADB_ROOT_PASSWORD=$(openssl rand -hex 24)"
        echo "BARKD_ADMIN_TOKEN=$(openssl rand -hex 24)"
    } > "$env_file"
fi
export BARKD_PUBLISH="127.0.0.1:${port}"

compose() {
    docker compose --project-name "$project" --env-file "$env_file" -f "$compose_file" "$@"
}

cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "smoke: failed; container logs follow" >&2
        compose logs --no-color --tail=200 >&2 || true
    fi
    compose down --volumes --remove-orphans --timeout 40 >/dev/null 2>&1 || true
    [ -z "$generated" ] || rm -f "$generated"
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

fetch /readyz "$body"
rm -f "$body"
echo "smoke: passed" >&2
