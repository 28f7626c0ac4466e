"""Checks the promises the CI/CD workflows make, by reading them as GitHub would.

- CD cannot run before CI passed for the same commit: cd.yml (and terraform.yml, which it
  calls) have no trigger but workflow_call; the only caller of cd.yml is one job of ci.yml
  that needs every other ci.yml job, runs only for a push to main, and cannot run when a
  needed job failed (no always()/failure()/cancelled() in its condition, no
  continue-on-error on the jobs it waits for); terraform.yml is called only from cd.yml.
  Every job that pushes an image, applies Terraform or applies to the cluster sits in a
  workflow reachable only that way.
- One owner per release: no workflow runs `helm upgrade` or `helm install` (Argo CD syncs).
- The image job scans with Trivy (pinned by commit SHA, failing on HIGH/CRITICAL) and runs
  the smoke test before its first `docker push`.
- Every get-gke-credentials step uses the DNS-based endpoint (use_dns_based_endpoint).
- Calls of local reusable workflows pass only declared inputs and secrets, and every
  required input.
- Argo CD: CD's `kubectl apply` covers every Application under infra/argocd (subfolders
  included); the database Application's folder holds the MariaDB objects, and barkd's
  database.url, the MariaDB, Database, User and Grant and the Secret keys agree.

Usage: check_workflows.py REPO [--self-test]. With --self-test the checks also run on
mutated copies (a push trigger on cd.yml, a test job missing from the caller's needs, ...)
and every mutation must be reported. Exit status 1 on any finding.
"""

from __future__ import annotations

import copy
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import yaml

SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
LOCAL_CALL = re.compile(r"^(?:\./|\$/)(\.github/workflows/[^@\s]+)$")
DEPLOYS = re.compile(r"\bdocker\s+push\b|\bterraform\s+apply\b|\bkubectl\s+apply\b|\bhelm\s+(?:upgrade|install)\b")
HELM_RELEASE = re.compile(r"\bhelm\s+(?:upgrade|install)\b")
RUNS_ANYWAY = re.compile(r"\b(?:always|failure|cancelled)\s*\(")


def triggers(workflow: dict) -> set[str]:
    # PyYAML reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    return set(on or {})


def steps(job: dict) -> list[dict]:
    return job.get("steps") or []


def run_text(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def local_callee(job: dict) -> str | None:
    match = LOCAL_CALL.match(str(job.get("uses", "")))
    return Path(match.group(1)).name if match else None


def check_gate(workflows: dict[str, dict]) -> list[str]:
    problems = []
    reusable = {"cd.yml", "terraform.yml"}
    for name in sorted(reusable):
        if name not in workflows:
            problems.append(f"{name}: missing")
        elif triggers(workflows[name]) != {"workflow_call"}:
            problems.append(f"{name}: triggered by {sorted(triggers(workflows[name]))}; only workflow_call may run it "
                            "(any other trigger would deploy without CI having passed)")
    callers: dict[str, list[tuple[str, str]]] = {}
    for wf_name, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            callee = local_callee(job)
            if callee:
                callers.setdefault(callee, []).append((wf_name, job_id))
            elif "uses" in job and ".github/workflows/" in str(job["uses"]):
                problems.append(f"{wf_name} {job_id}: calls {job['uses']}: not a workflow of this commit")
    cd_callers = callers.get("cd.yml", [])
    if [w for w, _ in cd_callers] != ["ci.yml"]:
        problems.append(f"cd.yml must be called by exactly one ci.yml job, is called by {cd_callers}")
    else:
        problems += check_cd_caller(workflows["ci.yml"], cd_callers[0][1])
    for wf_name, job_id in callers.get("terraform.yml", []):
        if wf_name != "cd.yml":
            problems.append(f"terraform.yml is called by {wf_name} {job_id}; only cd.yml may call it")
    # Whatever deploys must live in a workflow that only the gate can start.
    for wf_name, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            if DEPLOYS.search(run_text(job)) and wf_name not in reusable:
                problems.append(f"{wf_name} {job_id}: deploys (docker push, terraform apply, kubectl apply or helm) "
                                "outside cd.yml/terraform.yml, so without waiting for CI")
    return problems


def check_cd_caller(ci: dict, caller_id: str) -> list[str]:
    problems = []
    jobs = ci.get("jobs") or {}
    caller = jobs[caller_id]
    needs = caller.get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    missing = sorted(set(jobs) - {caller_id} - set(needs))
    if missing:
        problems.append(f"ci.yml {caller_id}: does not need {missing}: CD could run while they fail")
    condition = str(caller.get("if", ""))
    if "github.event_name == 'push'" not in condition or "github.ref == 'refs/heads/main'" not in condition:
        problems.append(f"ci.yml {caller_id}: if: {condition!r} must require github.event_name == 'push' "
                        "and github.ref == 'refs/heads/main'")
    if "||" in condition:
        problems.append(f"ci.yml {caller_id}: if: {condition!r} has an alternative (||) to push on main")
    if RUNS_ANYWAY.search(condition):
        problems.append(f"ci.yml {caller_id}: if: {condition!r} runs even when a needed job failed")
    for job_id in needs:
        job = jobs.get(job_id, {})
        if job.get("continue-on-error") not in (None, False):
            problems.append(f"ci.yml {job_id}: continue-on-error lets CD run although it failed")
        for step in steps(job):
            if step.get("continue-on-error") not in (None, False):
                problems.append(f"ci.yml {job_id} step {step.get('name') or step.get('uses')}: continue-on-error "
                                "lets CD run although it failed")
    return problems


def check_jobs(workflows: dict[str, dict]) -> list[str]:
    problems = []
    for wf_name, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            if HELM_RELEASE.search(run_text(job)):
                problems.append(f"{wf_name} {job_id}: runs helm upgrade/install: Argo CD owns every release")
            for step in steps(job):
                uses = str(step.get("uses", ""))
                if "get-gke-credentials" in uses and str((step.get("with") or {}).get("use_dns_based_endpoint")).lower() != "true":
                    problems.append(f"{wf_name} {job_id}: get-gke-credentials without use_dns_based_endpoint: true "
                                    "(the runners reach the cluster only through its DNS endpoint)")
    image = (workflows.get("cd.yml", {}).get("jobs") or {}).get("image")
    if not image:
        return problems + ["cd.yml: no image job"]
    order = steps(image)
    push = next((i for i, s in enumerate(order) if re.search(r"\bdocker\s+push\b", s.get("run", ""))), None)
    trivy = next((i for i, s in enumerate(order) if "aquasecurity/trivy-action" in str(s.get("uses", ""))), None)
    smoke = next((i for i, s in enumerate(order) if "containers/smoke.sh" in s.get("run", "")), None)
    if push is None:
        problems.append("cd.yml image: no docker push step")
    if trivy is None:
        problems.append("cd.yml image: no Trivy scan (aquasecurity/trivy-action)")
    else:
        scan = order[trivy]
        options = scan.get("with") or {}
        if not SHA.match(str(scan["uses"])):
            problems.append(f"cd.yml image: {scan['uses']} is not pinned by a full commit SHA")
        if str(options.get("exit-code")) != "1" or not {"HIGH", "CRITICAL"} <= set(str(options.get("severity", "")).split(",")):
            problems.append(f"cd.yml image: the Trivy scan must fail (exit-code 1) on HIGH and CRITICAL: {options}")
        if push is not None and trivy > push:
            problems.append("cd.yml image: the Trivy scan runs after docker push")
    if smoke is None or (push is not None and smoke > push):
        problems.append("cd.yml image: the compose smoke test must run before docker push")
    if push is not None:
        problems += check_default_tag_is_pushed(image, order[push])
    return problems


def check_default_tag_is_pushed(image: dict, push: dict) -> list[str]:
    """The chart's default image tag (its appVersion, when values.yaml leaves image.tag
    empty) must be one of the tags the push step pushes, or `helm install` from git pulls
    nothing: the push must name $APP_VERSION, and APP_VERSION must come from Chart.yaml."""
    run = push.get("run", "")
    variable = (push.get("env") or {}).get("APP_VERSION", "")
    source = "\n".join(s.get("run", "") for s in steps(image))
    if "$APP_VERSION" not in run and "${APP_VERSION}" not in run:
        return ["cd.yml image: the push does not push the appVersion tag, the chart's default image tag"]
    if "steps.version.outputs.app-version" not in str(variable) or not re.search(r"appVersion.*charts/barkd/Chart\.yaml", source):
        return ["cd.yml image: the pushed APP_VERSION is not read from charts/barkd/Chart.yaml's appVersion"]
    return []


def check_calls(workflows: dict[str, dict]) -> list[str]:
    problems = []
    for wf_name, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            callee = local_callee(job)
            if not callee or callee not in workflows:
                continue
            call = (workflows[callee].get("on") or workflows[callee].get(True) or {})
            call = call.get("workflow_call") or {} if isinstance(call, dict) else {}
            inputs, secrets = call.get("inputs") or {}, call.get("secrets") or {}
            given = job.get("with") or {}
            for key in sorted(set(given) - set(inputs)):
                problems.append(f"{wf_name} {job_id}: passes input {key!r}, which {callee} does not declare")
            for key, spec in inputs.items():
                if (spec or {}).get("required") and key not in given:
                    problems.append(f"{wf_name} {job_id}: does not pass {callee}'s required input {key!r}")
            passed = job.get("secrets") or {}
            if passed == "inherit":
                problems.append(f"{wf_name} {job_id}: secrets: inherit hands {callee} every secret")
            else:
                for key in sorted(set(passed) - set(secrets)):
                    problems.append(f"{wf_name} {job_id}: passes secret {key!r}, which {callee} does not declare")
    return problems


# --------------------------------------------------------------------------------------
# Argo CD
# --------------------------------------------------------------------------------------


def applied_paths(workflows: dict[str, dict]) -> list[str]:
    """The -f arguments of every `kubectl apply` in cd.yml."""
    paths = []
    for job in (workflows.get("cd.yml", {}).get("jobs") or {}).values():
        text = run_text(job).replace("\\\n", " ")
        for line in text.splitlines():
            if not re.search(r"\bkubectl\s+apply\b", line):
                continue
            words = shlex.split(line, comments=True)
            paths += [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-f", "--filename")]
            if any(word in ("-R", "--recursive") for word in words):
                paths.append("<recursive>")
    return paths


def load_manifests(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if isinstance(doc, dict)]


def check_argocd(repo: Path, workflows: dict[str, dict]) -> list[str]:
    problems = []
    argocd = repo / "infra" / "argocd"
    applied = applied_paths(workflows)
    if "<recursive>" in applied:
        problems.append("cd.yml: kubectl apply -R would apply the manifests Argo CD syncs, not just the Applications")
    applied_files: set[Path] = set()
    for path in applied:
        target = (repo / path).resolve()
        if target.is_dir():
            applied_files |= {p.resolve() for p in target.glob("*.y*ml")}
        elif target.is_file():
            applied_files.add(target)
        elif path != "<recursive>":
            problems.append(f"cd.yml: kubectl apply -f {path}: no such file or folder")
    apps: dict[str, tuple[Path, dict]] = {}
    for path in sorted(argocd.rglob("*.y*ml")):
        for doc in load_manifests(path):
            if doc.get("kind") != "Application":
                continue
            apps[doc["metadata"]["name"]] = (path, doc)
            if path.resolve() not in applied_files:
                problems.append(f"{path.relative_to(repo)}: Application {doc['metadata']['name']} is not applied by cd.yml")
            elif path.parent != argocd and any(d.get("kind") != "Application" for d in load_manifests(path)):
                problems.append(f"{path.relative_to(repo)}: applied by CD, so it must hold Applications only")
    if "barkd" not in apps or "barkd-database" not in apps:
        return problems + [f"infra/argocd: expected Applications barkd and barkd-database, got {sorted(apps)}"]
    problems += check_database(repo, apps)
    return problems


def check_database(repo: Path, apps: dict[str, tuple[Path, dict]]) -> list[str]:
    problems = []
    app_path, app = apps["barkd-database"]
    source = app["spec"].get("source") or {}
    folder = repo / str(source.get("path", ""))
    if not source.get("path") or not folder.is_dir():
        return [f"barkd-database: source.path {source.get('path')!r} is not a folder of this repository"]
    excluded = str((source.get("directory") or {}).get("exclude", ""))
    if app_path.parent.resolve() == folder.resolve() and app_path.name not in excluded:
        problems.append(f"barkd-database: {app_path.name} is in its own source folder but not excluded")
    docs = [d for p in sorted(folder.glob("*.y*ml")) if p.name not in excluded for d in load_manifests(p)]
    namespace = app["spec"]["destination"]["namespace"]
    by_kind: dict[str, list[dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc.get("kind"), []).append(doc)
        if doc.get("apiVersion") != "k8s.mariadb.com/v1alpha1":
            problems.append(f"barkd-database: {doc.get('kind')} {doc['metadata'].get('name')} is not k8s.mariadb.com/v1alpha1")
        if doc["metadata"].get("namespace", namespace) != namespace:
            problems.append(f"barkd-database: {doc['kind']} {doc['metadata']['name']} is not in namespace {namespace}")
    for kind in ("MariaDB", "Database", "User", "Grant"):
        if len(by_kind.get(kind, [])) != 1:
            problems.append(f"barkd-database: expected one {kind}, found {len(by_kind.get(kind, []))}")
    if problems:
        return problems
    server, database, user, grant = (by_kind[k][0] for k in ("MariaDB", "Database", "User", "Grant"))
    values = ((apps["barkd"][1]["spec"].get("source") or {}).get("helm") or {}).get("valuesObject") or {}
    url = urlparse(str((values.get("database") or {}).get("url", "")))
    secret = values.get("existingSecret")
    server_name = server["metadata"]["name"]
    db_name = database["spec"].get("name", database["metadata"]["name"])
    user_name = user["spec"].get("name", user["metadata"]["name"])
    if url.scheme != "mariadb" or url.hostname != f"{server_name}.{namespace}.svc.cluster.local" or url.port != 3306:
        problems.append(f"barkd: database.url {url.geturl()!r} is not MariaDB {server_name}'s Service in {namespace}")
    if url.username != user_name or url.path.lstrip("/") != db_name:
        problems.append(f"barkd: database.url {url.geturl()!r} does not name user {user_name} and database {db_name}")
    for doc in (database, user, grant):
        if (doc["spec"].get("mariaDbRef") or {}).get("name") != server_name:
            problems.append(f"barkd-database: {doc['kind']} {doc['metadata']['name']} does not refer to MariaDB {server_name}")
    refs = {"MariaDB root": server["spec"].get("rootPasswordSecretKeyRef") or {},
            "User": user["spec"].get("passwordSecretKeyRef") or {}}
    for label, ref in refs.items():
        if ref.get("name") != secret or ref.get("generate"):
            problems.append(f"barkd-database: {label} password must come from Secret {secret} (not generated): {ref}")
    if refs["User"].get("key") != "db-password":
        problems.append(f"barkd-database: the User's password key is {refs['User'].get('key')!r}; barkd reads db-password")
    if grant["spec"].get("username") != user_name or grant["spec"].get("database") != db_name or \
            "ALL PRIVILEGES" not in grant["spec"].get("privileges", []):
        problems.append(f"barkd-database: Grant must give {user_name} ALL PRIVILEGES on {db_name}: {grant['spec']}")
    # The keys must be ones the platform root writes into that Secret.
    secrets_tf = repo / "infra" / "terraform" / "platform" / "secrets.tf"
    if secrets_tf.is_file():
        text = secrets_tf.read_text()
        for ref in refs.values():
            if f'"{ref.get("key")}"' not in text:
                problems.append(f"barkd-database: key {ref.get('key')!r} is not written by {secrets_tf.relative_to(repo)}")
    return problems


# --------------------------------------------------------------------------------------


def check(repo: Path, workflows: dict[str, dict]) -> list[str]:
    return check_gate(workflows) + check_jobs(workflows) + check_calls(workflows) + check_argocd(repo, workflows)


def mutations(workflows: dict[str, dict]):
    """(description, mutate) pairs; each mutation breaks one promise."""
    def cd(w):
        return w["cd.yml"]

    def caller(w):
        return next(j for j in w["ci.yml"]["jobs"].values() if local_callee(j) == "cd.yml")

    def image_steps(w):
        return cd(w)["jobs"]["image"]["steps"]

    def push_trigger(w):
        on = cd(w).pop("on", None) or cd(w).pop(True)
        cd(w)[True] = {**on, "push": {"branches": ["main"]}}

    def drop_need(w):
        caller(w)["needs"] = caller(w)["needs"][1:]

    def trivy_last(w):
        order = image_steps(w)
        order.append(order.pop(next(i for i, s in enumerate(order) if "trivy-action" in str(s.get("uses", "")))))

    def helm_upgrade(w):
        image_steps(w)[-1]["run"] += "\nhelm upgrade --install barkd charts/barkd"

    def dns_off(w):
        for job in cd(w)["jobs"].values():
            for step in steps(job):
                if "get-gke-credentials" in str(step.get("uses", "")):
                    step["with"].pop("use_dns_based_endpoint")
                    return

    def push_in_ci(w):
        w["ci.yml"]["jobs"]["test"]["steps"].append({"run": "docker push barkd/barkd:latest"})

    def unknown_input(w):
        for job in cd(w)["jobs"].values():
            if local_callee(job) == "terraform.yml":
                job["with"]["workdir"] = "infra"
                return

    def forget_database_app(w):
        for job in cd(w)["jobs"].values():
            for step in steps(job):
                step["run"] = step.get("run", "").replace(" -f infra/argocd/", " -f infra/argocd/barkd.yaml")

    return [
        ("cd.yml gets a push trigger", push_trigger),
        ("the caller stops needing a CI job", drop_need),
        ("the caller runs with always()", lambda w: caller(w).update({"if": "${{ always() && github.event_name == 'push' "
                                                                            "&& github.ref == 'refs/heads/main' }}"})),
        ("the caller also runs for pull requests", lambda w: caller(w).update({"if": "github.event_name == 'push' && "
                                                                                     "github.ref == 'refs/heads/main' || "
                                                                                     "github.event_name == 'pull_request'"})),
        ("a CI test job may fail (continue-on-error)", lambda w: w["ci.yml"]["jobs"]["test"].update({"continue-on-error": True})),
        ("the Trivy scan moves after the push", trivy_last),
        ("a job runs helm upgrade", helm_upgrade),
        ("get-gke-credentials without the DNS endpoint", dns_off),
        ("ci.yml pushes an image itself", push_in_ci),
        ("cd.yml passes an undeclared input to terraform.yml", unknown_input),
        ("CD applies only the barkd Application", forget_database_app),
        ("the appVersion tag is not pushed", lambda w: image_steps(w)[
            next(i for i, s in enumerate(image_steps(w)) if "docker push" in s.get("run", ""))
        ].update({"run": 'for tag in "$IMAGE_TAG" "$GITHUB_SHA" latest; do\n  docker push "$REPOSITORY:$tag"\ndone\n'})),
    ]


def file_mutations():
    """(description, file under the repository, old text, new text) on a copy of infra/."""
    return [
        ("barkd's database.url names another host", "infra/argocd/barkd.yaml",
         "@barkd-db.barkd.svc.cluster.local", "@mariadb.databases.svc.cluster.local"),
        ("the User's password comes from another key", "infra/argocd/database/mariadb.yaml",
         "key: db-password", "key: password"),
        ("the root password is generated", "infra/argocd/database/mariadb.yaml",
         "generate: false", "generate: true"),
    ]


def load(repo: Path) -> dict[str, dict]:
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted((repo / ".github" / "workflows").glob("*.yml"))}


def main(argv: list[str]) -> int:
    repo = Path(argv[0]).resolve()
    workflows = load(repo)
    problems = check(repo, workflows)
    for problem in problems:
        print(f"FINDING: {problem}")
    if problems:
        return 1
    print(f"ok: {len(workflows)} workflows: cd.yml and terraform.yml run only from ci.yml's gated job; "
          "Trivy and the smoke test before the push; no helm releases; DNS endpoint; calls match; "
          "Argo CD Applications applied and the database consistent")
    if "--self-test" in argv:
        missed = []
        for description, mutate in mutations(workflows):
            mutated = copy.deepcopy(workflows)
            mutate(mutated)
            found = check(repo, mutated)
            print(f"self-test: {description}: {'reported' if found else 'NOT reported'}"
                  + (f" ({found[0]})" if found else ""))
            if not found:
                missed.append(description)
        with tempfile.TemporaryDirectory() as scratch:
            for number, (description, name, old, new) in enumerate(file_mutations()):
                copy_root = Path(scratch) / str(number)
                shutil.copytree(repo / "infra", copy_root / "infra", symlinks=True)
                target = copy_root / name
                if old not in target.read_text():
                    print(f"self-test: {description}: {old!r} is not in {name}")
                    missed.append(description)
                    continue
                target.write_text(target.read_text().replace(old, new))
                found = check(copy_root, workflows)
                print(f"self-test: {description}: {'reported' if found else 'NOT reported'}"
                      + (f" ({found[0]})" if found else ""))
                if not found:
                    missed.append(description)
        if missed:
            print(f"self-test: {len(missed)} broken copies passed, so the check proves nothing for them")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
