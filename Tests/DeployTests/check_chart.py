"""Checks charts/barkd with the Helm v4 SDK (helm-python-sdk): `helm lint --strict` and
`helm template` with the default values and with every optional feature on, then
`kubernetes-validate --strict` on what was rendered, the chart's own promises (probes,
security context, grace periods, secrets as files), values.schema.json rejecting wrong
types, and the optional dashboards / alert rules rendering with and without their files.

Also checks the Argo CD folder: every Application (in any subfolder) syncs automatically
with prune and self-heal; the one deploying this chart has its values rendered and
validated like the cases above; other manifests (e.g. MariaDB custom resources) only need
to be well-formed objects.

Usage: check_chart.py CHART OUTDIR [ARGOCD_DIR]   (writes OUTDIR/<case>/*.yaml for checkov)
Exit status 1 on any finding; one line per finding.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import helm_python
import yaml
from findings import fail, verdict

KUBE_VERSION = "1.30.0"
RELEASE = "barkd"
NAMESPACE = "barkd"

def lint(chart: Path, values: dict, case: str) -> None:
    report = helm_python.lint(str(chart), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    for message in report["messages"]:
        fail(f"helm lint --strict ({case}): {message['path']}: {message['error'].strip()}")
    for error in report["errors"]:
        fail(f"helm lint --strict ({case}): {error.strip()}")


def render(chart: Path, values: dict) -> dict[str, str]:
    loaded = helm_python.Chart.load(str(chart))
    try:
        return loaded.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        loaded.close()


def documents(rendered: dict[str, str]) -> list[dict]:
    docs = []
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append(doc)
    return docs


def write_case(rendered: dict[str, str], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt") or not text.strip():
            continue
        target = directory / path.replace("/", "_")
        target.write_text(text if text.endswith("\n") else text + "\n")
        files.append(target)
    return files


def kubernetes_validate(files: list[Path], case: str) -> None:
    # kubernetes-validate has no schema for CRDs (ServiceMonitor, PrometheusRule):
    # those are checked by check_custom_resources below.
    core = []
    for path in files:
        kinds = {doc.get("kind") for doc in yaml.safe_load_all(path.read_text()) if doc}
        if kinds & {"ServiceMonitor", "PrometheusRule"}:
            continue
        core.append(path)
    exe = Path(sys.executable).with_name("kubernetes-validate")
    result = subprocess.run(
        [str(exe), "--strict", "-k", KUBE_VERSION, *map(str, core)],
        capture_output=True, text=True, timeout=300,
    )
    output = (result.stdout + result.stderr).strip().splitlines()
    bad = [line for line in output if not line.startswith("INFO")]
    if result.returncode != 0 or bad:
        for line in bad or output:
            fail(f"kubernetes-validate --strict -k {KUBE_VERSION} ({case}): {line}")
    else:
        print(f"ok: kubernetes-validate --strict -k {KUBE_VERSION} ({case}): {len(core)} files valid")


def check_custom_resources(docs: list[dict], case: str) -> None:
    for doc in docs:
        kind = doc["kind"]
        if kind == "ServiceMonitor":
            endpoints = doc.get("spec", {}).get("endpoints", [])
            if not endpoints or endpoints[0].get("port") != "http" or not endpoints[0].get("path", "").startswith("/"):
                fail(f"{case}: ServiceMonitor endpoint must scrape port http at a path: {endpoints}")
        if kind == "PrometheusRule":
            groups = doc.get("spec", {}).get("groups")
            if not isinstance(groups, list) or not groups:
                fail(f"{case}: PrometheusRule without groups")
            for group in groups or []:
                if not group.get("name") or not isinstance(group.get("rules"), list):
                    fail(f"{case}: PrometheusRule group without name or rules: {group}")


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc.get("kind") == kind]


def check_promises(docs: list[dict], values: dict, case: str) -> None:
    """What the chart promises about barkd's Deployment, whatever the values."""
    deployments = [d for d in by_kind(docs, "Deployment") if d["metadata"]["name"] == RELEASE]
    if len(deployments) != 1:
        fail(f"{case}: expected one Deployment named {RELEASE}, got {len(deployments)}")
        return
    deployment = deployments[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    probes = {name: container.get(name, {}).get("httpGet", {}).get("path")
              for name in ("startupProbe", "livenessProbe", "readinessProbe")}
    if probes != {"startupProbe": "/readyz", "livenessProbe": "/livez", "readinessProbe": "/readyz"}:
        fail(f"{case}: probes are {probes}")
    security = container.get("securityContext", {})
    expected = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True}
    for key, value in expected.items():
        if security.get(key) != value:
            fail(f"{case}: container securityContext.{key} is {security.get(key)!r}")
    if security.get("capabilities", {}).get("drop") != ["ALL"]:
        fail(f"{case}: capabilities are not all dropped")
    if pod.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault":
        fail(f"{case}: pod seccompProfile is not RuntimeDefault")
    if pod.get("automountServiceAccountToken") is not False:
        fail(f"{case}: the pod automounts a service account token")
    if not container.get("resources", {}).get("limits") or not container.get("resources", {}).get("requests"):
        fail(f"{case}: container resources need requests and limits")
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    grace = int(env.get("BARKD_SHUTDOWN_GRACE", "25s").rstrip("s"))
    sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    if pod["terminationGracePeriodSeconds"] <= grace + sleep:
        fail(f"{case}: terminationGracePeriodSeconds {pod['terminationGracePeriodSeconds']} is not longer than shutdown grace {grace} s + preStop {sleep} s")
    if "--host=0.0.0.0" not in container.get("args", []):
        fail(f"{case}: barkd does not bind 0.0.0.0")
    for item in container.get("env", []):
        if "valueFrom" in item or "PASSWORD" in item["name"] and not item["name"].endswith("_FILE"):
            fail(f"{case}: secret passed as an environment variable: {item['name']}")
    shared = values.get("mariadb", {}).get("enabled") or values.get("database", {}).get("url")
    strategy = deployment["spec"]["strategy"]
    if strategy.get("type") != "RollingUpdate" or strategy.get("rollingUpdate", {}).get("maxUnavailable") != 0:
        fail(f"{case}: rolling update must keep every pod available (maxUnavailable 0): {strategy}")
    if shared:
        if env.get("BARKD_DB_PASSWORD_FILE") != "/var/run/secrets/barkd/db-password":
            fail(f"{case}: the database password is not read from the mounted Secret")
    if values.get("adminApi", {}).get("enabled") and env.get("BARKD_ADMIN_TOKEN_FILE") != "/var/run/secrets/barkd/admin-token":
        fail(f"{case}: the admin token is not read from the mounted Secret")
    accounts = by_kind(docs, "ServiceAccount")
    if accounts and any(a.get("automountServiceAccountToken") is not False for a in accounts):
        fail(f"{case}: ServiceAccount automounts its token")
    tests = [d for d in by_kind(docs, "Pod") if d["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    if not tests or "/healthcheck" not in json.dumps(tests[0]["spec"]):
        fail(f"{case}: no helm test pod checking /healthcheck")


def check_schema_rejects(chart: Path) -> None:
    """values.schema.json must reject wrong types (each of these must fail to render)."""
    wrong = [
        {"replicaCount": "two"},
        {"replicaCount": -1},
        {"image": {"repository": 5}},
        {"image": {"digest": "latest"}},
        {"image": {"pullPolicy": "Sometimes"}},
        {"config": {"shutdownGraceSeconds": "25s"}},
        {"config": {"logLevel": "loud"}},
        {"config": {"accessLog": True}},
        {"config": {"extraEnv": [{"name": "X"}]}},
        {"containerPort": 70000},
        {"database": {"url": "postgres://u@h/db"}},
        {"ingress": {"enabled": "yes"}},
        {"autoscaling": {"maxReplicas": 1.5}},
        {"resources": {"limits": {"memory": "lots"}}},
        {"serviceMonitor": {"interval": 30}},
        {"secret": {"adminToken": "short"}},
        {"unknownKey": 1},
        {"mariadb": {"enabled": "true"}},
    ]
    rejected = 0
    for values in wrong:
        try:
            render(chart, values)
        except helm_python.HelmValuesError:
            rejected += 1
            continue
        except helm_python.HelmError as error:
            fail(f"schema: {values} failed with {type(error).__name__}, not a values error: {error}")
            continue
        fail(f"schema: values.schema.json accepted wrong values {values}")
    print(f"ok: values.schema.json rejected {rejected}/{len(wrong)} wrong values")
    # And the template guards: combinations that cannot work fail with a clear message.
    guards = [
        ({"terminationGracePeriodSeconds": 30}, "terminationGracePeriodSeconds"),
        ({"replicaCount": 3}, "shared database"),
        ({"mariadb": {"enabled": True}, "database": {"url": "mariadb://u@h:3306/db"}}, "not both"),
    ]
    for values, words in guards:
        try:
            render(chart, values)
        except helm_python.HelmError as error:
            if words not in str(error):
                fail(f"guard {values}: error does not mention {words!r}: {error}")
            continue
        fail(f"guard: {values} rendered but cannot work")


def check_optional_files(chart: Path, all_values: dict) -> None:
    """Dashboards and alert rules come from files another part of the project writes:
    the chart must render with and without them, and ship them when they exist."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare" / "barkd"
        shutil.copytree(chart, bare)
        shutil.rmtree(bare / "dashboards", ignore_errors=True)
        shutil.rmtree(bare / "files", ignore_errors=True)
        docs = documents(render(bare, all_values))
        if by_kind(docs, "PrometheusRule") or [d for d in by_kind(docs, "ConfigMap") if "dashboard" in d["metadata"]["name"]]:
            fail("without dashboards/ and files/ the chart still rendered a dashboard or PrometheusRule")

        full = Path(tmp) / "full" / "barkd"
        shutil.copytree(chart, full)
        (full / "dashboards").mkdir(exist_ok=True)
        (full / "files").mkdir(exist_ok=True)
        (full / "dashboards" / "zz_check_extra.json").write_text(json.dumps({"title": "check", "panels": []}))
        rules_path = full / "files" / "prometheus-rules.yml"
        if not rules_path.exists():
            rules_path.write_text("groups:\n  - name: check\n    rules:\n      - alert: CheckAlert\n        expr: up == 0\n")
        expected_rules = yaml.safe_load(rules_path.read_text())["groups"]
        docs = documents(render(full, all_values))
        rules = by_kind(docs, "PrometheusRule")
        if len(rules) != 1 or rules[0]["spec"]["groups"] != expected_rules:
            fail("the PrometheusRule's spec.groups is not files/prometheus-rules.yml's groups")
        maps = [d for d in by_kind(docs, "ConfigMap") if d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
        shipped = {key for m in maps for key in m["data"]}
        wanted = {p.name for p in (full / "dashboards").glob("*.json")}
        if shipped != wanted:
            fail(f"dashboard ConfigMaps carry {sorted(shipped)}, expected {sorted(wanted)}")
        for m in maps:
            for key, text in m["data"].items():
                if json.loads(text) != json.loads((full / "dashboards" / key).read_text()):
                    fail(f"dashboard {key} changed on its way into the ConfigMap")
        defaults = documents(render(full, {}))
        if by_kind(defaults, "PrometheusRule") or by_kind(defaults, "ConfigMap"):
            fail("dashboards or rules rendered with the default values (they are opt-in)")
    print("ok: dashboards and PrometheusRule render with and without their files")


def argocd_cases(directory: Path, chart: Path) -> dict[str, dict]:
    """Checks the Argo CD folder (and its subfolders); returns the values of the
    Applications that deploy this chart. Every Application must sync automatically with
    prune and self-heal; only those deploying this chart are rendered through it. Other
    documents (plain manifests such as MariaDB custom resources) must be well-formed objects."""
    repo = chart.parents[1]
    cases = {}
    apps = []
    others = 0
    for path in sorted(directory.rglob("*.y*ml")):
        try:
            docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        except yaml.YAMLError as error:
            fail(f"argocd {path.relative_to(directory)}: not YAML: {error}")
            continue
        for doc in docs:
            if not isinstance(doc, dict) or not (doc.get("apiVersion") or doc.get("kind")):
                continue  # not a manifest (e.g. a Helm values file an Application names)
            label = f"argocd {path.relative_to(directory)} {doc.get('kind')} {(doc.get('metadata') or {}).get('name')}"
            named = (doc.get("metadata") or {}).get("name") or doc.get("kind") == "Kustomization"
            if not doc.get("apiVersion") or not doc.get("kind") or not named:
                fail(f"{label}: not a Kubernetes object (apiVersion, kind, metadata.name)")
            elif doc["kind"] == "Application":
                apps.append((label, doc))
            else:
                others += 1
    for label, app in apps:
        if app.get("apiVersion") != "argoproj.io/v1alpha1":
            fail(f"{label}: not an argoproj.io/v1alpha1 Application")
            continue
        spec = app.get("spec", {})
        automated = spec.get("syncPolicy", {}).get("automated", {})
        if automated.get("prune") is not True or automated.get("selfHeal") is not True:
            fail(f"{label}: sync is not automated with prune and self-heal: {automated}")
        sources = spec.get("sources") or [spec.get("source", {})]
        if not spec.get("destination", {}).get("namespace"):
            fail(f"{label}: needs destination.namespace")
        for source in sources:
            if not source.get("targetRevision"):
                fail(f"{label}: a source without targetRevision: {source}")
            # Value files from this repository ($values/...) must exist in it.
            for value_file in source.get("helm", {}).get("valueFiles", []):
                if value_file.startswith("$values/") and not (repo / value_file[8:]).is_file():
                    fail(f"{label}: value file {value_file} is not in the repository")
            # A path into this repository must exist (this chart, or a folder of manifests).
            if source.get("path") and "github.com/barkd/" in source.get("repoURL", "") and not (repo / source["path"]).exists():
                fail(f"{label}: source.path {source['path']} is not in the repository")
            # This chart: from the repository (path) or as CD publishes it (GitHub Pages).
            ours = (source.get("path") and (repo / source["path"]).resolve() == chart) or (
                source.get("chart") == chart.name and ".github.io/" in source.get("repoURL", ""))
            if ours:
                cases[f"argocd-{app['metadata']['name']}"] = source.get("helm", {}).get("valuesObject", {})
    names = {app.get("metadata", {}).get("name") for _, app in apps}
    if not cases or not names & {"kube-prometheus-stack", "monitoring"}:
        fail(f"argocd: expected an Application for the chart and one for the monitoring stack, got {sorted(names)}")
    print(f"ok: argocd: {len(apps)} Applications ({len(cases)} of this chart), automated sync with prune and "
          f"self-heal; {others} other manifests")
    return cases


def main() -> int:
    chart = Path(sys.argv[1]).resolve()
    out = Path(sys.argv[2])
    shutil.rmtree(out, ignore_errors=True)
    all_values = yaml.safe_load((chart / "ci" / "all-features-values.yaml").read_text())
    cases = {"default": {}, "all-features": all_values}
    if len(sys.argv) > 3:
        cases.update(argocd_cases(Path(sys.argv[3]), chart))
    for case, values in cases.items():
        lint(chart, values, case)
        try:
            rendered = render(chart, values)
        except helm_python.HelmError as error:
            fail(f"helm template ({case}): {error}")
            continue
        docs = documents(rendered)
        files = write_case(rendered, out / case)
        print(f"ok: helm template ({case}): {len(docs)} objects: "
              + ", ".join(sorted({d['kind'] for d in docs})))
        kubernetes_validate(files, case)
        check_custom_resources(docs, case)
        check_promises(docs, values, case)
    kinds = {d["kind"] for d in documents(render(chart, all_values))}
    for kind in ("Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                 "ServiceMonitor", "StatefulSet", "Secret", "ServiceAccount", "Service"):
        if kind not in kinds:
            fail(f"all-features: no {kind} rendered")
    existing = copy.deepcopy(all_values)
    existing["existingSecret"] = "barkd-credentials"
    if by_kind(documents(render(chart, existing)), "Secret"):
        fail("a Secret was rendered although existingSecret names one")
    check_schema_rejects(chart)
    check_optional_files(chart, all_values)
    return verdict("chart")


if __name__ == "__main__":
    sys.exit(main())
