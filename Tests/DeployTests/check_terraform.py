"""Parses every Terraform file in infra/terraform with python-hcl2 (terraform validate
needs the google provider, which cannot be fetched offline) and checks what the
configuration promises: pinned provider versions, an S3 backend (DynamoDB locking via
backend.hcl), a GKE cluster on a release channel with Workload Identity, a separately
managed autoscaling node pool with auto-repair and auto-upgrade, validated and
documented variables, documented outputs. Exit status 1 on any finding."""

from __future__ import annotations

import sys
from pathlib import Path

import hcl2
from findings import fail, verdict

def clean(value):
    """python-hcl2 keeps HCL's quotes on keys and strings and marks blocks: drop both."""
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items() if k != "__is_block__"}
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
            fail(f"{path.name}: does not parse: {error}")
            continue
        for key, blocks in parsed.items():
            out.setdefault(key, []).extend(blocks)
    return out


def resources(config: dict, kind: str) -> dict:
    found = {}
    for block in config.get("resource", []):
        for name, body in block.get(kind, {}).items():
            found[name] = body
    return found


def first(body: dict, key: str) -> dict:
    value = body.get(key)
    if isinstance(value, list):
        return value[0] if value else {}
    return value or {}


def main() -> int:
    directory = Path(sys.argv[1])
    config = merged(directory)
    files = sorted(p.name for p in directory.glob("*.tf"))
    print(f"parsed {len(files)} files: {', '.join(files)}")

    terraform = [t for t in config.get("terraform", [])]
    if not terraform:
        fail("no terraform block")
    else:
        block = terraform[0]
        if "required_version" not in block:
            fail("terraform.required_version is not set")
        providers = first(block, "required_providers")
        google = providers.get("google", {})
        if google.get("source") != "hashicorp/google" or not str(google.get("version", "")).startswith(("~>", "=")):
            fail(f"the google provider is not pinned (source hashicorp/google, version ~> or =): {google}")
        backend = first(block, "backend")
        if "s3" not in backend:
            fail(f"the backend is not s3: {backend}")

    example = clean(hcl2.loads((directory / "backend.hcl.example").read_text()))
    for key in ("bucket", "key", "region", "dynamodb_table", "encrypt"):
        if key not in example:
            fail(f"backend.hcl.example lacks {key}")
    clean(hcl2.loads((directory / "example.tfvars").read_text()))

    clusters = resources(config, "google_container_cluster")
    pools = resources(config, "google_container_node_pool")
    if len(clusters) != 1:
        fail(f"expected one google_container_cluster, got {len(clusters)}")
    for name, cluster in clusters.items():
        if cluster.get("remove_default_node_pool") is not True:
            fail(f"cluster {name}: the default node pool is not removed (nodes come from a managed pool)")
        if not first(cluster, "release_channel").get("channel"):
            fail(f"cluster {name}: no release channel")
        if not str(first(cluster, "workload_identity_config").get("workload_pool", "")).endswith(".svc.id.goog"):
            fail(f"cluster {name}: Workload Identity is not configured")
    if not pools:
        fail("no google_container_node_pool")
    for name, pool in pools.items():
        autoscaling = first(pool, "autoscaling")
        if "min_node_count" not in autoscaling or "max_node_count" not in autoscaling:
            fail(f"node pool {name}: no autoscaling bounds")
        management = first(pool, "management")
        if management.get("auto_repair") is not True or management.get("auto_upgrade") is not True:
            fail(f"node pool {name}: auto-repair and auto-upgrade must be on: {management}")
        metadata = first(first(pool, "node_config"), "workload_metadata_config")
        if metadata.get("mode") != "GKE_METADATA":
            fail(f"node pool {name}: workload metadata mode is not GKE_METADATA")

    variables = {n: b for block in config.get("variable", []) for n, b in block.items()}
    for name, body in variables.items():
        if not body.get("description") or "type" not in body:
            fail(f"variable {name}: needs a description and a type")
    validated = [n for n, b in variables.items() if b.get("validation")]
    if len(validated) < len(variables) // 2:
        fail(f"only {len(validated)} of {len(variables)} variables are validated")
    outputs = {n: b for block in config.get("output", []) for n, b in block.items()}
    if not outputs:
        fail("no outputs")
    for name, body in outputs.items():
        if not body.get("description"):
            fail(f"output {name}: no description")
    print(f"{len(variables)} variables ({len(validated)} validated), {len(outputs)} outputs, "
          f"{len(clusters)} cluster, {len(pools)} node pool(s)")
    return verdict("terraform")


if __name__ == "__main__":
    sys.exit(main())
