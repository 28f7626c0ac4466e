#!/usr/bin/env bash
# Checks barkd's monitoring files with the real tools of their field, offline:
#   - Prometheus: promtool check config / check rules / test rules (Debian's prometheus);
#     every alert must have a firing and a not-firing test case;
#   - Alertmanager: amtool check-config (Debian's prometheus-alertmanager);
#   - Grafana dashboard: valid JSON, unique panel ids, gridPos inside 24 columns without
#     overlaps, every PromQL expression checked by promtool as a recording rule;
#   - every metric name in the rules and the dashboard is one barkd exposes;
#   - promtail (no promtail in Debian): the pipeline's labels and JSON keys against
#     barkd's log lines; kube-prometheus-stack values select the chart's objects;
#   - yamllint on the YAML, shellcheck on this script;
#   - with BARKD_BIN set to a built barkd: a real Prometheus on 127.0.0.1 scrapes it and
#     every rule and dashboard expression is evaluated through its HTTP API.
# Runs every check, then exits 1 if any failed, naming them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_ensure prometheus prometheus-alertmanager shellcheck python3 python3-venv

venv=.tools/monitoring-venv
requirements=infra/monitoring/requirements.txt
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || exit 1
fi
if ! cmp -s "$requirements" "$venv/.requirements" 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || exit 1
    cp "$requirements" "$venv/.requirements"
fi

rules=charts/barkd/files/prometheus-rules.yml
dashboard=charts/barkd/dashboards/barkd.json
tests=(infra/monitoring/prometheus/tests/*.test.yml)
checker=("$venv/bin/python" infra/monitoring/check_monitoring.py)
work=$(mktemp -d /tmp/barkd-check-monitoring.XXXXXX)
trap 'rm -rf "$work"' EXIT

passed=0
failed=()
# check NAME COMMAND...: runs one check, prints its output, records the verdict.
check() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        echo "   FAILED: $name"
        failed+=("$name")
    fi
}

check "promtool check config (scrape config and its rule files)" \
    promtool check config infra/monitoring/prometheus/prometheus.yml
check "promtool check rules (alert rules)" promtool check rules "$rules"
check "promtool test rules (alert unit tests)" promtool test rules "${tests[@]}"
check "every alert is tested firing and not firing" "${checker[@]}" rules "$rules" "${tests[@]}"
check "amtool check-config (alertmanager example)" \
    amtool check-config infra/monitoring/alertmanager/alertmanager.yml
check "dashboard structure" "${checker[@]}" dashboard "$dashboard" "$work/dashboard-rules.yml"
if [ -s "$work/dashboard-rules.yml" ]; then
    check "promtool check rules (dashboard expressions as recording rules)" \
        promtool check rules "$work/dashboard-rules.yml"
else
    check "promtool check rules (dashboard expressions as recording rules)" false
fi
check "metric names in rules and dashboard" "${checker[@]}" metrics "$rules" "$dashboard" Sources
if command -v promtail > /dev/null 2>&1; then
    # Not packaged by Debian 12; used where an operator's machine has it.
    scrape_yaml=$("$venv/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["config"]["snippets"]["scrapeConfigs"])' \
        infra/monitoring/loki/promtail-values.yaml)
    printf 'clients:\n  - url: http://127.0.0.1:3100/loki/api/v1/push\nscrape_configs:\n%s\n' \
        "$(printf '%s\n' "$scrape_yaml" | sed 's/^/  /')" > "$work/promtail.yml"
    check "promtail -check-syntax" promtail -check-syntax -config.file "$work/promtail.yml"
else
    echo "== promtail: no promtail binary (Debian has none); checking the pipeline's structure instead"
fi
check "promtail pipeline (labels, JSON keys of barkd's log lines)" \
    "${checker[@]}" promtail infra/monitoring/loki/promtail-values.yaml Sources
check "kube-prometheus-stack values select the chart's objects" \
    "${checker[@]}" kube-stack infra/monitoring/kube-prometheus-stack/values.yaml charts/barkd
if [ -n "${BARKD_BIN:-}" ]; then
    check "live: a real Prometheus scrapes $BARKD_BIN; rules and dashboard queries through its API" \
        "${checker[@]}" live "$BARKD_BIN" infra/monitoring/prometheus/prometheus.yml "$rules" "$dashboard"
else
    echo "== live check skipped: set BARKD_BIN to a built barkd to query the dashboard through a real Prometheus"
fi
check "yamllint" "$venv/bin/yamllint" --strict -c infra/monitoring/yamllint.yml infra/monitoring "$rules"
check "shellcheck scripts/check-monitoring.sh" shellcheck -x scripts/check-monitoring.sh

echo "monitoring checks: ${passed} passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    printf '   failed: %s\n' "${failed[@]}"
    exit 1
fi
