"""Checks charts/barkd with the Helm v4 SDK (helm-python-sdk): `helm lint --strict` and
`helm template` with the default values and with each ci/*-values.yaml (every optional
feature; Vault Agent; the Secrets Store CSI driver), then `kubernetes-validate --strict` on
what was rendered, the chart's own promises (probes, security context, grace periods, the
SQLite volume and rollout strategy, every BARKD_*_FILE supplied by exactly the configured
source, the PodDisruptionBudget), values.schema.json rejecting wrong types, the template
guards, and the optional dashboards / alert rules rendering with and without their files.

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
import re
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
SECRET_DIR = "/var/run/secrets/barkd"
# Custom resources kubernetes-validate has no schema for (checked by check_custom_resources).
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "SecretProviderClass"}
VAULT = "vault.hashicorp.com/"
# A Vault Agent template that renders one value and nothing else (no newline, no key=).
VAULT_TEMPLATE = re.compile(
    r'^\{\{- with secret "(?P<path>[^"]+)" -\}\}\{\{ index \.Data(?:\.data)? "(?P<key>[^"]+)" \}\}\{\{- end \}\}$')

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
    # kubernetes-validate has no schema for CRDs (ServiceMonitor, PrometheusRule,
    # SecretProviderClass): those are checked by check_custom_resources below.
    core = []
    for path in files:
        kinds = {doc.get("kind") for doc in yaml.safe_load_all(path.read_text()) if doc}
        if kinds & CUSTOM_KINDS:
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
        if kind == "SecretProviderClass":
            if doc.get("apiVersion") != "secrets-store.csi.x-k8s.io/v1":
                fail(f"{case}: SecretProviderClass apiVersion is {doc.get('apiVersion')}")
            spec = doc.get("spec", {})
            parameters = spec.get("parameters")
            if not spec.get("provider") or not isinstance(parameters, dict) or not parameters:
                fail(f"{case}: SecretProviderClass needs spec.provider and spec.parameters: {spec}")
                continue
            if set(spec) - {"provider", "parameters", "secretObjects"}:
                fail(f"{case}: SecretProviderClass has unknown spec fields {sorted(set(spec) - {'provider', 'parameters'})}")
            if any(not isinstance(value, str) for value in parameters.values()):
                fail(f"{case}: SecretProviderClass parameters must all be strings: {parameters}")
            if spec["provider"] == "vault":
                for obj in vault_objects(doc, case):
                    if set(obj) != {"objectName", "secretPath", "secretKey"} or not all(obj.values()):
                        fail(f"{case}: vault SecretProviderClass object needs objectName, secretPath, secretKey: {obj}")
                if not parameters.get("roleName"):
                    fail(f"{case}: vault SecretProviderClass without roleName")


def vault_objects(spc: dict, case: str) -> list[dict]:
    """The objects a vault-provider SecretProviderClass fetches (a YAML list in a string)."""
    try:
        objects = yaml.safe_load(spc["spec"]["parameters"].get("objects") or "")
    except yaml.YAMLError as error:
        fail(f"{case}: SecretProviderClass objects is not YAML: {error}")
        return []
    if not isinstance(objects, list) or not objects:
        fail(f"{case}: SecretProviderClass objects is not a non-empty list: {objects!r}")
        return []
    return objects


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc.get("kind") == kind]


def barkd_deployment(docs: list[dict]) -> dict | None:
    deployments = [d for d in by_kind(docs, "Deployment") if d["metadata"]["name"] == RELEASE]
    return deployments[0] if len(deployments) == 1 else None


def supplied_files(docs: list[dict], deployment: dict, case: str) -> dict[str, str]:
    """Every file the barkd container will find under a secrets mount, and what puts it
    there: a Secret volume's items, a CSI volume's SecretProviderClass objects (vault
    provider), or the Vault Agent injector's annotations (agent-inject-secret-<name>, at
    secret-volume-path/<agent-inject-file-<name> or name>)."""
    template = deployment["spec"]["template"]
    pod = template["spec"]
    container = pod["containers"][0]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    supplied: dict[str, str] = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes.get(mount["name"])
        if volume is None:
            fail(f"{case}: volumeMount {mount['name']} has no volume")
            continue
        base = mount["mountPath"].rstrip("/")
        if "secret" in volume:
            for item in volume["secret"].get("items", []):
                supplied[f"{base}/{item['path']}"] = f"Secret {volume['secret']['secretName']} key {item['key']}"
        if "csi" in volume:
            name = volume["csi"].get("volumeAttributes", {}).get("secretProviderClass")
            classes = [d for d in by_kind(docs, "SecretProviderClass") if d["metadata"]["name"] == name]
            if len(classes) != 1:
                fail(f"{case}: CSI volume {mount['name']} names SecretProviderClass {name!r}, which is not rendered")
                continue
            if classes[0]["spec"]["provider"] == "vault":
                for obj in vault_objects(classes[0], case):
                    supplied[f"{base}/{obj.get('objectName')}"] = f"CSI vault {obj.get('secretPath')} key {obj.get('secretKey')}"
    annotations = template["metadata"].get("annotations", {})
    if annotations.get(f"{VAULT}agent-inject") == "true":
        base = annotations.get(f"{VAULT}secret-volume-path", "/vault/secrets").rstrip("/")
        if base in {m["mountPath"].rstrip("/") for m in container.get("volumeMounts", [])}:
            fail(f"{case}: the Vault Agent injector mounts its volume at {base}, but the pod mounts a volume there too")
        if not annotations.get(f"{VAULT}role"):
            fail(f"{case}: Vault Agent injection without {VAULT}role")
        token_volume = annotations.get(f"{VAULT}agent-service-account-token-volume-name")
        if pod.get("automountServiceAccountToken") is False:
            sources = volumes.get(token_volume, {}).get("projected", {}).get("sources", [])
            if not any("serviceAccountToken" in source for source in sources):
                fail(f"{case}: no ServiceAccount token is mounted, and {VAULT}agent-service-account-token-volume-name "
                     f"({token_volume!r}) names no projected token volume: the agent cannot log in")
            if token_volume in {m["name"] for m in container.get("volumeMounts", [])}:
                fail(f"{case}: barkd mounts the Vault Agent's ServiceAccount token volume {token_volume}")
        prefix = f"{VAULT}agent-inject-secret-"
        for key, path in annotations.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix):]
            file = annotations.get(f"{VAULT}agent-inject-file-{name}", name)
            template_text = annotations.get(f"{VAULT}agent-inject-template-{name}", "")
            match = VAULT_TEMPLATE.match(template_text)
            if not match or match["path"] != path:
                fail(f"{case}: {VAULT}agent-inject-template-{name} must render only the value of {path}: {template_text!r}")
            supplied[f"{base}/{file}"] = f"Vault Agent {path}" + (f" key {match['key']}" if match else "")
    return supplied


def check_promises(docs: list[dict], values: dict, case: str) -> None:
    """What the chart promises about barkd's Deployment, whatever the values."""
    deployment = barkd_deployment(docs)
    if deployment is None:
        fail(f"{case}: expected one Deployment named {RELEASE}")
        return
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    probes = {name: container.get(name, {}).get("httpGet", {}).get("path")
              for name in ("startupProbe", "livenessProbe", "readinessProbe")}
    # The startup probe asks /livez: /readyz stays 503 while the database is down at the
    # first start, and a startup probe on it would restart the pod in a loop.
    if probes != {"startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"}:
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
    grace = int(env.get("BARKD_SHUTDOWN_GRACE", "20s").rstrip("s"))
    sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    if pod["terminationGracePeriodSeconds"] <= grace + sleep:
        fail(f"{case}: terminationGracePeriodSeconds {pod['terminationGracePeriodSeconds']} is not longer than shutdown grace {grace} s + preStop {sleep} s")
    if "--host=0.0.0.0" not in container.get("args", []):
        fail(f"{case}: barkd does not bind 0.0.0.0")
    for item in container.get("env", []):
        if "valueFrom" in item or "PASSWORD" in item["name"] and not item["name"].endswith("_FILE"):
            fail(f"{case}: secret passed as an environment variable: {item['name']}")
    check_data_and_strategy(docs, deployment, values, case)
    check_secret_files(docs, deployment, values, case)
    check_pdb(docs, values, case)
    accounts = by_kind(docs, "ServiceAccount")
    if accounts and any(a.get("automountServiceAccountToken") is not False for a in accounts):
        fail(f"{case}: ServiceAccount automounts its token")
    tests = [d for d in by_kind(docs, "Pod") if d["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    if not tests or "/healthcheck" not in json.dumps(tests[0]["spec"]):
        fail(f"{case}: no helm test pod checking /healthcheck")


def check_data_and_strategy(docs: list[dict], deployment: dict, values: dict, case: str) -> None:
    """SQLite: one pod at a time (Recreate) on a PersistentVolumeClaim; MariaDB: a rolling
    update that keeps every pod available, the data directory an emptyDir."""
    shared = values.get("mariadb", {}).get("enabled") or values.get("database", {}).get("url")
    persistence = values.get("persistence", {})
    strategy = deployment["spec"]["strategy"]
    pod = deployment["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0].get("volumeMounts", [])}
    data = next((v for v in pod.get("volumes", []) if v["name"] == mounts.get("/var/lib/barkd")), None)
    claims = by_kind(docs, "PersistentVolumeClaim")
    if data is None:
        fail(f"{case}: nothing is mounted at /var/lib/barkd")
        return
    if shared:
        if strategy.get("type") != "RollingUpdate" or strategy.get("rollingUpdate", {}).get("maxUnavailable") != 0:
            fail(f"{case}: with MariaDB the rolling update must keep every pod available (maxUnavailable 0): {strategy}")
        if "emptyDir" not in data or claims:
            fail(f"{case}: with MariaDB the data directory should be an emptyDir and no claim rendered: {data}, {len(claims)} claims")
        return
    if strategy != {"type": "Recreate"}:
        fail(f"{case}: the embedded SQLite must be rolled out with Recreate (never two pods on one counter): {strategy}")
    if deployment["spec"].get("replicas", 1) > 1 or by_kind(docs, "HorizontalPodAutoscaler"):
        fail(f"{case}: the embedded SQLite rendered with more than one replica")
    if persistence.get("enabled", True) is False:
        if "emptyDir" not in data:
            fail(f"{case}: persistence.enabled false but the data directory is {data}")
        return
    claim_name = data.get("persistentVolumeClaim", {}).get("claimName")
    if not claim_name:
        fail(f"{case}: the SQLite data directory is not on a PersistentVolumeClaim: {data}")
    elif persistence.get("existingClaim"):
        if claim_name != persistence["existingClaim"] or claims:
            fail(f"{case}: existingClaim {persistence['existingClaim']} should be used and no claim created ({claim_name}, {len(claims)} claims)")
    elif [c["metadata"]["name"] for c in claims] != [claim_name]:
        fail(f"{case}: the Deployment claims {claim_name}, the chart renders claims {[c['metadata']['name'] for c in claims]}")
    elif "ReadWriteOnce" not in claims[0]["spec"]["accessModes"] and "ReadWriteOncePod" not in claims[0]["spec"]["accessModes"]:
        fail(f"{case}: the SQLite claim's accessModes are {claims[0]['spec']['accessModes']}")


def secret_source(values: dict) -> str:
    if values.get("vault", {}).get("agentInject", {}).get("enabled"):
        return "vault-agent"
    if values.get("secretsStoreCSI", {}).get("enabled"):
        return "csi"
    return "secret"


def check_secret_files(docs: list[dict], deployment: dict, values: dict, case: str) -> None:
    """Each BARKD_*_FILE names a file the configured source puts exactly there; with Vault
    or the CSI driver no Kubernetes Secret is rendered or mounted."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    shared = values.get("mariadb", {}).get("enabled") or values.get("database", {}).get("url")
    wanted = {}
    if shared:
        wanted["BARKD_DB_PASSWORD_FILE"] = f"{SECRET_DIR}/db-password"
    if values.get("adminApi", {}).get("enabled"):
        wanted["BARKD_ADMIN_TOKEN_FILE"] = f"{SECRET_DIR}/admin-token"
    for name, path in wanted.items():
        if env.get(name) != path:
            fail(f"{case}: {name} is {env.get(name)!r}, expected {path}")
    supplied = supplied_files(docs, deployment, case)
    source = secret_source(values)
    kinds = {"secret": "Secret ", "csi": "CSI ", "vault-agent": "Vault Agent "}
    for name, path in env.items():
        if not name.endswith("_FILE"):
            continue
        if path not in supplied:
            fail(f"{case}: {name}={path}, but nothing puts a file there (supplied: {sorted(supplied)})")
        elif not supplied[path].startswith(kinds[source]):
            fail(f"{case}: {path} comes from {supplied[path]}, not from the configured source {source}")
    if source != "secret":
        volumes = deployment["spec"]["template"]["spec"].get("volumes", [])
        if by_kind(docs, "Secret") or any("secret" in v for v in volumes):
            fail(f"{case}: secrets come from {source}, but a Kubernetes Secret is rendered or mounted")


def check_pdb(docs: list[dict], values: dict, case: str) -> None:
    """A PodDisruptionBudget only over two or more pods, and one that lets a pod go."""
    autoscaling = values.get("autoscaling", {})
    fewest = autoscaling.get("minReplicas", 2) if autoscaling.get("enabled") else values.get("replicaCount", 1)
    for pdb in by_kind(docs, "PodDisruptionBudget"):
        spec = pdb["spec"]
        if fewest < 2:
            fail(f"{case}: a PodDisruptionBudget over at most one pod ({fewest}) blocks node drains")
        if "minAvailable" in spec and (spec["minAvailable"] == "100%" or isinstance(spec["minAvailable"], int) and spec["minAvailable"] >= fewest):
            fail(f"{case}: PodDisruptionBudget minAvailable {spec['minAvailable']} leaves no pod evictable of {fewest}")
        if ("minAvailable" in spec) == ("maxUnavailable" in spec):
            fail(f"{case}: PodDisruptionBudget needs exactly one of minAvailable and maxUnavailable: {spec}")
        if spec.get("maxUnavailable") in (0, "0%"):
            fail(f"{case}: PodDisruptionBudget maxUnavailable 0 blocks node drains")


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
        {"persistence": {"enabled": "yes"}},
        {"persistence": {"accessModes": ["ReadWriteSometimes"]}},
        {"persistence": {"size": "big"}},
        {"podDisruptionBudget": {"maxUnavailable": 0}},
        {"podDisruptionBudget": {"minAvailable": "all"}},
        {"vault": {"agentInject": {"enabled": "true"}}},
        {"vault": {"agentInject": {"annotations": {"example.com/x": "y"}}}},
        {"vault": {"dbPassword": {"path": "secret data barkd"}}},
        {"vault": {"kvVersion": 3}},
        {"secretsStoreCSI": {"parameters": {"objects": ["not", "a", "string"]}}},
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
    url = {"url": "mariadb://u@h:3306/db"}
    guards = [
        ({"terminationGracePeriodSeconds": 25}, "terminationGracePeriodSeconds"),
        ({"replicaCount": 3}, "needs MariaDB: set database.url or mariadb.enabled"),
        ({"autoscaling": {"enabled": True}}, "needs MariaDB: set database.url or mariadb.enabled"),
        ({"mariadb": {"enabled": True}, "database": url}, "not both"),
        ({"database": url, "vault": {"agentInject": {"enabled": True}}, "secretsStoreCSI": {"enabled": True}}, "not both"),
        ({"database": url, "vault": {"agentInject": {"enabled": True}}, "existingSecret": "creds"}, "unset existingSecret"),
        ({"mariadb": {"enabled": True}, "secretsStoreCSI": {"enabled": True}}, "point database.url"),
        ({"database": url, "secretsStoreCSI": {"enabled": True, "provider": "gcp"}}, "needs secretsStoreCSI.parameters"),
        ({"database": url, "replicaCount": 2, "podDisruptionBudget": {"enabled": True, "minAvailable": 2}}, "below the replica count"),
        ({"database": url, "replicaCount": 3, "podDisruptionBudget": {"enabled": True, "minAvailable": "100%"}}, "below the replica count"),
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
    cases = {"default": {}}
    # Every ci/*-values.yaml (as chart-testing would): all features, Vault Agent, CSI.
    for path in sorted((chart / "ci").glob("*-values.yaml")):
        cases[path.name.removesuffix("-values.yaml")] = yaml.safe_load(path.read_text())
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
