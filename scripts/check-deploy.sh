#!/usr/bin/env bash
# Checks every deployment artifact with the tool its users would run, offline:
#   containers/  hadolint; docker-compose config -q
#   charts/      helm lint --strict + helm template (Helm v4 SDK via helm-python-sdk) with
#                default values, every optional feature and the Argo CD values;
#                kubernetes-validate --strict; values.schema.json rejects wrong types
#   infra/       terraform fmt -check + python-hcl2 parse; Argo CD Applications;
#                systemd-analyze verify (no output allowed) and security (exposure <= 2.0)
#   checkov      chart (rendered), Dockerfile, Terraform, workflows: no failed check, every
#                skip with a written reason
#   .github/     actionlint; zizmor --offline
#   everywhere   yamllint; shellcheck over the repository's shell scripts
#   Swift        swift format lint --strict over every Swift file (.swift-format)
#   scripts/     the cleanup scripts' tests against stand-ins on 127.0.0.1
#   runtime      the Dockerfile's entrypoint/HEALTHCHECK and the systemd unit's settings
#                (socket activation, sd_notify, watchdog, SIGTERM) run against barkd
# Installs what it needs (Debian packages, .tools/deploy-venv, .tools/checkov-venv).
# BARKD_BIN names the barkd binary to stage for systemd-analyze; without it barkd is
# built with --scratch-path .build-deploy. Exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_ensure python3 python3-venv git curl jq shellcheck systemd binutils

install_venv .tools/deploy-venv Tests/DeployTests/requirements.txt || { echo "check-deploy: cannot install the deploy tools" >&2; exit 1; }
install_venv .tools/checkov-venv Tests/DeployTests/checkov-requirements.txt || { echo "check-deploy: cannot install checkov" >&2; exit 1; }
tools=$PWD/.tools/deploy-venv/bin
checkov=$PWD/.tools/checkov-venv/bin/checkov

work=$(mktemp -d /tmp/barkd-check-deploy.XXXXXX)
trap 'rm -rf "$work"' EXIT

results=()
failed=0
# check NAME COMMAND...: runs one check; its output is shown (indented) and it counts as
# failed on a non-zero exit status.
check() {
    local name=$1
    shift
    echo "== $name" >&2
    local log="$work/log"
    "$@" > "$log" 2>&1
    local status=$?
    sed 's/^/   /' "$log" >&2
    if [ "$status" -eq 0 ]; then
        results+=("PASS  $name")
    else
        results+=("FAIL  $name (exit $status)")
        failed=$((failed + 1))
    fi
}
# silent COMMAND...: succeeds only if COMMAND succeeds and prints nothing at all.
silent() {
    local out
    out=$("$@" 2>&1)
    local status=$?
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        echo "(output above counts as a finding)"
        return 1
    fi
    return "$status"
}

# --- containers -------------------------------------------------------------------------
check "hadolint containers/Dockerfile" "$tools/hadolint" containers/Dockerfile
compose_config() {
    # With the committed example env file (optional settings; the secrets are files).
    (cd containers && "$tools/docker-compose" -f compose.yaml --env-file .env.example config -q) || return 1
    echo "compose.yaml is valid (with containers/.env.example)"
    "$tools/docker-compose" -f docs/elastic-beanstalk/bundle/docker-compose.yml config -q || return 1
    echo "docs/elastic-beanstalk/bundle/docker-compose.yml is valid"
}
check "docker-compose config -q" compose_config

# --- shell ------------------------------------------------------------------------------
shell_scripts() {
    {
        git ls-files --cached --others --exclude-standard -- '*.sh'
        echo Tests/DeployTests/bin/helm
    } | sort -u | while read -r file; do [ -f "$file" ] && echo "$file"; done
}
shellcheck_all() {
    local files
    mapfile -t files < <(shell_scripts)
    shellcheck -x "${files[@]}" || return 1
    echo "${#files[@]} scripts clean: ${files[*]}"
}
check "shellcheck" shellcheck_all

# --- Swift ------------------------------------------------------------------------------
swift_format_lint() {
    local files
    mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.swift')
    silent swift format lint --strict --parallel "${files[@]}" || return 1
    echo "swift format lint --strict: ${#files[@]} Swift files clean"
    # The check itself must be able to fail: a misformatted line has to be reported.
    if printf 'let  x = 1\n' | silent swift format lint --strict --assume-filename Sources/x.swift >/dev/null; then
        echo "self-test: a misformatted line linted clean, so this check proves nothing"
        return 1
    fi
    echo "self-test: 'let  x = 1' is reported"
}
check "swift format lint --strict" swift_format_lint

# --- Helm chart and Argo CD ------------------------------------------------------------
check "helm lint/template (helm-python-sdk), kubernetes-validate --strict -k 1.30.0, schema, Argo CD" \
    "$tools/python" Tests/DeployTests/check_chart.py charts/barkd "$work/rendered" infra/argocd

# --- checkov ----------------------------------------------------------------------------
run_checkov() { # run_checkov LABEL DIR FRAMEWORK
    local label=$1 dir=$2 framework=$3
    # TF_CLI_CONFIG_FILE may name a file this machine lacks; checkov needs none.
    env -u TF_CLI_CONFIG_FILE "$checkov" -d "$dir" --framework "$framework" --skip-download -o json \
        > "$work/checkov.json" 2> "$work/checkov.err"
    "$tools/python" Tests/DeployTests/checkov_summary.py "$label" < "$work/checkov.json" || { tail -20 "$work/checkov.err"; return 1; }
}
if [ -d "$work/rendered" ]; then
    check "checkov kubernetes (chart rendered: default, all features, Argo CD)" run_checkov chart "$work/rendered" kubernetes
else
    results+=("FAIL  checkov kubernetes (the chart did not render)")
    failed=$((failed + 1))
fi
check "checkov dockerfile" run_checkov containers containers dockerfile
checkov_terraform() {
    # Scans the cluster root and, recursively, platform/ and bootstrap/.
    run_checkov infra/terraform infra/terraform terraform || return 1
    # The check itself must be able to fail: a state bucket that allows public ACLs has to be reported.
    mkdir -p "$work/checkov-broken"
    cp infra/terraform/bootstrap/*.tf "$work/checkov-broken/"
    sed -i -E 's/(block_public_acls[[:space:]]*=[[:space:]]*)true/\1false/' "$work/checkov-broken/state.tf"
    if run_checkov self-test "$work/checkov-broken" terraform >/dev/null 2>&1; then
        echo "self-test: a bootstrap with block_public_acls = false scanned clean, so this check proves nothing"
        return 1
    fi
    echo "self-test: a bootstrap with block_public_acls = false is reported"
}
check "checkov terraform (cluster, platform, bootstrap roots)" checkov_terraform
check "checkov github_actions" run_checkov .github .github github_actions

# --- Terraform --------------------------------------------------------------------------
terraform_fmt() {
    if ! command -v terraform >/dev/null 2>&1; then
        echo "SKIPPED: terraform is not installed here (CI's terraform job runs fmt, init and validate)"
        return 0
    fi
    env -u TF_CLI_CONFIG_FILE terraform -chdir=infra/terraform fmt -check -recursive -diff || return 1
    echo "terraform fmt: clean: infra/terraform, platform/, bootstrap/ ($(env -u TF_CLI_CONFIG_FILE terraform version | head -1))"
    # The check itself must be able to fail: a misaligned line has to be reported.
    if printf 'a  = 1\n' | env -u TF_CLI_CONFIG_FILE terraform fmt -check - >/dev/null 2>&1; then
        echo "self-test: 'a  = 1' passed terraform fmt -check, so this check proves nothing"
        return 1
    fi
    echo "self-test: 'a  = 1' is reported"
}
check "terraform fmt -check -recursive" terraform_fmt
check "check_terraform.py: cluster, platform and bootstrap roots (python-hcl2), validations (re, terraform test), Grafana password" \
    "$tools/python" Tests/DeployTests/check_terraform.py infra/terraform

# --- GitHub Actions ---------------------------------------------------------------------
actionlint_all() {
    "$tools/actionlint" -shellcheck "$(command -v shellcheck)" .github/workflows/*.yml || return 1
    local workflows=(.github/workflows/*.yml)
    echo "actionlint: ${#workflows[@]} workflows clean"
}
check "actionlint" actionlint_all
check "zizmor --offline" "$tools/zizmor" --offline --no-progress .github/workflows
workflow_paths() {
    # Every repository file a workflow names (scripts, values files, the chart) must exist.
    local path absent=0 count=0
    while read -r path; do
        count=$((count + 1))
        [ -e "$path" ] || { echo "named in .github/workflows but missing: $path"; absent=1; }
    done < <(grep -ohE '(scripts|containers|charts|infra)/[A-Za-z0-9_./-]+' .github/workflows/*.yml | grep -v '/tfplan$' | sort -u)
    [ "$absent" -eq 0 ] || return 1
    echo "$count repository paths named by the workflows exist"
}
check "workflow paths exist" workflow_paths
# CD waits for CI (cd.yml only through ci.yml's job that needs every test job, on a push
# to main), Trivy and the smoke test before the push, no helm releases (Argo CD owns
# them), the DNS endpoint, and the Argo CD Applications and MariaDB objects agree; the
# --self-test part checks broken copies are reported.
check "check_workflows.py: CD gated on CI, Trivy before push, Argo CD owns the releases, database objects agree (with self-test)" \
    "$tools/python" Tests/DeployTests/check_workflows.py . --self-test
argocd_yamllint() {
    # The folders of manifests Argo CD syncs (the Applications are in yaml_files below).
    "$tools/yamllint" -s -c Tests/DeployTests/yamllint.yaml infra/argocd/*/ || return 1
    echo "infra/argocd/*/ clean"
}
check "yamllint infra/argocd subfolders" argocd_yamllint

# --- YAML -------------------------------------------------------------------------------
yaml_files() {
    ls .github/workflows/*.yml containers/compose.yaml charts/barkd/Chart.yaml charts/barkd/values.yaml \
        charts/barkd/ci/*.yaml infra/argocd/*.yaml docs/cloud-run/service.yaml \
        docs/elastic-beanstalk/bundle/docker-compose.yml docs/elastic-beanstalk/bundle/.ebextensions/barkd.config
}
yamllint_all() {
    local files
    mapfile -t files < <(yaml_files)
    "$tools/yamllint" -s -c Tests/DeployTests/yamllint.yaml "${files[@]}" || return 1
    echo "${#files[@]} YAML files clean"
}
check "yamllint" yamllint_all

# --- systemd ----------------------------------------------------------------------------
barkd_bin=${BARKD_BIN:-}
if [ -z "$barkd_bin" ]; then
    echo "== building barkd for the systemd checks (swift build --scratch-path .build-deploy)" >&2
    if swift build --scratch-path .build-deploy --product barkd >&2; then
        barkd_bin="$(swift build --scratch-path .build-deploy --show-bin-path)/barkd"
    fi
fi
stage_root() { # stage_root DIR SERVICE_FILE: a root with the system units, barkd and our units
    local root=$1 service=$2
    mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
    cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
    [ -z "$barkd_bin" ] || install -m 0755 "$barkd_bin" "$root/usr/local/bin/barkd"
    cp "$service" "$root/etc/systemd/system/barkd.service"
    cp infra/systemd/barkd.socket "$root/etc/systemd/system/barkd.socket"
}
systemd_verify() {
    if [ -z "$barkd_bin" ] || [ ! -x "$barkd_bin" ]; then
        echo "no barkd binary to stage (BARKD_BIN='${barkd_bin}')"
        return 1
    fi
    stage_root "$work/root" infra/systemd/barkd.service
    silent systemd-analyze verify --root="$work/root" barkd.service barkd.socket || return 1
    echo "systemd-analyze verify: barkd.service and barkd.socket verify with no output"
    # The check itself must be able to fail: a broken copy has to produce output.
    sed 's/^WatchdogSec=.*/WatchdogSec=ten/' infra/systemd/barkd.service > "$work/broken.service"
    stage_root "$work/broken-root" "$work/broken.service"
    if silent systemd-analyze verify --root="$work/broken-root" barkd.service barkd.socket >/dev/null; then
        echo "self-test: a broken unit verified clean, so this check proves nothing"
        return 1
    fi
    echo "self-test: a unit with WatchdogSec=ten is reported"
}
check "systemd-analyze verify" systemd_verify
systemd_security() {
    [ -d "$work/root" ] || stage_root "$work/root" infra/systemd/barkd.service
    # --threshold is in tenths: 20 is an exposure level of 2.0.
    systemd-analyze security --offline=true --root="$work/root" --threshold=20 barkd.service > "$work/security.txt" 2>&1
    local status=$?
    grep -a "Overall exposure level" "$work/security.txt" || cat "$work/security.txt"
    return "$status"
}
check "systemd-analyze security --offline=true (exposure <= 2.0)" systemd_security

# --- cleanup scripts, container entrypoint and systemd unit at run time ------------------
check "pytest Tests/DeployTests (cleanup scripts vs stand-ins; entrypoint and unit vs barkd)" \
    env BARKD_BIN="$barkd_bin" "$tools/python" -m pytest -q -p no:cacheprovider Tests/DeployTests

echo >&2
echo "== check-deploy summary" >&2
printf '%s\n' "${results[@]}" >&2
total=${#results[@]}
echo "$((total - failed)) passed, $failed failed" >&2
[ "$failed" -eq 0 ]
