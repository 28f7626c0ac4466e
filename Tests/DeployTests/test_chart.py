"""Render tests for charts/barkd (Helm v4 SDK through helm-python-sdk), one or more per
defect issue 9 lists for the chart: the SQLite database on a PersistentVolumeClaim rolled
out with Recreate, more than one SQLite replica refused, the PodDisruptionBudget only over
two or more pods, the default image tag, and barkd's secret files from Vault (Agent
injector or the Secrets Store CSI driver) at the paths BARKD_*_FILE name.

BARKD_CHART_UNDER_TEST renders another copy of the chart (e.g. an older one, to see these
tests fail on the defects they describe)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import helm_python
import pytest
import yaml

import check_chart
import findings
from check_chart import by_kind, documents

CHART = Path(os.environ.get("BARKD_CHART_UNDER_TEST") or Path(__file__).resolve().parents[2] / "charts" / "barkd")
APP_VERSION = yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
MARIADB = {"database": {"url": "mariadb://barkd@barkd-db.barkd.svc.cluster.local:3306/barkd"}}
VAULT = "vault.hashicorp.com/"


def render(values: dict) -> list[dict]:
    return documents(check_chart.render(CHART, values))


def render_error(values: dict) -> str:
    with pytest.raises(helm_python.HelmError) as raised:
        check_chart.render(CHART, values)
    return str(raised.value)


def deployment(docs: list[dict]) -> dict:
    found = check_chart.barkd_deployment(docs)
    assert found is not None, "no barkd Deployment rendered"
    return found


def pod_spec(docs: list[dict]) -> dict:
    return deployment(docs)["spec"]["template"]["spec"]


def volume_at(docs: list[dict], mount_path: str) -> dict | None:
    pod = pod_spec(docs)
    names = [m["name"] for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == mount_path]
    assert len(names) <= 1, f"{len(names)} mounts at {mount_path}"
    return next((v for v in pod["volumes"] if names and v["name"] == names[0]), None)


def env(docs: list[dict]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in pod_spec(docs)["containers"][0]["env"]}


@pytest.fixture(autouse=True)
def no_leftover_findings():
    """check_chart's helpers report through findings.fail: each test starts clean."""
    findings.failures.clear()
    yield
    findings.failures.clear()


# --- SQLite: a PersistentVolumeClaim and the Recreate strategy --------------------------

def test_default_sqlite_lives_on_a_claim_and_rolls_out_with_recreate():
    docs = render({})
    claims = by_kind(docs, "PersistentVolumeClaim")
    assert [c["metadata"]["name"] for c in claims] == ["barkd-data"]
    assert claims[0]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claims[0]["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert "storageClassName" not in claims[0]["spec"], "empty storageClassName must mean the cluster default"
    assert volume_at(docs, "/var/lib/barkd") == {"name": "data", "persistentVolumeClaim": {"claimName": "barkd-data"}}
    assert deployment(docs)["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment(docs)["spec"]["replicas"] == 1
    assert "BARKD_DATABASE" not in env(docs)


def test_claim_settings_and_existing_claim():
    docs = render({"persistence": {"size": "5Gi", "storageClassName": "premium-rwo",
                                   "accessModes": ["ReadWriteOncePod"], "annotations": {"team": "dogs"}}})
    claim = by_kind(docs, "PersistentVolumeClaim")[0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert claim["spec"]["storageClassName"] == "premium-rwo"
    assert claim["spec"]["accessModes"] == ["ReadWriteOncePod"]
    assert claim["metadata"]["annotations"] == {"team": "dogs"}

    docs = render({"persistence": {"existingClaim": "barkd-counter"}})
    assert by_kind(docs, "PersistentVolumeClaim") == []
    assert volume_at(docs, "/var/lib/barkd")["persistentVolumeClaim"] == {"claimName": "barkd-counter"}


def test_sqlite_without_persistence_is_an_emptydir_still_one_pod_at_a_time():
    docs = render({"persistence": {"enabled": False}})
    assert by_kind(docs, "PersistentVolumeClaim") == []
    assert "emptyDir" in volume_at(docs, "/var/lib/barkd")
    assert deployment(docs)["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("values", [
    {"replicaCount": 2},
    {"autoscaling": {"enabled": True}},
    {"autoscaling": {"enabled": True, "minReplicas": 1}},
    {"replicaCount": 2, "persistence": {"enabled": False}},
])
def test_sqlite_refuses_more_than_one_replica_with_one_clear_message(values):
    message = render_error(values)
    assert "more than one replica (or autoscaling) needs MariaDB: set database.url or mariadb.enabled" in message


@pytest.mark.parametrize("values", [MARIADB, {"mariadb": {"enabled": True}}])
def test_mariadb_rolls_with_surge_and_keeps_an_emptydir(values):
    docs = render({**values, "replicaCount": 3})
    assert deployment(docs)["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    assert deployment(docs)["spec"]["replicas"] == 3
    data = volume_at(docs, "/var/lib/barkd")
    assert data["name"] == "data" and data["emptyDir"] == {"sizeLimit": "1Gi"}
    assert [c for c in by_kind(docs, "PersistentVolumeClaim") if c["metadata"]["name"] == "barkd-data"] == []


# --- PodDisruptionBudget ------------------------------------------------------------------

@pytest.mark.parametrize("values", [
    {"podDisruptionBudget": {"enabled": True}},
    {**MARIADB, "replicaCount": 1, "podDisruptionBudget": {"enabled": True}},
    {**MARIADB, "autoscaling": {"enabled": True, "minReplicas": 1}, "podDisruptionBudget": {"enabled": True}},
])
def test_no_budget_over_a_single_pod(values):
    assert by_kind(render(values), "PodDisruptionBudget") == []


@pytest.mark.parametrize("values", [
    {**MARIADB, "replicaCount": 2, "podDisruptionBudget": {"enabled": True}},
    {**MARIADB, "autoscaling": {"enabled": True, "minReplicas": 2}, "podDisruptionBudget": {"enabled": True}},
])
def test_a_budget_over_two_pods_lets_one_go(values):
    budgets = by_kind(render(values), "PodDisruptionBudget")
    assert len(budgets) == 1
    assert budgets[0]["spec"]["maxUnavailable"] == 1 and "minAvailable" not in budgets[0]["spec"]
    assert budgets[0]["spec"]["selector"]["matchLabels"] == deployment(render(values))["spec"]["selector"]["matchLabels"]


def test_a_budget_is_not_rendered_when_disabled():
    assert by_kind(render({**MARIADB, "replicaCount": 2}), "PodDisruptionBudget") == []


def test_min_available_below_the_replica_count_replaces_max_unavailable():
    docs = render({**MARIADB, "replicaCount": 3, "podDisruptionBudget": {"enabled": True, "minAvailable": 2}})
    assert by_kind(docs, "PodDisruptionBudget")[0]["spec"]["minAvailable"] == 2
    assert "maxUnavailable" not in by_kind(docs, "PodDisruptionBudget")[0]["spec"]


@pytest.mark.parametrize("values", [
    {"replicaCount": 2, "podDisruptionBudget": {"enabled": True, "minAvailable": 2}},
    {"autoscaling": {"enabled": True, "minReplicas": 2}, "podDisruptionBudget": {"enabled": True, "minAvailable": 3}},
    {"replicaCount": 4, "podDisruptionBudget": {"enabled": True, "minAvailable": "100%"}},
])
def test_min_available_that_blocks_every_eviction_fails(values):
    assert "must be below the replica count" in render_error({**MARIADB, **values})


# --- image --------------------------------------------------------------------------------

def test_default_image_tag_is_the_app_version_cd_pushes_and_is_pulled_always():
    container = pod_spec(render({}))["containers"][0]
    assert container["image"] == f"docker.io/barkd/barkd:{APP_VERSION}"
    assert container["imagePullPolicy"] == "Always", "the appVersion tag moves with every CD run"


@pytest.mark.parametrize("image, reference, policy", [
    ({"tag": "1234"}, "docker.io/barkd/barkd:1234", "IfNotPresent"),
    ({"tag": "latest"}, "docker.io/barkd/barkd:latest", "Always"),
    ({"digest": "sha256:" + "a" * 64}, "docker.io/barkd/barkd@sha256:" + "a" * 64, "IfNotPresent"),
    ({"tag": "1234", "pullPolicy": "Always"}, "docker.io/barkd/barkd:1234", "Always"),
])
def test_a_pinned_image_is_pulled_once(image, reference, policy):
    container = pod_spec(render({"image": image}))["containers"][0]
    assert (container["image"], container["imagePullPolicy"]) == (reference, policy)


def test_notes_name_the_image_and_the_published_tag(tmp_path):
    notes = next(text for path, text in check_chart.render(CHART, {}).items() if path.endswith("NOTES.txt"))
    assert f"Image: docker.io/barkd/barkd:{APP_VERSION}" in notes
    assert "published with image tag" not in notes
    published = tmp_path / "barkd"
    shutil.copytree(CHART, published)
    chart_yaml = yaml.safe_load((published / "Chart.yaml").read_text())
    chart_yaml["annotations"] = {"barkd/image-tag": "4711"}
    (published / "Chart.yaml").write_text(yaml.safe_dump(chart_yaml))
    notes = next(text for path, text in check_chart.render(published, {}).items() if path.endswith("NOTES.txt"))
    assert "published with image tag 4711" in notes


# --- secret files: Kubernetes Secret, Vault Agent, Secrets Store CSI -----------------------

def test_kubernetes_secret_supplies_the_files_by_default():
    docs = render({**MARIADB, "adminApi": {"enabled": True}})
    assert env(docs)["BARKD_DB_PASSWORD_FILE"] == "/var/run/secrets/barkd/db-password"
    assert env(docs)["BARKD_ADMIN_TOKEN_FILE"] == "/var/run/secrets/barkd/admin-token"
    supplied = check_chart.supplied_files(docs, deployment(docs), "test")
    assert supplied == {
        "/var/run/secrets/barkd/db-password": "Secret barkd-secrets key db-password",
        "/var/run/secrets/barkd/admin-token": "Secret barkd-secrets key admin-token",
    }
    assert len(by_kind(docs, "Secret")) == 1


VAULT_AGENT = {**MARIADB, "adminApi": {"enabled": True},
               "vault": {"role": "barkd-prod", "agentInject": {"enabled": True}}}


def test_vault_agent_annotations_put_each_value_where_barkd_reads_it():
    docs = render(VAULT_AGENT)
    annotations = deployment(docs)["spec"]["template"]["metadata"]["annotations"]
    assert annotations[f"{VAULT}agent-inject"] == "true"
    assert annotations[f"{VAULT}role"] == "barkd-prod"
    assert annotations[f"{VAULT}agent-pre-populate-only"] == "true"
    assert annotations[f"{VAULT}secret-volume-path"] == "/var/run/secrets/barkd"
    assert annotations[f"{VAULT}agent-inject-secret-db-password"] == "secret/data/barkd"
    assert annotations[f"{VAULT}agent-inject-template-db-password"] == (
        '{{- with secret "secret/data/barkd" -}}{{ index .Data.data "db-password" }}{{- end }}')
    assert annotations[f"{VAULT}agent-inject-template-admin-token"] == (
        '{{- with secret "secret/data/barkd" -}}{{ index .Data.data "admin-token" }}{{- end }}')
    # The files the injector writes are exactly the ones barkd is told to read.
    supplied = check_chart.supplied_files(docs, deployment(docs), "test")
    files = {value for name, value in env(docs).items() if name.endswith("_FILE")}
    assert files == set(supplied) == {"/var/run/secrets/barkd/db-password", "/var/run/secrets/barkd/admin-token"}
    assert all(source.startswith("Vault Agent secret/data/barkd") for source in supplied.values())
    assert findings.failures == []


def test_vault_agent_replaces_the_kubernetes_secret_entirely():
    docs = render(VAULT_AGENT)
    pod = pod_spec(docs)
    assert by_kind(docs, "Secret") == []
    assert not any("secret" in volume for volume in pod["volumes"])
    # The injector mounts its own volume at secret-volume-path: a second mount there would
    # make the pod invalid.
    assert volume_at(docs, "/var/run/secrets/barkd") is None


def test_vault_agent_logs_in_with_a_token_barkd_never_mounts():
    docs = render({**VAULT_AGENT, "vault": {"agentInject": {"enabled": True, "tokenAudience": "vault"}}})
    pod = pod_spec(docs)
    annotations = deployment(docs)["spec"]["template"]["metadata"]["annotations"]
    name = annotations[f"{VAULT}agent-service-account-token-volume-name"]
    token = next(v for v in pod["volumes"] if v["name"] == name)
    assert token["projected"]["sources"][0]["serviceAccountToken"]["audience"] == "vault"
    assert pod["automountServiceAccountToken"] is False
    assert name not in {m["name"] for m in pod["containers"][0]["volumeMounts"]}


def test_vault_agent_options_kv_version_paths_sidecar_and_network_policy():
    docs = render({**VAULT_AGENT, "networkPolicy": {"enabled": True},
                   "vault": {"kvVersion": 1, "dbPassword": {"path": "kv/barkd/db", "key": "password"},
                             "agentInject": {"enabled": True, "prePopulateOnly": False, "port": 8443}}})
    annotations = deployment(docs)["spec"]["template"]["metadata"]["annotations"]
    assert annotations[f"{VAULT}agent-pre-populate-only"] == "false"
    assert annotations[f"{VAULT}agent-inject-secret-db-password"] == "kv/barkd/db"
    assert annotations[f"{VAULT}agent-inject-template-db-password"] == (
        '{{- with secret "kv/barkd/db" -}}{{ index .Data "password" }}{{- end }}')
    egress = by_kind(docs, "NetworkPolicy")[0]["spec"]["egress"]
    assert {"port": 8443, "protocol": "TCP"} in [port for rule in egress for port in rule["ports"]]


def test_vault_agent_without_secret_files_injects_nothing():
    annotations = deployment(render({"vault": {"agentInject": {"enabled": True}}}))["spec"]["template"]["metadata"]["annotations"]
    assert not [key for key in annotations if key.startswith(VAULT)]


CSI = {**MARIADB, "adminApi": {"enabled": True},
       "secretsStoreCSI": {"enabled": True, "vaultAddress": "https://vault.example:8200"}}


def test_csi_volume_and_secret_provider_class_supply_barkd_files():
    docs = render(CSI)
    assert volume_at(docs, "/var/run/secrets/barkd") == {"name": "secrets", "csi": {
        "driver": "secrets-store.csi.k8s.io", "readOnly": True,
        "volumeAttributes": {"secretProviderClass": "barkd"}}}
    spc = by_kind(docs, "SecretProviderClass")
    assert len(spc) == 1 and spc[0]["spec"]["provider"] == "vault"
    assert spc[0]["spec"]["parameters"]["vaultAddress"] == "https://vault.example:8200"
    assert spc[0]["spec"]["parameters"]["roleName"] == "barkd"
    assert yaml.safe_load(spc[0]["spec"]["parameters"]["objects"]) == [
        {"objectName": "db-password", "secretPath": "secret/data/barkd", "secretKey": "db-password"},
        {"objectName": "admin-token", "secretPath": "secret/data/barkd", "secretKey": "admin-token"},
    ]
    supplied = check_chart.supplied_files(docs, deployment(docs), "test")
    files = {value for name, value in env(docs).items() if name.endswith("_FILE")}
    assert files == set(supplied)
    assert by_kind(docs, "Secret") == []
    assert not any("secret" in volume for volume in pod_spec(docs)["volumes"])
    assert findings.failures == []


def test_csi_with_another_provider_passes_its_parameters():
    objects = "- resourceName: projects/p/secrets/barkd-db/versions/latest\n  path: db-password\n"
    docs = render({**MARIADB, "secretsStoreCSI": {"enabled": True, "provider": "gke",
                                                  "driver": "secrets-store-gke.csi.k8s.io",
                                                  "parameters": {"secrets": objects}}})
    spc = by_kind(docs, "SecretProviderClass")[0]
    assert spc["spec"] == {"provider": "gke", "parameters": {"secrets": objects}}
    assert volume_at(docs, "/var/run/secrets/barkd")["csi"]["driver"] == "secrets-store-gke.csi.k8s.io"


@pytest.mark.parametrize("values, words", [
    ({**VAULT_AGENT, "secretsStoreCSI": {"enabled": True}}, "not both"),
    ({**VAULT_AGENT, "existingSecret": "barkd-credentials"}, "unset existingSecret"),
    ({**CSI, "existingSecret": "barkd-credentials"}, "unset existingSecret"),
    ({"mariadb": {"enabled": True}, "vault": {"agentInject": {"enabled": True}}}, "point database.url"),
])
def test_vault_and_csi_refuse_a_kubernetes_secret(values, words):
    assert words in render_error(values)


# --- the checker itself: it must catch what these tests describe --------------------------

def test_checker_reports_a_vault_file_barkd_does_not_read():
    docs = render(VAULT_AGENT)
    annotations = deployment(docs)["spec"]["template"]["metadata"]["annotations"]
    annotations[f"{VAULT}secret-volume-path"] = "/vault/secrets"
    check_chart.check_secret_files(docs, deployment(docs), VAULT_AGENT, "mutated")
    assert any("nothing puts a file there" in failure for failure in findings.failures)


def test_checker_reports_rolling_sqlite_and_a_single_pod_budget():
    docs = render({})
    deployment(docs)["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    docs.append({"kind": "PodDisruptionBudget", "metadata": {"name": "barkd"}, "spec": {"minAvailable": 1}})
    check_chart.check_data_and_strategy(docs, deployment(docs), {}, "mutated")
    check_chart.check_pdb(docs, {}, "mutated")
    assert any("Recreate" in failure for failure in findings.failures)
    assert any("blocks node drains" in failure for failure in findings.failures)


def test_argocd_folder_tolerates_other_applications_and_plain_manifests(tmp_path):
    chart = CHART.resolve()
    synced = {"automated": {"prune": True, "selfHeal": True}}
    barkd = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "barkd"},
             "spec": {"source": {"repoURL": "https://barkd.github.io/barkd", "chart": "barkd", "targetRevision": ">=0.1.0",
                                 "helm": {"valuesObject": MARIADB}},
                      "destination": {"namespace": "barkd"}, "syncPolicy": synced}}
    operator = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "mariadb-operator"},
                "spec": {"source": {"repoURL": "https://helm.mariadb.com/mariadb-operator", "chart": "mariadb-operator",
                                    "targetRevision": "0.38.1"},
                         "destination": {"namespace": "mariadb-operator"}, "syncPolicy": synced}}
    database = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "barkd-database"},
                "spec": {"source": {"repoURL": "https://github.com/barkd/barkd.git", "path": "infra/argocd",
                                    "targetRevision": "main"},
                         "destination": {"namespace": "barkd"}, "syncPolicy": synced}}
    monitoring = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "monitoring"},
                  "spec": {"source": {"repoURL": "https://prometheus-community.github.io/helm-charts",
                                      "chart": "kube-prometheus-stack", "targetRevision": "65.5.0"},
                           "destination": {"namespace": "monitoring"}, "syncPolicy": synced}}
    (tmp_path / "database").mkdir()
    (tmp_path / "apps.yaml").write_text(yaml.safe_dump_all([barkd, operator, database, monitoring]))
    (tmp_path / "database" / "mariadb.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "k8s.mariadb.com/v1alpha1", "kind": "MariaDB", "metadata": {"name": "barkd-db"}, "spec": {}}))
    (tmp_path / "database" / "kustomization.yaml").write_text(yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": ["mariadb.yaml"]}))
    cases = check_chart.argocd_cases(tmp_path, chart)
    assert findings.failures == []
    assert cases == {"argocd-barkd": MARIADB}

    (tmp_path / "database" / "broken.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Secret"}))
    check_chart.argocd_cases(tmp_path, chart)
    assert any("broken.yaml" in failure and "metadata.name" in failure for failure in findings.failures)
    (tmp_path / "database" / "broken.yaml").unlink()
    findings.failures.clear()

    operator["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    (tmp_path / "apps.yaml").write_text(yaml.safe_dump_all([barkd, operator, database, monitoring]))
    check_chart.argocd_cases(tmp_path, chart)
    assert any("mariadb-operator" in failure and "self-heal" in failure for failure in findings.failures)


# --------------------------------------------------------------------------------------
# The database's CA: barkd verifies the MariaDB server's certificate (issue 10)
# --------------------------------------------------------------------------------------

def test_a_database_ca_is_mounted_and_the_url_verifies_the_identity():
    values = {**MARIADB, "database": {**MARIADB["database"], "tls": {"caSecret": "barkd-db-ca-bundle"}}}
    docs = render(values)
    url = env(docs)["BARKD_DATABASE"]
    assert url.endswith("?tls=verify-identity&tls-ca=/etc/barkd/db-ca/ca.crt"), url
    volume = volume_at(docs, "/etc/barkd/db-ca")
    assert volume and volume["secret"]["secretName"] == "barkd-db-ca-bundle", volume
    mount = next(m for m in pod_spec(docs)["containers"][0]["volumeMounts"] if m["mountPath"] == "/etc/barkd/db-ca")
    assert mount.get("readOnly") is True


def test_a_url_naming_verify_ca_keeps_it():
    values = {"database": {"url": MARIADB["database"]["url"] + "?tls=verify-ca", "tls": {"caSecret": "ca"}}}
    assert env(render(values))["BARKD_DATABASE"].endswith("?tls=verify-ca&tls-ca=/etc/barkd/db-ca/ca.crt")


@pytest.mark.parametrize("url", ["?tls=required", "?tls=disabled", "?tls=verify-identity&tls-ca=/x.pem"])
def test_a_ca_with_a_url_that_would_not_use_it_fails_to_render(url):
    values = {"database": {"url": MARIADB["database"]["url"] + url, "tls": {"caSecret": "ca"}}}
    assert render_error(values)


def test_without_a_ca_nothing_is_mounted():
    docs = render(MARIADB)
    assert volume_at(docs, "/etc/barkd/db-ca") is None
    assert "tls" not in env(docs)["BARKD_DATABASE"]
