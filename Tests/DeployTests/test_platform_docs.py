"""The Cloud Run service file (docs/cloud-run/service.yaml) checked against the real
barkd binary (BARKD_BIN), since Cloud Run cannot run here: every BARKD_* variable it sets
is an option barkd names in --help, barkd started with exactly that environment and
Cloud Run's PORT answers 200 on every probe path, the grace fits Cloud Run's 10 s, and
the image is the repository CD publishes. (The Elastic Beanstalk bundle runs for real
under podman in Tests/ContainerTests.)"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
from test_runtime import barkd_bin, free_port, runner  # noqa: E402,F401  (fixtures)

#: Cloud Run's time between SIGTERM and SIGKILL.
CLOUD_RUN_STOP_SECONDS = 10


def service() -> dict:
    return yaml.safe_load((REPO / "docs" / "cloud-run" / "service.yaml").read_text())


def container(document: dict) -> dict:
    containers = document["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", text)
    assert match, text
    value = float(match.group(1))
    return {"ms": value / 1000, "s": value, "m": value * 60}[match.group(2)]


def test_cloud_run_service_names_only_real_barkd_options(barkd_bin):
    # --help wraps its lines, sometimes inside "(env: NAME)": compare with spaces folded.
    help_text = " ".join(subprocess.run([barkd_bin, "--help"], capture_output=True, text=True, timeout=10).stdout.split())
    env = {item["name"]: item["value"] for item in container(service()).get("env", [])}
    assert env, "the service sets no variables"
    for name in env:
        assert name.startswith("BARKD_") and f"env: {name}" in help_text, f"{name} is not a barkd option"
    grace = seconds(env["BARKD_SHUTDOWN_GRACE"])
    assert grace < CLOUD_RUN_STOP_SECONDS, f"--shutdown-grace {grace} s does not fit Cloud Run's {CLOUD_RUN_STOP_SECONDS} s"
    image = container(service())["image"]
    assert re.fullmatch(r"docker\.io/OWNER/barkd:[0-9]+\.[0-9]+\.[0-9]+", image), image
    chart = (REPO / "charts" / "barkd" / "Chart.yaml").read_text()
    assert f'appVersion: "{image.rsplit(":", 1)[1]}"' in chart, "the service's tag is not the chart's appVersion (the tag CD pushes)"


def test_cloud_run_probes_answer_from_barkd_started_as_cloud_run_starts_it(runner, tmp_path):
    spec = container(service())
    port = spec["ports"][0]["containerPort"]
    probes = [spec[name]["httpGet"] for name in ("startupProbe", "livenessProbe") if name in spec]
    assert probes and all(probe["port"] == port for probe in probes), probes
    env = {item["name"]: item["value"] for item in spec["env"]}
    # Cloud Run's PORT (a free port here instead of the service's 8080) and the image's own variables.
    local_port = free_port()
    env.update({"PORT": str(local_port), "BARKD_HOST": "127.0.0.1", "BARKD_DATA_DIR": str(tmp_path)})
    barkd = runner.start(env=env, defaults=False)
    assert barkd.port == local_port
    for probe in probes:
        with urllib.request.urlopen(f"http://127.0.0.1:{local_port}{probe['path']}", timeout=5) as response:
            assert response.status == 200, probe
    print(f"barkd with the service's environment and PORT={local_port}: {[p['path'] for p in probes]} answer 200")
