"""Shared helpers for the container tests: the barkd image built from
containers/Dockerfile and the compose stack, run for real under podman.

scripts/check-containers.sh builds the stand-in base images and the image, then runs
these tests with CONTAINERS_CONF / CONTAINERS_STORAGE_CONF naming barkd's own podman
set-up (.tools/podman) and BARKD_TEST_IMAGE naming the image. Every container, volume
and process a test starts is removed or stopped by the test (by name or PID); every
wait is bounded; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
from barkd_helpers import free_port  # noqa: E402,F401  (the tests import it from here)
from barkd_helpers import wait_until as _wait_until  # noqa: E402

#: The integration tests' `wait_until`, polling every 0.2 s (podman calls are slow).
wait_until = functools.partial(_wait_until, interval=0.2)
DOCKERFILE = REPO / "containers" / "Dockerfile"
#: How often the health ticker runs due health checks (podman schedules HEALTHCHECK with
#: systemd timers; without systemd as PID 1 nothing would run them).
HEALTH_TICK = 1.0


def podman(*args: str, check: bool = True, timeout: float = 120, input: Optional[bytes] = None) -> subprocess.CompletedProcess:
    result = subprocess.run(["podman", *args], capture_output=True, timeout=timeout, input=input)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} exited {result.returncode}: {result.stderr.decode(errors='replace')[-2000:]}")
    return result


def inspect(name: str, template: str) -> str:
    return podman("inspect", name, "--format", template).stdout.decode().strip()


def http(method: str, url: str, headers: Optional[dict] = None, timeout: float = 5) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def dockerfile_runtime_stage() -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile's last stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stage: list[tuple[str, str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stage = []
        stage.append((word.upper(), rest.strip()))
    return stage


def chart_app_version() -> str:
    match = re.search(r'^appVersion:\s*"?([^"\s]+)"?', (REPO / "charts" / "barkd" / "Chart.yaml").read_text(), re.M)
    assert match, "charts/barkd/Chart.yaml has no appVersion"
    return match.group(1)


class HealthTicker:
    """Runs `podman healthcheck run` for every running container whose health check is
    due, as podman's systemd timers would: a stand-in for the scheduler only — the
    check that runs is the image's own HEALTHCHECK, with its retries and its verdict."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-ticker", daemon=True)
        self.paused: set[str] = set()

    def __enter__(self) -> "HealthTicker":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(HEALTH_TICK):
            result = podman("ps", "--format", "{{.Names}}\t{{.Status}}", check=False, timeout=30)
            for line in result.stdout.decode().splitlines():
                name, _, status = line.partition("\t")
                if "(" in status and name not in self.paused:
                    podman("healthcheck", "run", name, check=False, timeout=30)


@pytest.fixture(scope="session")
def image() -> str:
    name = os.environ.get("BARKD_TEST_IMAGE", "")
    if not name:
        pytest.fail("BARKD_TEST_IMAGE is not set (scripts/check-containers.sh builds the image and sets it)", pytrace=False)
    podman("image", "exists", name)
    return name


@pytest.fixture(scope="session")
def expected_commit() -> str:
    commit = os.environ.get("BARKD_EXPECTED_COMMIT", "")
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        pytest.fail(f"BARKD_EXPECTED_COMMIT={commit!r} is not the commit the image was built from", pytrace=False)
    return commit


class Containers:
    """Starts containers of the image under test and removes them (and their volumes) at
    teardown, whatever happened."""

    def __init__(self, image: str) -> None:
        self.image = image
        self.names: list[str] = []
        self.volumes: list[str] = []

    def volume(self) -> str:
        name = f"barkd-test-{uuid.uuid4().hex[:10]}"
        podman("volume", "create", name)
        self.volumes.append(name)
        return name

    def run(self, *args: str, command: tuple[str, ...] = (), container_port: int = 5000) -> tuple[str, str]:
        """Starts a detached container publishing `container_port` on 127.0.0.1; returns
        its name and base URL."""
        name = f"barkd-test-{uuid.uuid4().hex[:10]}"
        port = free_port()
        podman("run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:{container_port}", *args, self.image, *command)
        self.names.append(name)
        return name, f"http://127.0.0.1:{port}"

    def wait_serving(self, base: str, timeout: float = 30) -> None:
        def serving() -> bool:
            try:
                return http("GET", f"{base}/readyz", timeout=2)[0] == 200
            except OSError:
                return False

        wait_until(serving, timeout, f"{base}/readyz to answer 200")

    def cleanup(self) -> None:
        for name in self.names:
            podman("rm", "--force", "--time", "5", name, check=False)
        for name in self.volumes:
            podman("volume", "rm", "--force", name, check=False)


@pytest.fixture
def containers(image):
    started = Containers(image)
    try:
        yield started
    finally:
        started.cleanup()


def logs(name: str) -> list[dict]:
    """The container's JSON log lines (stdout)."""
    out = podman("logs", name, check=False).stdout.decode(errors="replace")
    lines = []
    for line in out.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines
