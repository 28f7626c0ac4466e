"""Checks the Terraform roots under infra/terraform offline (terraform validate needs the
providers, which cannot be fetched here): every .tf file is parsed with python-hcl2 and
each root is held to what it promises.

  cluster   (infra/terraform)            S3 backend; google >= 6.11 (the DNS endpoint);
            a GKE cluster on a release channel with Workload Identity, private nodes and
            the DNS-based control-plane endpoint open to IAM-authorized traffic; a managed
            autoscaling node pool; CD's service account granted roles/container.developer;
            the DNS endpoint as an output; a region check that accepts every real region
  platform  (infra/terraform/platform)   S3 backend; kubernetes and helm providers on the
            cluster's DNS endpoint with a Google access token; namespaces barkd,
            monitoring, argocd; Secrets barkd-credentials and grafana-admin with their
            keys, from random_password; Argo CD from its own chart repository, pinned
  bootstrap (infra/terraform/bootstrap)  local state; the state bucket versioned,
            encrypted, never public, TLS only; the lock table keyed on LockID, on demand,
            with point-in-time recovery
  all       providers pinned (hashicorp/*, ~> or =); variables typed and described,
            outputs described; backend examples agree with the bootstrap's names

Grafana: the kube-prometheus-stack values take the admin password from the platform's
grafana-admin Secret, and no committed YAML (values files, Argo CD Applications) or
workflow carries a literal Grafana admin password.

The validation regexes (region, deploy service account) are evaluated with Python's re
against real and bad values, and, where terraform is installed, by terraform itself
(`terraform test` on a copy of the variable files: they need no provider).

Last, a self-test breaks a copy of the parsed configuration in each promised way and
requires every break to be reported. Exit status 1 on any finding."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import hcl2
import yaml
from findings import fail, verdict

REPO = Path(__file__).resolve().parents[2]
GRAFANA_VALUES = REPO / "infra/monitoring/kube-prometheus-stack/values.yaml"

# Cases for the variable validations: (valid values, invalid values).
VALIDATION_CASES = {
    "region": (
        ["europe-west1", "europe-west10", "europe-west12", "us-east5", "us-central1", "me-central2",
         "me-west1", "northamerica-northeast1", "northamerica-south1", "australia-southeast2",
         "africa-south1", "asia-northeast3", "southamerica-west1"],
        ["europe_west1", "Europe-west1", "europe-west", "europe-west1-b", "us-central1-a",
         "europe-west0", "europe-west01", "eu-west-1", "europewest1", "", "europe-west1 ",
         "europe-west1\n"],
    ),
    "deploy_service_account": (
        ["barkd-deploy@barkd-demo-123456.iam.gserviceaccount.com",
         "cd-runner@my-project-42.iam.gserviceaccount.com"],
        ["123456789-compute@developer.gserviceaccount.com", "someone@example.com",
         "barkd-deploy@barkd-demo-123456.iam.gserviceaccount.com.evil.example",
         "barkd-deploy@barkd-demo-123456xiamxgserviceaccountxcom", "barkd-deploy"],
    ),
}
IDENTITY_FILE = "cluster_identity.tf"


# --- parsing ------------------------------------------------------------------------------

def clean(value):
    """python-hcl2 keeps HCL's quotes on keys and strings and marks blocks and comments:
    drop all three."""
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def merged(directory: Path) -> dict:
    out: dict[str, list] = {}
    for path in sorted(directory.glob("*.tf")):
        try:
            with path.open() as handle:
                parsed = clean(hcl2.load(handle))
        except Exception as error:  # the parser's own error types vary by version
            fail(f"{path}: does not parse: {error}")
            continue
        for key, blocks in parsed.items():
            out.setdefault(key, []).extend(blocks)
    return out


def load_hcl(path: Path) -> dict:
    try:
        return clean(hcl2.loads(path.read_text()))
    except Exception as error:
        fail(f"{path}: does not parse: {error}")
        return {}


def blocks(config: dict, section: str, kind: str) -> dict:
    """resource/data blocks of one type, by name."""
    found = {}
    for block in config.get(section, []):
        for name, body in block.get(kind, {}).items():
            found[name] = body
    return found


def named(config: dict, section: str) -> dict:
    """variable/output blocks by name."""
    return {n: b for block in config.get(section, []) for n, b in block.items()}


def first(body: dict, key: str) -> dict:
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, list):
        return value[0] if value else {}
    return value or {}


def terraform_block(config: dict) -> dict:
    merged_block: dict = {}
    for block in config.get("terraform", []):
        merged_block.update(block)
    return merged_block


def with_locals(config: dict, text: str) -> str:
    """Replaces ${local.NAME} (and local.NAME inside an interpolation) with the local's text."""
    values = {n: v for block in config.get("locals", []) for n, v in block.items()}
    for name, value in values.items():
        text = text.replace("${local.%s}" % name, str(value)).replace("local.%s" % name, str(value))
    return text


def version_floor(constraint: str) -> tuple[int, ...] | None:
    """The lowest version a ~> or = constraint admits, or None if it is not pinned that way."""
    match = re.fullmatch(r"\s*(~>|=)\s*(\d+(?:\.\d+){0,2})\s*", constraint or "")
    return tuple(int(p) for p in match.group(2).split(".")) if match else None


# --- every root ---------------------------------------------------------------------------

def check_common(label: str, config: dict, problems: list[str]) -> None:
    block = terraform_block(config)
    if not block:
        problems.append(f"{label}: no terraform block")
        return
    if "required_version" not in block:
        problems.append(f"{label}: terraform.required_version is not set")
    providers = first(block, "required_providers")
    for name, spec in providers.items():
        if not isinstance(spec, dict) or spec.get("source") != f"hashicorp/{name}" \
                or version_floor(str(spec.get("version", ""))) is None:
            problems.append(f"{label}: provider {name} is not pinned (source hashicorp/{name}, "
                            f"version ~> X.Y or = X.Y.Z): {spec}")
    used = set()
    for section in ("resource", "data"):
        for entry in config.get(section, []):
            used.update(kind.split("_", 1)[0] for kind in entry)
    for entry in config.get("provider", []):
        used.update(entry)
    for name in sorted(used - set(providers) - {"terraform"}):
        problems.append(f"{label}: provider {name} is used but not in required_providers")

    variables = named(config, "variable")
    for name, body in variables.items():
        if not body.get("description") or "type" not in body:
            problems.append(f"{label}: variable {name} needs a description and a type")
    validated = [n for n, b in variables.items() if b.get("validation")]
    if len(validated) < len(variables) // 2:
        problems.append(f"{label}: only {len(validated)} of {len(variables)} variables are validated")
    outputs = named(config, "output")
    if not outputs:
        problems.append(f"{label}: no outputs")
    for name, body in outputs.items():
        if not body.get("description"):
            problems.append(f"{label}: output {name} has no description")


def check_s3_backend(label: str, config: dict, problems: list[str]) -> None:
    backend = first(terraform_block(config), "backend")
    if list(backend) != ["s3"]:
        problems.append(f"{label}: the backend is not s3 (state in the bootstrap's bucket): {backend}")


def check_dns_capable_google(label: str, config: dict, problems: list[str]) -> None:
    google = first(terraform_block(config), "required_providers").get("google", {})
    floor = version_floor(str(google.get("version", ""))) if isinstance(google, dict) else None
    if floor is None or floor < (6, 11):
        problems.append(f"{label}: hashicorp/google must be at least 6.11 (control_plane_endpoints_config, "
                        f"the DNS endpoint, came in 6.11.0): {google}")


def exactly_one(label: str, config: dict, kind: str, problems: list[str]) -> dict:
    """The resources of one type, with a finding unless there is exactly one."""
    found = blocks(config, "resource", kind)
    if len(found) != 1:
        problems.append(f"{label}: expected one {kind}, got {len(found)}")
    return found


# --- the cluster root ---------------------------------------------------------------------

def check_cluster(config: dict, problems: list[str]) -> None:
    label = "cluster"
    check_s3_backend(label, config, problems)
    check_dns_capable_google(label, config, problems)
    for name, cluster in exactly_one(label, config, "google_container_cluster", problems).items():
        where = f"{label}: cluster {name}"
        if cluster.get("remove_default_node_pool") is not True:
            problems.append(f"{where}: the default node pool is not removed (nodes come from a managed pool)")
        if not first(cluster, "release_channel").get("channel"):
            problems.append(f"{where}: no release channel")
        if not str(first(cluster, "workload_identity_config").get("workload_pool", "")).endswith(".svc.id.goog"):
            problems.append(f"{where}: Workload Identity is not configured")
        if first(cluster, "private_cluster_config").get("enable_private_nodes") is not True:
            problems.append(f"{where}: nodes are not private (private_cluster_config.enable_private_nodes)")
        dns = first(first(cluster, "control_plane_endpoints_config"), "dns_endpoint_config")
        if dns.get("allow_external_traffic") is not True:
            problems.append(f"{where}: the DNS-based control-plane endpoint is not open to IAM-authorized "
                            f"traffic (control_plane_endpoints_config.dns_endpoint_config."
                            f"allow_external_traffic = true): GitHub's runners could not reach the API")
        if "master_authorized_networks_config" not in cluster:
            problems.append(f"{where}: no master_authorized_networks_config: the IP endpoint would be open")

    pools = blocks(config, "resource", "google_container_node_pool")
    if not pools:
        problems.append(f"{label}: no google_container_node_pool")
    for name, pool in pools.items():
        autoscaling = first(pool, "autoscaling")
        if "min_node_count" not in autoscaling or "max_node_count" not in autoscaling:
            problems.append(f"{label}: node pool {name}: no autoscaling bounds")
        management = first(pool, "management")
        if management.get("auto_repair") is not True or management.get("auto_upgrade") is not True:
            problems.append(f"{label}: node pool {name}: auto-repair and auto-upgrade must be on: {management}")
        if first(first(pool, "node_config"), "workload_metadata_config").get("mode") != "GKE_METADATA":
            problems.append(f"{label}: node pool {name}: workload metadata mode is not GKE_METADATA")

    members = blocks(config, "resource", "google_project_iam_member")
    if not any(m.get("role") == "roles/container.developer"
               and "var.deploy_service_account" in str(m.get("member", "")) for m in members.values()):
        problems.append(f"{label}: CD's service account (var.deploy_service_account) is not granted "
                        f"roles/container.developer (container.clusters.connect: the DNS endpoint)")
    outputs = named(config, "output")
    if "dns_endpoint_config" not in str(outputs.get("cluster_dns_endpoint", {}).get("value", "")):
        problems.append(f"{label}: output cluster_dns_endpoint does not give the DNS endpoint")
    networks = named(config, "variable").get("master_authorized_networks", {})
    if "operator" not in str(networks.get("description", "")).lower():
        problems.append(f"{label}: master_authorized_networks is not documented as operators' addresses")


def validation_pattern(config: dict, variable: str) -> str | None:
    """The pattern of `can(regex("PATTERN", var.NAME))` in the variable's validation, with
    HCL's string escapes undone."""
    body = named(config, "variable").get(variable, {})
    for validation in body.get("validation", []):
        condition = str(validation.get("condition", ""))
        match = re.search(r'regex\(\\?"((?:[^"\\]|\\.)*?)\\?",\s*var\.' + re.escape(variable) + r"\)", condition)
        if match:
            # python-hcl2 keeps the HCL source text: \" and \\ are HCL escapes.
            return re.sub(r"\\(.)", r"\1", match.group(1))
    return None


def check_patterns(config: dict, problems: list[str]) -> int:
    """Evaluates each validation regex with Python's re the way Terraform's RE2 does; returns
    the number of cases tried."""
    tried = 0
    for variable, (valid, invalid) in VALIDATION_CASES.items():
        pattern = validation_pattern(config, variable)
        if pattern is None:
            problems.append(f"cluster: variable {variable} has no can(regex(...)) validation")
            continue
        # Keep to what RE2 and Python's re read alike: no (?...) groups, no backreferences.
        if "(?" in pattern or re.search(r"\\[1-9]", pattern):
            problems.append(f"cluster: {variable}'s pattern {pattern!r} uses syntax RE2 and Python differ on")
            continue
        # RE2's $ is the end of the text; Python's also matches before a final newline.
        compiled = re.compile(re.sub(r"\$$", r"\\Z", pattern))
        for value in valid:
            tried += 1
            if not compiled.search(value):
                problems.append(f"cluster: {variable} rejects the valid {value!r} (pattern {pattern!r})")
        for value in invalid:
            tried += 1
            if compiled.search(value):
                problems.append(f"cluster: {variable} accepts the invalid {value!r} (pattern {pattern!r})")
    return tried


def hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def terraform_validation_test(cluster_dir: Path) -> None:
    """Runs the same cases through terraform's own validation (`terraform test` on a copy
    of the variable files), where terraform is installed."""
    terraform = shutil.which("terraform")
    if not terraform:
        print("terraform validations: SKIPPED: terraform is not installed here "
              "(the Python evaluation above still ran)")
        return
    env = {k: v for k, v in os.environ.items() if k != "TF_CLI_CONFIG_FILE"}
    env["CHECKPOINT_DISABLE"] = "1"
    with tempfile.TemporaryDirectory(prefix="barkd-tf-validations.") as work:
        for name in (IDENTITY_FILE, "variables.tf"):
            shutil.copy(cluster_dir / name, Path(work) / name)
        # One file a case: terraform test skips the rest of a file after a failed run.
        (Path(work) / "tests").mkdir()
        names = {}
        for variable, (valid, invalid) in VALIDATION_CASES.items():
            for value, ok in [(v, True) for v in valid] + [(v, False) for v in invalid]:
                names[f"case_{len(names) + 1}"] = f"{variable} = {value!r} {'accepted' if ok else 'rejected'}"
                given = {"project_id": "barkd-demo-123456",
                         "deploy_service_account": "barkd-deploy@barkd-demo-123456.iam.gserviceaccount.com",
                         variable: value}
                lines = ["variables {", *(f"  {k} = {hcl_string(v)}" for k, v in given.items()), "}", "",
                         'run "validate" {', "  command = plan"]
                if not ok:
                    lines.append(f"  expect_failures = [var.{variable}]")
                lines.append("}")
                (Path(work) / f"tests/case_{len(names)}.tftest.hcl").write_text("\n".join(lines) + "\n")
        runs = len(names)
        init = subprocess.run([terraform, "init", "-input=false", "-backend=false", "-no-color"], cwd=work,
                              env=env, capture_output=True, text=True)
        if init.returncode != 0:
            fail(f"terraform init of the variable files failed:\n{init.stdout}{init.stderr}")
            return
        test = subprocess.run([terraform, "test", "-no-color"], cwd=work, env=env, capture_output=True, text=True)
        passed = set(re.findall(r"^tests/(case_\d+)\.tftest\.hcl\.\.\. pass", test.stdout, re.M))
        if test.returncode != 0 or len(passed) != runs:
            wrong = [names[name] for name in names if name not in passed]
            fail(f"terraform test: {len(passed)} of {runs} validation cases behaved; not as expected: "
                 f"{wrong}\n{test.stderr[-2000:]}")
            return
        version = subprocess.run([terraform, "version"], env=env, capture_output=True, text=True).stdout.splitlines()
        print(f"terraform validations: {runs} cases, each accepted or rejected as expected by "
              f"`terraform test` ({version[0] if version else 'terraform'})")


# --- the platform root --------------------------------------------------------------------

PLATFORM_NAMESPACES = {"barkd", "monitoring", "argocd"}
PLATFORM_SECRETS = {
    # name: (namespace, keys)
    "barkd-credentials": ("barkd", {"db-password", "admin-token", "mariadb-root-password"}),
    "grafana-admin": ("monitoring", {"admin-user", "admin-password"}),
}
ARGOCD_REPOSITORY = "https://argoproj.github.io/argo-helm"


def namespaces_of(config: dict) -> set[str]:
    found = set()
    for body in blocks(config, "resource", "kubernetes_namespace_v1").values():
        name = str(first(body, "metadata").get("name", ""))
        if name == "${each.key}":
            found.update(re.findall(r'\\?"([a-z0-9-]+)\\?"', str(body.get("for_each", ""))))
        else:
            found.add(name)
    return found


def platform_secrets(config: dict) -> dict[str, tuple[str, dict]]:
    """Secret name → (namespace text, data) for every kubernetes_secret_v1."""
    found = {}
    for body in blocks(config, "resource", "kubernetes_secret_v1").values():
        metadata = first(body, "metadata")
        found[str(metadata.get("name"))] = (str(metadata.get("namespace", "")), body.get("data") or {})
    return found


def check_platform(config: dict, problems: list[str]) -> None:
    label = "platform"
    check_s3_backend(label, config, problems)
    providers = first(terraform_block(config), "required_providers")
    for name in ("google", "kubernetes", "helm", "random"):
        if name not in providers:
            problems.append(f"{label}: provider {name} is not in required_providers")
    check_dns_capable_google(label, config, problems)
    if not blocks(config, "data", "google_container_cluster"):
        problems.append(f"{label}: the cluster is not read with data \"google_container_cluster\"")
    if not blocks(config, "data", "google_client_config"):
        problems.append(f"{label}: no data \"google_client_config\" (the access token)")

    provider_blocks = {name: body for entry in config.get("provider", []) for name, body in entry.items()}
    connections = {"kubernetes": provider_blocks.get("kubernetes", {}),
                   "helm": first(provider_blocks.get("helm", {}), "kubernetes")}
    for name, connection in connections.items():
        host = with_locals(config, str(connection.get("host", "")))
        token = str(connection.get("token", ""))
        if "dns_endpoint_config" not in host or not host.startswith("https://"):
            problems.append(f"{label}: the {name} provider does not use the cluster's DNS endpoint: host {host!r}")
        if "google_client_config" not in token or "access_token" not in token:
            problems.append(f"{label}: the {name} provider does not authenticate with the Google access token")

    missing = PLATFORM_NAMESPACES - namespaces_of(config)
    if missing:
        problems.append(f"{label}: namespaces not created: {sorted(missing)}")
    secrets = platform_secrets(config)
    for name, (namespace, keys) in PLATFORM_SECRETS.items():
        if name not in secrets:
            problems.append(f"{label}: no Secret {name}")
            continue
        where, data = secrets[name]
        if namespace not in where:
            problems.append(f"{label}: Secret {name} is not in namespace {namespace}: {where!r}")
        if set(data) != keys:
            problems.append(f"{label}: Secret {name} has keys {sorted(data)}, expected {sorted(keys)}")
        for key, value in data.items():
            if key != "admin-user" and "random_password." not in str(value):
                problems.append(f"{label}: Secret {name} key {key} is not generated by random_password")

    releases = [b for b in blocks(config, "resource", "helm_release").values() if b.get("chart") == "argo-cd"]
    if len(releases) != 1:
        problems.append(f"{label}: expected one helm_release of the argo-cd chart, got {len(releases)}")
    for release in releases:
        if release.get("repository") != ARGOCD_REPOSITORY:
            problems.append(f"{label}: Argo CD does not come from {ARGOCD_REPOSITORY}: {release.get('repository')}")
        if not re.fullmatch(r"\d+\.\d+\.\d+", str(release.get("version", ""))):
            problems.append(f"{label}: the argo-cd chart version is not pinned to one release: "
                            f"{release.get('version')!r}")
        if "argocd" not in str(release.get("namespace", "")):
            problems.append(f"{label}: Argo CD is not installed into the argocd namespace")


# --- the bootstrap root -------------------------------------------------------------------

def check_bootstrap(config: dict, problems: list[str]) -> None:
    label = "bootstrap"
    if first(terraform_block(config), "backend"):
        problems.append(f"{label}: has a backend: it makes the state bucket, so its own state must be local")
    if "aws" not in first(terraform_block(config), "required_providers"):
        problems.append(f"{label}: provider aws is not in required_providers")
    buckets = exactly_one(label, config, "aws_s3_bucket", problems)
    if len(buckets) != 1:
        return
    bucket_name = next(iter(buckets))
    reference = f"aws_s3_bucket.{bucket_name}."

    def for_bucket(kind: str) -> dict:
        bodies = [b for b in blocks(config, "resource", kind).values() if reference in str(b.get("bucket", ""))]
        if not bodies:
            problems.append(f"{label}: no {kind} for the state bucket")
        return bodies[0] if bodies else {}

    if first(buckets[bucket_name], "lifecycle").get("prevent_destroy") is not True:
        problems.append(f"{label}: the state bucket is not protected by prevent_destroy")
    status = first(for_bucket("aws_s3_bucket_versioning"), "versioning_configuration").get("status")
    if status != "Enabled":
        problems.append(f"{label}: state bucket versioning is not Enabled: {status!r}")
    sse = first(first(for_bucket("aws_s3_bucket_server_side_encryption_configuration"), "rule"),
                "apply_server_side_encryption_by_default")
    if sse.get("sse_algorithm") not in ("aws:kms", "AES256"):
        problems.append(f"{label}: state bucket has no default server-side encryption: {sse}")
    public = for_bucket("aws_s3_bucket_public_access_block")
    for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        if public and public.get(key) is not True:
            problems.append(f"{label}: state bucket public access block: {key} is not true")
    policy_ref = str(for_bucket("aws_s3_bucket_policy").get("policy", ""))
    documents = blocks(config, "data", "aws_iam_policy_document")
    document = next((body for name, body in documents.items() if f"aws_iam_policy_document.{name}." in policy_ref), {})
    denies_plain_http = any(
        statement.get("effect") == "Deny"
        and any(c.get("variable") == "aws:SecureTransport" and c.get("values") == ["false"]
                for c in statement.get("condition", []))
        for statement in document.get("statement", []))
    if not denies_plain_http:
        problems.append(f"{label}: the state bucket's policy does not deny requests without TLS "
                        f"(Deny when aws:SecureTransport is false)")

    for name, table in exactly_one(label, config, "aws_dynamodb_table", problems).items():
        where = f"{label}: lock table {name}"
        if table.get("hash_key") != "LockID":
            problems.append(f"{where}: hash_key is not LockID (the S3 backend's lock key)")
        if {"name": "LockID", "type": "S"} not in table.get("attribute", []):
            problems.append(f"{where}: attribute LockID is not a string (type S)")
        if table.get("billing_mode") != "PAY_PER_REQUEST":
            problems.append(f"{where}: billing_mode is not PAY_PER_REQUEST")
        if first(table, "point_in_time_recovery").get("enabled") is not True:
            problems.append(f"{where}: point-in-time recovery is off")


# --- across roots -------------------------------------------------------------------------

def check_backend_examples(root: Path, bootstrap: dict, problems: list[str]) -> None:
    """backend.hcl.example of the cluster and platform roots: all keys present, their own
    state keys, and the bucket, table and region the bootstrap root makes by default."""
    defaults = {name: body.get("default") for name, body in named(bootstrap, "variable").items()}
    expected = {"bucket": defaults.get("state_bucket"), "dynamodb_table": defaults.get("lock_table"),
                "region": defaults.get("aws_region")}
    prefix = str(defaults.get("state_key_prefix") or "")
    for directory, key in ((root, "barkd/gke.tfstate"), (root / "platform", "barkd/platform.tfstate")):
        example = load_hcl(directory / "backend.hcl.example")
        for name in ("bucket", "key", "region", "dynamodb_table", "encrypt"):
            if name not in example:
                problems.append(f"{directory}/backend.hcl.example lacks {name}")
        if example.get("key") != key or not key.startswith(prefix):
            problems.append(f"{directory}/backend.hcl.example: key {example.get('key')!r}, expected {key!r} "
                            f"(under the bootstrap's state_key_prefix {prefix!r})")
        for name, value in expected.items():
            if example.get(name) != value:
                problems.append(f"{directory}/backend.hcl.example: {name} {example.get(name)!r} is not the "
                                f"bootstrap's default {value!r}")
        if example.get("encrypt") is not True:
            problems.append(f"{directory}/backend.hcl.example: encrypt is not true")
    for directory in (root, root / "platform", root / "bootstrap"):
        load_hcl(directory / "example.tfvars")


def check_shared_identity(root: Path, problems: list[str]) -> None:
    link = root / "platform" / IDENTITY_FILE
    if not link.is_symlink() or link.resolve() != (root / IDENTITY_FILE).resolve():
        problems.append(f"{link} must be a symbolic link to ../{IDENTITY_FILE} (one copy of the cluster's "
                        f"project, region and name validations)")


# --- Grafana's admin password -------------------------------------------------------------

def check_grafana_values(values: dict, secrets: dict, problems: list[str]) -> None:
    grafana = (values or {}).get("grafana") or {}
    if "adminPassword" in grafana:
        problems.append(f"{GRAFANA_VALUES.name}: grafana.adminPassword is set; the password comes from "
                        f"the grafana-admin Secret (grafana.admin.existingSecret)")
    admin = grafana.get("admin") or {}
    name = admin.get("existingSecret")
    if name not in secrets:
        problems.append(f"kube-prometheus-stack values: grafana.admin.existingSecret {name!r} is not a Secret "
                        f"the platform root creates ({sorted(secrets)})")
        return
    namespace, data = secrets[name]
    if "monitoring" not in namespace:
        problems.append(f"Secret {name} is not in the monitoring namespace Grafana runs in")
    for key in ("userKey", "passwordKey"):
        if admin.get(key) not in data:
            problems.append(f"kube-prometheus-stack values: grafana.admin.{key} {admin.get(key)!r} is not a key "
                            f"of Secret {name} ({sorted(data)})")


def literal_grafana_passwords(node, path: str = "") -> list[str]:
    """Paths of Grafana admin passwords written out in a parsed YAML document, including the
    Helm values embedded in Argo CD Applications."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "adminPassword" and "grafana" in here.lower() and value not in (None, ""):
                found.append(here)
            elif key == "values" and isinstance(value, str) and "helm" in path:
                try:
                    found += literal_grafana_passwords(yaml.safe_load(value), here)
                except yaml.YAMLError:
                    pass
            else:
                found += literal_grafana_passwords(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += literal_grafana_passwords(item, f"{path}[{index}]")
    return found


def committed_files(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *patterns],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / p for p in sorted(set(listed)) if (REPO / p).is_file()]


def check_no_literal_grafana_password(problems: list[str]) -> int:
    scanned = 0
    for path in committed_files("*.yaml", "*.yml"):
        relative = path.relative_to(REPO)
        if "templates" in relative.parts:
            continue  # Helm templates are not YAML until rendered; the chart has no Grafana
        try:
            documents = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError:
            continue
        scanned += 1
        for document in documents:
            for where in literal_grafana_passwords(document):
                problems.append(f"{relative}: {where} is a literal Grafana admin password "
                                f"(use the grafana-admin Secret)")
    for path in committed_files(".github/workflows/*.yml", "scripts/*.sh", "scripts/**/*.sh"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"grafana\.adminPassword\s*=", line):
                problems.append(f"{path.relative_to(REPO)}:{number}: sets grafana.adminPassword on the command line")
    return scanned


# --- self-test ----------------------------------------------------------------------------

def self_test(configs: dict, values: dict) -> None:
    """Every promise must be able to fail: break a copy in each way and expect a finding."""
    def cluster_resource(config):
        return next(iter(blocks(config, "resource", "google_container_cluster").values()))

    def set_path(config, section, kind, change):
        for body in blocks(config, section, kind).values():
            change(body)

    breaks = {
        "DNS endpoint removed": ("cluster", lambda c: cluster_resource(c).pop("control_plane_endpoints_config")),
        "DNS endpoint closed to external traffic": ("cluster", lambda c: first(first(
            cluster_resource(c), "control_plane_endpoints_config"), "dns_endpoint_config").update(
            allow_external_traffic=False)),
        "google provider before 6.11": ("cluster", lambda c: first(terraform_block(c), "required_providers")[
            "google"].update(version="~> 6.8")),
        "the old region pattern": ("cluster", lambda c: named(c, "variable")["region"]["validation"][0].update(
            condition='${can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))}')),
        "a region pattern that takes zones": ("cluster", lambda c: named(c, "variable")["region"]["validation"][
            0].update(condition='${can(regex("^[a-z]+-[a-z]+[0-9]+", var.region))}')),
        "deploy grant removed": ("cluster", lambda c: set_path(c, "resource", "google_project_iam_member",
                                                               lambda b: b.update(role="roles/viewer"))),
        "an unpinned provider": ("platform", lambda c: first(terraform_block(c), "required_providers")[
            "random"].update(version=">= 3.0")),
        "kubernetes provider on the IP endpoint": ("platform", lambda c: [
            e["kubernetes"].update(host="https://${data.google_container_cluster.barkd.endpoint}")
            for e in c["provider"] if "kubernetes" in e]),
        "namespace argocd dropped": ("platform", lambda c: set_path(
            c, "resource", "kubernetes_namespace_v1",
            lambda b: b.update(for_each='${toset(["barkd", "monitoring"])}'))),
        "mariadb-root-password dropped": ("platform", lambda c: set_path(
            c, "resource", "kubernetes_secret_v1", lambda b: b["data"].pop("mariadb-root-password", None))),
        "a literal secret value": ("platform", lambda c: set_path(
            c, "resource", "kubernetes_secret_v1",
            lambda b: b["data"].update({"admin-password": "change-me"}) if "admin-password" in b["data"] else None)),
        "argo-cd chart version range": ("platform", lambda c: set_path(
            c, "resource", "helm_release", lambda b: b.update(version=">= 8.0.0"))),
        "bootstrap with a backend": ("bootstrap", lambda c: c["terraform"][0].update(backend=[{"s3": {}}])),
        "versioning suspended": ("bootstrap", lambda c: set_path(
            c, "resource", "aws_s3_bucket_versioning",
            lambda b: first(b, "versioning_configuration").update(status="Suspended"))),
        "public policies allowed": ("bootstrap", lambda c: set_path(
            c, "resource", "aws_s3_bucket_public_access_block", lambda b: b.update(block_public_policy=False))),
        "plain HTTP allowed": ("bootstrap", lambda c: set_path(
            c, "data", "aws_iam_policy_document",
            lambda b: [s.update(effect="Allow") for s in b.get("statement", [])])),
        "lock table keyed otherwise": ("bootstrap", lambda c: set_path(
            c, "resource", "aws_dynamodb_table", lambda b: b.update(hash_key="id"))),
        "no point-in-time recovery": ("bootstrap", lambda c: set_path(
            c, "resource", "aws_dynamodb_table", lambda b: first(b, "point_in_time_recovery").update(enabled=False))),
    }
    specific = {"cluster": lambda c, p: (check_cluster(c, p), check_patterns(c, p)),
                "platform": check_platform, "bootstrap": check_bootstrap}
    checks = {root: (lambda c, p, root=root: (check_common(root, c, p), specific[root](c, p))) for root in specific}
    missed = []
    for description, (root, breaker) in breaks.items():
        broken = copy.deepcopy(configs[root])
        breaker(broken)
        problems: list[str] = []
        checks[root](broken, problems)
        if not problems:
            missed.append(description)
    value_breaks = {
        "grafana.adminPassword: change-me": lambda v: v["grafana"].update(adminPassword="change-me"),
        "existingSecret not made by Terraform": lambda v: v["grafana"]["admin"].update(existingSecret="grafana"),
        "passwordKey not in the Secret": lambda v: v["grafana"]["admin"].update(passwordKey="password"),
    }
    for description, breaker in value_breaks.items():
        broken = copy.deepcopy(values)
        breaker(broken)
        problems = []
        check_grafana_values(broken, platform_secrets(configs["platform"]), problems)
        if not problems:
            missed.append(description)
    application = {"spec": {"source": {"helm": {"values": "grafana:\n  adminPassword: hunter2\n"}}}}
    if not literal_grafana_passwords(application):
        missed.append("adminPassword inside an Argo CD Application's helm.values")
    total = len(breaks) + len(value_breaks) + 1
    if missed:
        fail(f"self-test: {len(missed)} of {total} breaks went unreported: {missed}")
    else:
        print(f"self-test: all {total} deliberate breaks reported (e.g. DNS endpoint removed, old region "
              f"pattern, unpinned provider, versioning suspended, grafana.adminPassword: change-me)")


# --- main ---------------------------------------------------------------------------------

def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "infra/terraform"
    roots = {"cluster": root, "platform": root / "platform", "bootstrap": root / "bootstrap"}
    configs = {}
    for label, directory in roots.items():
        files = sorted(p.name for p in directory.glob("*.tf"))
        configs[label] = merged(directory)
        print(f"{label} ({directory}): parsed {len(files)} files: {', '.join(files)}")

    problems: list[str] = []
    for label, config in configs.items():
        check_common(label, config, problems)
    check_cluster(configs["cluster"], problems)
    tried = check_patterns(configs["cluster"], problems)
    check_platform(configs["platform"], problems)
    check_bootstrap(configs["bootstrap"], problems)
    check_backend_examples(root, configs["bootstrap"], problems)
    check_shared_identity(root, problems)
    values = yaml.safe_load(GRAFANA_VALUES.read_text()) or {}
    check_grafana_values(values, platform_secrets(configs["platform"]), problems)
    scanned = check_no_literal_grafana_password(problems)
    for problem in problems:
        fail(problem)

    print(f"validation patterns: {tried} cases through Python's re (RE2's reading of $)")
    terraform_validation_test(root)
    print(f"Grafana: admin password from Secret grafana-admin; {scanned} committed YAML files and the "
          f"workflows carry no literal Grafana admin password")
    for label, config in configs.items():
        print(f"{label}: {len(named(config, 'variable'))} variables, {len(named(config, 'output'))} outputs, "
              f"{sum(len(b) for b in config.get('resource', []))} resource blocks, "
              f"{sum(len(b) for b in config.get('data', []))} data sources")
    self_test(configs, values)
    return verdict("terraform")


if __name__ == "__main__":
    sys.exit(main())
