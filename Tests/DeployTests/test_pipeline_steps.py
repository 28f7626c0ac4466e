"""The shell of the workflows' decision steps, run here as GitHub's runner would run it
(bash --noprofile --norc -eo pipefail, with GITHUB_OUTPUT and the step's env), read
straight out of the workflow files:

- cd.yml's `changes` job against real git histories: which parts of CD a push runs;
- cleanup.yml's cluster step against a stand-in kubectl: the tags running in namespace
  barkd are kept, and an unreachable cluster or one without barkd stops the job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "IntegrationTests"))
from barkd_helpers import free_port  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def step(workflow: str, job: str, name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / workflow).read_text())
    matches = [s for s in data["jobs"][job]["steps"] if s.get("name") == name]
    assert len(matches) == 1, f"{workflow} {job}: no single step named {name!r}"
    return matches[0]


def run_step(script: str, cwd: Path, env: dict[str, str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, dict]:
    output = tmp_path / "github_output"
    output.write_text("")
    path = tmp_path / "step.sh"
    path.write_text(script)
    environment = {**os.environ, **env, "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path)}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd,
                            env=environment, capture_output=True, text=True, timeout=60)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, outputs


# --------------------------------------------------------------------------------------
# cd.yml: changes
# --------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def commit(repo: Path, *files: str) -> str:
    for name in files:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.read_text() + "x\n" if path.exists() else "x\n")
    git(repo, "add", "--force", "--", *files)
    git(repo, "commit", "--quiet", "-m", f"change {' '.join(files)}")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    base = commit(repo, "README.md", "Sources/barkd/main.swift", "charts/barkd/Chart.yaml",
                  "infra/terraform/gke.tf", "infra/argocd/barkd.yaml")
    return repo, base


def classify(repo: Path, before: str, tmp_path: Path) -> dict:
    script = step("cd.yml", "changes", "classify the changed files")["run"]
    result, outputs = run_step(script, repo, {"BEFORE": before, "GITHUB_SHA": git(repo, "rev-parse", "HEAD")}, tmp_path)
    assert result.returncode == 0, result.stderr
    return outputs


NOTHING = {"app": "false", "chart": "false", "terraform": "false", "argocd": "false"}


@pytest.mark.parametrize("files, parts", [
    (["charts/barkd/values.yaml"], {"chart"}),
    (["Sources/Server/Router.swift"], {"app"}),
    (["Package.resolved"], {"app"}),
    (["scripts/generate-build-info.sh"], {"app"}),
    (["containers/Dockerfile"], {"app"}),
    (["infra/terraform/platform/secrets.tf"], {"terraform"}),
    (["infra/monitoring/loki/values.yaml"], {"argocd"}),
    (["infra/argocd/database/mariadb.yaml"], {"argocd"}),
    (["README.md", "Tests/BarkdTests/RouterTests.swift", "scripts/cleanup/docker-hub-tags.sh"], set()),
    ([".github/workflows/cd.yml"], {"app", "chart", "argocd"}),
    ([".github/workflows/terraform.yml"], {"terraform"}),
    (["charts/barkd/values.yaml", "infra/terraform/gke.tf"], {"chart", "terraform"}),
])
def test_changes_runs_only_what_a_push_touched(history, tmp_path, files, parts):
    repo, base = history
    commit(repo, *files)
    assert classify(repo, base, tmp_path) == {**NOTHING, **{part: "true" for part in parts}}


def test_changes_covers_every_commit_of_a_push(history, tmp_path):
    repo, base = history
    commit(repo, "charts/barkd/values.yaml")
    commit(repo, "Sources/barkd/main.swift")
    assert classify(repo, base, tmp_path) == {**NOTHING, "app": "true", "chart": "true"}


@pytest.mark.parametrize("before", ["0000000000000000000000000000000000000000", "", "1" * 40])
def test_changes_without_a_previous_head_runs_everything(history, tmp_path, before):
    """A first push (before is zeros) or a force push (before is no longer in the history)."""
    repo, _ = history
    assert classify(repo, before, tmp_path) == {"app": "true", "chart": "true", "terraform": "true", "argocd": "true"}


# --------------------------------------------------------------------------------------
# cleanup.yml: the images in the cluster
# --------------------------------------------------------------------------------------


def fake_kubectl(tmp_path: Path, answer: dict | None) -> Path:
    """A kubectl that prints ANSWER as JSON for `get pods,replicasets`, or fails like an
    unreachable API server when ANSWER is None."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "answer.json").write_text(json.dumps(answer))
    script = bin_dir / "kubectl"
    if answer is None:
        script.write_text("#!/bin/sh\necho 'Unable to connect to the server: dial tcp: i/o timeout' >&2\nexit 1\n")
    else:
        script.write_text(f"#!/bin/sh\n[ \"$2\" = pods,replicasets ] || exit 2\ncat '{tmp_path / 'answer.json'}'\n")
    script.chmod(0o755)
    return bin_dir


def pod(*images: str, init: tuple[str, ...] = ()) -> dict:
    return {"kind": "Pod", "spec": {"containers": [{"image": i} for i in images],
                                    "initContainers": [{"image": i} for i in init]}}


def replicaset(image: str) -> dict:
    return {"kind": "ReplicaSet", "spec": {"template": {"spec": {"containers": [{"image": image}]}}}}


def cluster_tags(tmp_path: Path, answer: dict | None):
    script = step("cleanup.yml", "docker-hub-tags", "the barkd images in the cluster (running, and kept for rollback)")["run"]
    bin_dir = fake_kubectl(tmp_path, answer)
    result, _ = run_step(script, tmp_path, {"REPOSITORY": "barkd/barkd", "PATH": f"{bin_dir}:{os.environ['PATH']}"}, tmp_path)
    tags_file = tmp_path / "cluster-tags"
    return result, tags_file.read_text().split() if tags_file.exists() else None


def test_cluster_tags_running_and_rollback_images(tmp_path):
    answer = {"items": [
        pod("docker.io/barkd/barkd:41", "docker.io/library/busybox:1.37"),
        pod("barkd/barkd:41", init=("docker.io/barkd/barkd:0.1.0",)),
        replicaset("docker.io/barkd/barkd:38"),
        replicaset("docker.io/barkd/barkd@sha256:" + "a" * 64),
        replicaset("docker.io/other/barkd:7"),
    ]}
    result, tags = cluster_tags(tmp_path, answer)
    assert result.returncode == 0, result.stderr
    assert tags == ["0.1.0", "38", "41"]


def test_cluster_tags_unreachable_cluster_stops_the_job(tmp_path):
    result, tags = cluster_tags(tmp_path, None)
    assert result.returncode != 0 and tags is None


def test_cluster_tags_without_barkd_stops_the_job(tmp_path):
    result, tags = cluster_tags(tmp_path, {"items": [pod("docker.io/library/busybox:1.37")]})
    assert result.returncode != 0 and tags is None
    assert "refusing to delete tags blindly" in result.stdout


# --------------------------------------------------------------------------------------
# cd.yml: verify (a stand-in kubectl; the pods' /healthcheck served on 127.0.0.1)
# --------------------------------------------------------------------------------------

VERIFY_KUBECTL = r"""#!/bin/sh
# kubectl for the verify job's steps: the deployment, its rollout, the pods, and a
# port-forward that serves the pod's /healthcheck body on 127.0.0.1.
here=$(dirname "$0")/..
case "$1 $2" in
  "get deployment") cat "$here/deployed" ;;
  "rollout status") exit 0 ;;
  "get applications.argoproj.io") echo "application barkd: OutOfSync" ;;
  "get pods") cat "$here/pods.json" ;;
  "port-forward --namespace")
    pod=${4#pod/}
    port=${5%%:*}
    exec python3 - "$port" "$here/bodies/$pod" <<'PY'
import http.server, sys
port, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/healthcheck"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body) if ok else 0))
        self.end_headers()
        if ok:
            self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
    ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
"""

IMAGE = "docker.io/barkd/barkd:7"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def verify(tmp_path: Path, deployed: str, pods: dict[str, tuple[str, str | None]], commit: str = COMMIT,
           wait_seconds: int | None = None):
    """Runs the verify job's two steps; PODS maps a pod name to (image, lastcommitsha)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "kubectl").write_text(VERIFY_KUBECTL)
    (bin_dir / "kubectl").chmod(0o755)
    (tmp_path / "deployed").write_text(deployed)
    (tmp_path / "bodies").mkdir(exist_ok=True)
    items = []
    for name, (image, sha) in pods.items():
        items.append({"metadata": {"name": name}, "status": {"phase": "Running"},
                      "spec": {"containers": [{"name": "barkd", "image": image}]}})
        body = {"myapplication": [{"version": "0.1.0", "description": "barkd", "lastcommitsha": sha}]}
        (tmp_path / "bodies" / name).write_text(json.dumps(body) if sha else "not json")
    (tmp_path / "pods.json").write_text(json.dumps({"items": items}))
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "IMAGE": IMAGE, "COMMIT": commit, "CHART_VERSION": "0.1.9"}
    wait = step("cd.yml", "verify", "wait until Argo CD has synced this chart version and the rollout is complete")["run"]
    if wait_seconds is not None:
        assert "SECONDS + 1200" in wait
        wait = wait.replace("SECONDS + 1200", f"SECONDS + {wait_seconds}")
    result, _ = run_step(wait, tmp_path, env, tmp_path)
    if result.returncode != 0:
        return result
    check = step("cd.yml", "verify", "every new pod's /healthcheck reports the image's commit")["run"]
    assert "18080" in check
    return run_step(check.replace("18080", str(free_port())), tmp_path, env, tmp_path)[0]


def test_verify_passes_when_every_new_pod_reports_the_commit(tmp_path):
    result = verify(tmp_path, f"barkd-0.1.9 {IMAGE}", {"barkd-a": (IMAGE, COMMIT), "barkd-b": (IMAGE, COMMIT),
                                                       "barkd-old": ("docker.io/barkd/barkd:6", "f" * 40)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"barkd-a: lastcommitsha {COMMIT}" in result.stdout and "barkd-old" not in result.stdout


def test_verify_fails_on_a_pod_with_another_commit(tmp_path):
    result = verify(tmp_path, f"barkd-0.1.9 {IMAGE}", {"barkd-a": (IMAGE, COMMIT), "barkd-b": (IMAGE, "e" * 40)})
    assert result.returncode != 0 and "barkd-b reports commit" in result.stdout


def test_verify_fails_on_a_pod_without_an_answer(tmp_path):
    result = verify(tmp_path, f"barkd-0.1.9 {IMAGE}", {"barkd-a": (IMAGE, None)}, commit="")
    assert result.returncode != 0 and "has no commit" in result.stdout


def test_verify_without_a_known_commit_still_needs_one(tmp_path):
    """A chart-only run whose image predates barkd/image-commit: any real commit will do."""
    assert verify(tmp_path, f"barkd-0.1.9 {IMAGE}", {"barkd-a": (IMAGE, "a" * 40)}, commit="").returncode == 0


def test_verify_fails_when_argo_cd_never_rolls_the_chart_out(tmp_path):
    result = verify(tmp_path, f"barkd-0.1.8 {IMAGE}", {"barkd-a": (IMAGE, COMMIT)}, wait_seconds=0)
    assert result.returncode != 0 and "not 'barkd-0.1.9" in result.stdout


# --------------------------------------------------------------------------------------
# cd.yml: chart (which image the new chart version deploys)
# --------------------------------------------------------------------------------------


def chart_image(tmp_path: Path, pushed: bool, index: str | None):
    work = tmp_path / "work"
    (work / "gh-pages").mkdir(parents=True)
    (work / "scripts").symlink_to(REPO / "scripts")
    if index is not None:
        (work / "gh-pages" / "index.yaml").write_text(index)
    script = step("cd.yml", "chart", "the image this chart version deploys")["run"]
    env = {"IMAGE_PUSHED": "true" if pushed else "false", "IMAGE_TAG": "42", "GITHUB_SHA": "c" * 40,
           "CHART_VERSION": "0.1.42"}
    return run_step(script, work, env, tmp_path)


INDEX = """apiVersion: v1
entries:
  barkd:
    - version: 0.1.9
      appVersion: 0.1.0
      annotations: {barkd/image-tag: "9", barkd/image-commit: "%s"}
    - version: 0.1.40
      appVersion: 0.1.0
      annotations: {barkd/image-tag: "40"}
""" % ("9" * 40)


def test_chart_after_a_pushed_image_deploys_it(tmp_path):
    result, outputs = chart_image(tmp_path, True, None)
    assert result.returncode == 0, result.stderr
    assert outputs == {"tag": "42", "commit": "c" * 40}


def test_chart_only_change_keeps_the_newest_chart_versions_image(tmp_path):
    result, outputs = chart_image(tmp_path, False, INDEX)
    assert result.returncode == 0, result.stderr
    # 0.1.40 is the newest (not 0.1.9, which sorts last as text); it has no commit annotation.
    assert outputs == {"tag": "40", "commit": ""}


@pytest.mark.parametrize("index", [None, "apiVersion: v1\nentries: {}\n",
                                   "apiVersion: v1\nentries:\n  barkd:\n    - {version: 0.1.3, appVersion: 0.1.0}\n"])
def test_chart_only_change_without_an_annotated_chart_fails_clearly(tmp_path, index):
    result, outputs = chart_image(tmp_path, False, index)
    assert result.returncode != 0 and "tag" not in outputs
    assert "push an app change first" in result.stdout
