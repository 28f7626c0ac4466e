"""The cleanup scripts, run for real against stand-ins on this machine: a small HTTP
server on 127.0.0.1 speaking the part of Docker Hub's API the tag cleanup uses, and local
git repositories (with a bare origin) for the gh-pages chart repository, filled with chart
versions packaged the way CD publishes them. Each test checks exactly what was (or was
not) deleted, and that a tag something still deploys is never deleted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import helm_python
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER_SCRIPT = REPO / "scripts" / "cleanup" / "docker-hub-tags.sh"
CHART_SCRIPT = REPO / "scripts" / "cleanup" / "helm-chart-versions.sh"
TAGS_SCRIPT = REPO / "scripts" / "cleanup" / "chart-image-tags.py"
APP_VERSION = str(yaml.safe_load((REPO / "charts" / "barkd" / "Chart.yaml").read_text())["appVersion"])
HELM_SHIM_DIR = Path(__file__).resolve().parent / "bin"
USER, TOKEN, JWT = "barkdbot", "dckr_pat_test", "jwt-for-tests"
NOW = datetime.now(timezone.utc)


def iso(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------------------
# Docker Hub stand-in
# --------------------------------------------------------------------------------------


class FakeHub:
    def __init__(self, tags: dict[str, float], page_size: int = 3):
        self.tags = {name: iso(age) for name, age in tags.items()}
        self.page_size = page_size
        self.deleted: list[str] = []
        self.requests: list[tuple[str, str]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status: int, body: object = None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def authorized(self) -> bool:
                return self.headers.get("Authorization") == f"JWT {JWT}"

            def do_POST(self):
                hub.requests.append(("POST", self.path))
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/v2/users/login" and body == {"username": USER, "password": TOKEN}:
                    self.send(200, {"token": JWT})
                else:
                    self.send(401, {"detail": "Incorrect authentication credentials"})

            def do_GET(self):
                hub.requests.append(("GET", self.path))
                url = urlparse(self.path)
                if url.path != "/v2/repositories/barkd/barkd/tags":
                    return self.send(404, {"message": "not found"})
                if not self.authorized():
                    return self.send(401, {"detail": "auth"})
                page = int(parse_qs(url.query).get("page", ["1"])[0])
                names = sorted(hub.tags)
                chunk = names[(page - 1) * hub.page_size: page * hub.page_size]
                more = page * hub.page_size < len(names)
                base = f"http://127.0.0.1:{hub.port}"
                self.send(200, {
                    "count": len(names),
                    "next": f"{base}/v2/repositories/barkd/barkd/tags?page_size=100&page={page + 1}" if more else None,
                    "results": [{"name": n, "last_updated": hub.tags[n], "tag_last_pushed": hub.tags[n]} for n in chunk],
                })

            def do_DELETE(self):
                hub.requests.append(("DELETE", self.path))
                prefix = "/v2/repositories/barkd/barkd/tags/"
                if not self.authorized():
                    return self.send(401, {"detail": "auth"})
                name = self.path[len(prefix):].rstrip("/") if self.path.startswith(prefix) else ""
                if name not in hub.tags:
                    return self.send(404, {"message": "not found"})
                del hub.tags[name]
                hub.deleted.append(name)
                self.send(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def hub():
    server = FakeHub({
        "1": 30, "2": 9, "3": 7.5, "4": 6.9, "5": 1, "latest": 20,
        "0123abcd0123abcd0123abcd0123abcd0123abcd": 8, "feedbeef": 0.1,
    })
    try:
        yield server
    finally:
        server.close()


def run_docker(hub: FakeHub, *args: str, env: dict | None = None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOCKERHUB_")}
    environment.update({"DOCKERHUB_USERNAME": USER, "DOCKERHUB_TOKEN": TOKEN})
    environment.update(env or {})
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        ["bash", str(DOCKER_SCRIPT), "--api", f"http://127.0.0.1:{hub.port}", "--repository", "barkd/barkd", *args],
        env=environment, capture_output=True, text=True, timeout=60,
    )


OLD_TAGS = {"1", "2", "3", "0123abcd0123abcd0123abcd0123abcd0123abcd"}


@pytest.mark.parametrize("mode", [[], ["--dry-run"], ["--apply", "--dry-run"]])
def test_docker_dry_run_deletes_nothing(hub, mode):
    result = run_docker(hub, *mode)
    assert result.returncode == 0, result.stderr
    assert hub.deleted == []
    assert not [r for r in hub.requests if r[0] == "DELETE"]
    listed = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("old: ")}
    assert listed == OLD_TAGS
    assert "4 of 8 tags are older than 7 days" in result.stderr
    assert "dry run" in result.stderr


def test_docker_apply_deletes_exactly_the_old_tags_across_pages(hub):
    result = run_docker(hub, "--apply")
    assert result.returncode == 0, result.stderr
    assert sorted(hub.deleted) == sorted(OLD_TAGS)
    assert set(hub.tags) == {"4", "5", "latest", "feedbeef"}
    # Three pages of three were read.
    assert len([r for r in hub.requests if r[0] == "GET"]) == 3


def test_docker_days_and_protect(hub):
    result = run_docker(hub, "--days", "1", "--protect", "latest", "--protect", "4", "--apply")
    assert result.returncode == 0, result.stderr
    assert sorted(hub.deleted) == sorted(OLD_TAGS | {"5"})
    assert "keep (protected): 4" in result.stderr


@pytest.mark.parametrize("missing", ["DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"])
def test_docker_missing_credentials(hub, missing):
    result = run_docker(hub, "--apply", env={missing: None})
    assert result.returncode == 2
    assert f"{missing} is not set" in result.stderr
    assert hub.requests == []


def test_docker_wrong_token(hub):
    result = run_docker(hub, "--apply", env={"DOCKERHUB_TOKEN": "wrong"})
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr and "DOCKERHUB_TOKEN" in result.stderr
    assert hub.deleted == []


def test_docker_bad_arguments(hub):
    assert run_docker(hub, "--days", "0").returncode == 2
    assert run_docker(hub, "--days", "x").returncode == 2
    assert run_docker(hub, "--repository", "not a repo").returncode == 2
    assert run_docker(hub, "--bogus").returncode == 2
    assert hub.requests == []


# --------------------------------------------------------------------------------------
# gh-pages chart repository stand-in
# --------------------------------------------------------------------------------------

PAGES_URL = "https://barkd.github.io/barkd"
VERSIONS = ["0.1.2", "0.1.9", "0.1.10", "0.1.11", "0.1.3", "0.2.0-rc.1"]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}).stdout


@pytest.fixture
def pages(tmp_path):
    """A bare origin and a gh-pages checkout holding barkd at six versions and another chart."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=gh-pages", str(origin)], check=True)
    checkout = tmp_path / "gh-pages"
    subprocess.run(["git", "clone", "--quiet", str(origin), str(checkout)], check=True, capture_output=True)
    git(checkout, "checkout", "--quiet", "-B", "gh-pages")
    for version in VERSIONS:
        helm_python.package(str(REPO / "charts" / "barkd"), destination=str(checkout), version=version)
    other = tmp_path / "other"
    helm_python.Chart.create("other", str(tmp_path))
    for version in ["1.0.0", "1.1.0"]:
        helm_python.package(str(other), destination=str(checkout), version=version)
    helm_python.repo_index_generate(str(checkout), base_url=PAGES_URL)
    git(checkout, "add", "-A")
    git(checkout, "commit", "--quiet", "-m", "charts")
    git(checkout, "push", "--quiet", "origin", "gh-pages")
    return checkout, origin


def run_chart(checkout: Path, *args: str, env: dict | None = None):
    environment = dict(os.environ)
    environment["PATH"] = f"{HELM_SHIM_DIR}:{environment['PATH']}"
    environment["HELM_SDK_PYTHON"] = sys.executable
    environment.update(env or {})
    return subprocess.run(
        ["bash", str(CHART_SCRIPT), "--repo-dir", str(checkout), "--url", PAGES_URL, *args],
        env=environment, capture_output=True, text=True, timeout=120,
    )


def packages(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*.tgz")}


@pytest.mark.parametrize("mode", [[], ["--dry-run"]])
def test_chart_dry_run_changes_nothing(pages, mode):
    checkout, _ = pages
    before = packages(checkout)
    index = (checkout / "index.yaml").read_text()
    head = git(checkout, "rev-parse", "HEAD")
    result = run_chart(checkout, *mode)
    assert result.returncode == 0, result.stderr
    assert packages(checkout) == before
    assert (checkout / "index.yaml").read_text() == index
    assert git(checkout, "rev-parse", "HEAD") == head
    listed = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("old: ")}
    assert listed == {"barkd-0.1.9.tgz", "barkd-0.1.3.tgz", "barkd-0.1.2.tgz"}


def test_chart_apply_keeps_newest_three_and_rebuilds_index(pages):
    checkout, origin = pages
    result = run_chart(checkout, "--apply", "--push")
    assert result.returncode == 0, result.stderr
    kept = {"barkd-0.2.0-rc.1.tgz", "barkd-0.1.11.tgz", "barkd-0.1.10.tgz", "other-1.0.0.tgz", "other-1.1.0.tgz"}
    assert packages(checkout) == kept
    index = yaml.safe_load((checkout / "index.yaml").read_text())
    assert sorted(e["version"] for e in index["entries"]["barkd"]) == ["0.1.10", "0.1.11", "0.2.0-rc.1"]
    assert sorted(e["version"] for e in index["entries"]["other"]) == ["1.0.0", "1.1.0"]
    for entries in index["entries"].values():
        for entry in entries:
            assert entry["urls"] == [f"{PAGES_URL}/{entry['name']}-{entry['version']}.tgz"]
    assert git(checkout, "status", "--porcelain") == ""
    message = git(checkout, "log", "-1", "--format=%s")
    assert "barkd-0.1.9.tgz" in message and "barkd-0.1.2.tgz" in message
    # The commit reached origin, and deleted exactly three files.
    assert git(origin, "rev-parse", "gh-pages") == git(checkout, "rev-parse", "HEAD")
    deleted = git(checkout, "diff", "--name-only", "--diff-filter=D", "HEAD~1", "HEAD").split()
    assert sorted(deleted) == ["barkd-0.1.2.tgz", "barkd-0.1.3.tgz", "barkd-0.1.9.tgz"]


def test_chart_keep_one_for_one_chart(pages):
    checkout, _ = pages
    result = run_chart(checkout, "--keep", "1", "--chart", "other", "--apply")
    assert result.returncode == 0, result.stderr
    assert "other-1.0.0.tgz" not in packages(checkout)
    assert {p for p in packages(checkout) if p.startswith("barkd-")} == {f"barkd-{v}.tgz" for v in VERSIONS}


def test_chart_errors(pages, tmp_path):
    checkout, _ = pages
    assert run_chart(checkout, "--keep", "0").returncode == 2
    assert run_chart(checkout, "--push").returncode == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    result = run_chart(plain)
    assert result.returncode == 2 and "not a git checkout" in result.stderr
    result = run_chart(checkout, "--apply", env={"HELM": "/nonexistent/helm"})
    assert result.returncode == 2 and "helm is required" in result.stderr
    # --push without a reachable origin says so before touching anything.
    git(checkout, "remote", "set-url", "origin", str(tmp_path / "missing.git"))
    before = packages(checkout)
    result = run_chart(checkout, "--apply", "--push")
    assert result.returncode == 2 and "cannot reach origin" in result.stderr
    assert packages(checkout) == before


# --------------------------------------------------------------------------------------
# Tags still in use: kept chart versions and the cluster
# --------------------------------------------------------------------------------------


def publish(chart_copy: Path, checkout: Path, version: str, tag: str, annotate: bool = True) -> None:
    """Packages barkd into the gh-pages checkout as CD does: values.yaml defaults to the
    run's image tag and (since the annotation exists) Chart.yaml records it."""
    values_path, chart_path = chart_copy / "values.yaml", chart_copy / "Chart.yaml"
    values = yaml.safe_load(values_path.read_text())
    values["image"]["tag"] = tag
    values_path.write_text(yaml.safe_dump(values, sort_keys=False))
    chart = yaml.safe_load(chart_path.read_text())
    chart.pop("annotations", None)
    if annotate:
        chart["annotations"] = {"barkd/image-tag": tag, "barkd/image-commit": f"{tag:0>40}"}
    chart_path.write_text(yaml.safe_dump(chart, sort_keys=False))
    helm_python.package(str(chart_copy), destination=str(checkout), version=version)


@pytest.fixture
def cd_pages(tmp_path):
    """gh-pages as CD leaves it after runs 21..25 (chart 0.1.N deploys image tag N); run 21
    predates the barkd/image-tag annotation."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=gh-pages", str(origin)], check=True)
    checkout = tmp_path / "gh-pages"
    subprocess.run(["git", "clone", "--quiet", str(origin), str(checkout)], check=True, capture_output=True)
    git(checkout, "checkout", "--quiet", "-B", "gh-pages")
    chart_copy = tmp_path / "chart" / "barkd"
    shutil.copytree(REPO / "charts" / "barkd", chart_copy)
    for run in range(21, 26):
        publish(chart_copy, checkout, f"0.1.{run}", str(run), annotate=run != 21)
    helm_python.repo_index_generate(str(checkout), base_url=PAGES_URL)
    git(checkout, "add", "-A")
    git(checkout, "commit", "--quiet", "-m", "charts")
    git(checkout, "push", "--quiet", "origin", "gh-pages")
    return checkout, origin


def run_tags(index: Path, *args: str):
    return subprocess.run([sys.executable, str(TAGS_SCRIPT), str(index), *args],
                          capture_output=True, text=True, timeout=60)


def test_chart_image_tags_lists_every_referenced_tag(cd_pages):
    checkout, _ = cd_pages
    result = run_tags(checkout / "index.yaml")
    assert result.returncode == 0, result.stderr
    # 22..25 from the annotation; 21 from its packaged values.yaml (no annotation yet).
    assert result.stdout.split() == ["21", "22", "23", "24", "25"]


def test_chart_image_tags_without_package_falls_back_to_app_version(cd_pages):
    checkout, _ = cd_pages
    (checkout / "barkd-0.1.21.tgz").unlink()
    assert run_tags(checkout / "index.yaml").stdout.split() == sorted(["22", "23", "24", "25", APP_VERSION])


def test_chart_image_tags_newest_is_semantic_version_order(tmp_path, cd_pages):
    checkout, _ = cd_pages
    result = run_tags(checkout / "index.yaml", "--newest")
    assert (result.returncode, result.stdout) == (0, "25\n"), result.stderr
    assert run_tags(checkout / "index.yaml", "--newest", "--annotation", "barkd/image-commit").stdout.strip() == "25".rjust(40, "0")
    # 0.1.100 is newer than 0.1.25 although it sorts lower as text.
    chart_copy = tmp_path / "chart" / "barkd"
    publish(chart_copy, checkout, "0.1.100", "100")
    helm_python.repo_index_generate(str(checkout), base_url=PAGES_URL, merge=str(checkout / "index.yaml"))
    assert run_tags(checkout / "index.yaml", "--newest").stdout == "100\n"


def test_chart_image_tags_fails_clearly(tmp_path, cd_pages):
    checkout, _ = cd_pages
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: v1\nentries:\n  other: []\n")
    result = run_tags(other, "--newest")
    assert result.returncode == 1 and "lists no version of chart barkd" in result.stderr
    # Only run 21 left: it predates the annotation, so --newest has no tag to offer.
    index = yaml.safe_load((checkout / "index.yaml").read_text())
    index["entries"]["barkd"] = [e for e in index["entries"]["barkd"] if e["version"] == "0.1.21"]
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(index))
    result = run_tags(old, "--newest")
    assert result.returncode == 1 and "has no barkd/image-tag annotation" in result.stderr
    assert run_tags(tmp_path / "missing.yaml").returncode == 2


@pytest.fixture
def busy_hub():
    """Runs 21..25 pushed 30..10 days ago, the appVersion tag, latest, and a stray commit tag."""
    tags = {str(run): 30 - 5 * (run - 21) for run in range(21, 26)}
    tags.update({APP_VERSION: 40, "latest": 40, "deadbeef": 12, "26": 1})
    server = FakeHub(tags)
    try:
        yield server
    finally:
        server.close()


def test_docker_always_keeps_latest_and_app_version(busy_hub):
    result = run_docker(busy_hub, "--apply")
    assert result.returncode == 0, result.stderr
    assert APP_VERSION in busy_hub.tags and "latest" in busy_hub.tags
    assert sorted(busy_hub.deleted) == sorted(["21", "22", "23", "24", "25", "deadbeef"])


def test_docker_keeps_tags_of_kept_chart_versions_and_the_cluster(busy_hub, cd_pages):
    """The cleanup workflow's order: prune the chart versions and push, read the pruned
    index from a fresh clone of origin, keep what the cluster runs, then delete."""
    checkout, origin = cd_pages
    result = run_chart(checkout, "--keep", "3", "--apply", "--push")
    assert result.returncode == 0, result.stderr
    fresh = checkout.parent / "fresh"
    subprocess.run(["git", "clone", "--quiet", "--branch", "gh-pages", str(origin), str(fresh)], check=True)
    assert packages(fresh) == {"barkd-0.1.23.tgz", "barkd-0.1.24.tgz", "barkd-0.1.25.tgz"}
    # The cluster still runs run 22 (say, a rollback): its chart is gone, its image stays.
    result = run_docker(busy_hub, "--keep-tags-from-index", str(fresh / "index.yaml"), "--keep-tag", "22", "--apply")
    assert result.returncode == 0, result.stderr
    assert sorted(busy_hub.deleted) == ["21", "deadbeef"]
    assert {"22", "23", "24", "25", "26", APP_VERSION, "latest"} <= set(busy_hub.tags)
    assert "keep (protected): 22" in result.stderr and "keep (protected): 23" in result.stderr


def test_docker_refuses_an_unreadable_keep_list(busy_hub, tmp_path):
    empty = tmp_path / "index.yaml"
    empty.write_text("apiVersion: v1\nentries: {}\n")
    for source in (["--keep-tags-from-index", str(empty)], ["--keep-tags-from-index", str(tmp_path / "none.yaml")],
                   ["--chart-yaml", str(tmp_path / "none.yaml")]):
        result = run_docker(busy_hub, *source, "--apply")
        assert result.returncode != 0, source
        assert busy_hub.requests == [] and busy_hub.deleted == []
