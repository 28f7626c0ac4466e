"""The container entrypoint and the systemd unit, run against the real barkd binary
(BARKD_BIN) as their runtime would run it: the settings are read from
containers/Dockerfile and infra/systemd/barkd.service themselves, so a change to either
that barkd does not honour fails here. Only 127.0.0.1 is contacted; every process is
stopped by its PID (the integration tests' BarkdRunner)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))
from barkd_helpers import BarkdRunner, NotifySocket, clean_environment, free_port, socket_activation_prefix  # noqa: E402

IMAGE_BINARY = "/usr/local/bin/barkd"


@pytest.fixture(scope="module")
def barkd_bin() -> str:
    path = os.environ.get("BARKD_BIN", "")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"BARKD_BIN={path!r} is not an executable barkd (scripts/check-deploy.sh sets it)", pytrace=False)
    return os.path.abspath(path)


@pytest.fixture
def runner(barkd_bin):
    started = BarkdRunner(barkd_bin)
    try:
        yield started
    finally:
        started.cleanup()


# --------------------------------------------------------------------------------------
# containers/Dockerfile
# --------------------------------------------------------------------------------------


def runtime_stage() -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile's last stage, continuation lines joined."""
    text = (REPO / "containers" / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            instructions = []
        instructions.append((word.upper(), rest.strip()))
    return instructions


def image_environment(stage) -> dict[str, str]:
    env = {}
    for word, rest in stage:
        if word == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_container_entrypoint_serves_and_is_healthy(runner, barkd_bin, tmp_path):
    stage = runtime_stage()
    words = dict(stage)
    env = image_environment(stage)
    assert env.get("BARKD_HOST") == "0.0.0.0", "the image must bind every interface"
    assert words.get("EXPOSE") == "5000"
    # The image leaves the port to barkd's default (5000) so a platform's PORT can set it.
    assert "BARKD_PORT" not in env, "BARKD_PORT in the image would override Cloud Run's PORT"
    assert re.fullmatch(r"\d+:\d+", words.get("USER", "")), "USER must be numeric uid:gid"
    assert not words["USER"].startswith("0:")
    for label in ("org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"):
        assert label in words.get("LABEL", ""), f"missing OCI label {label}"
    entrypoint = json.loads(words["ENTRYPOINT"])
    assert entrypoint[0] == IMAGE_BINARY
    health = words["HEALTHCHECK"]
    command = json.loads(health[health.index("CMD") + 3:].strip())
    assert command[0] == IMAGE_BINARY and "curl" not in health

    # The image's environment, with the port set the way Cloud Run sets it (PORT), on a
    # private data directory.
    port = free_port()
    env.update({"PORT": str(port), "BARKD_DATA_DIR": str(tmp_path)})
    barkd = runner.start(*entrypoint[1:], env=env, defaults=False)
    assert barkd.starting["listen"].startswith("0.0.0.0:"), barkd.starting
    assert barkd.port == port

    probe_env = clean_environment(env)
    result = subprocess.run([barkd_bin, *command[1:]], env=probe_env, capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, f"HEALTHCHECK failed: {result.stderr}"

    barkd.send_signal(signal.SIGTERM)
    assert barkd.wait_exit(10) == 0
    # Stopped: the same health check now fails, with one line.
    result = subprocess.run([barkd_bin, *command[1:]], env=probe_env, capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and result.stderr.count("\n") == 1


def test_the_license_file_is_the_one_the_image_label_names():
    label = re.search(r'org\.opencontainers\.image\.licenses="([^"]+)"', (REPO / "containers" / "Dockerfile").read_text())
    assert label, "the Dockerfile has no licenses label"
    text = (REPO / "LICENSE").read_text()
    names = {"Apache-2.0": "Apache License\n                           Version 2.0, January 2004"}
    assert label.group(1) in names, f"no LICENSE text known for {label.group(1)}"
    assert names[label.group(1)] in text and "END OF TERMS AND CONDITIONS" in text, "LICENSE is not the full license text"


def test_port_precedence_flag_then_barkd_port_then_platform_port(runner, tmp_path):
    flag, own, platform = free_port(), free_port(), free_port()
    cases = [
        ((f"--port={flag}",), {"BARKD_PORT": str(own), "PORT": str(platform)}, flag),
        ((), {"BARKD_PORT": str(own), "PORT": str(platform)}, own),
        ((), {"PORT": str(platform)}, platform),
    ]
    for args, env, expected in cases:
        env = {**env, "BARKD_HOST": "127.0.0.1", "BARKD_DATA_DIR": str(tmp_path)}
        barkd = runner.start(*args, env=env, defaults=False)
        assert barkd.port == expected, (args, env, barkd.starting)
        # The HEALTHCHECK probe finds the same port from the same environment.
        result = subprocess.run([runner.binary, "probe"], env=clean_environment(env), capture_output=True, text=True, timeout=10)
        if args:
            assert result.returncode == 1, "the probe cannot know a --port given only to the server"
        else:
            assert result.returncode == 0, result.stderr
        barkd.send_signal(signal.SIGTERM)
        assert barkd.wait_exit(10) == 0


# --------------------------------------------------------------------------------------
# infra/systemd
# --------------------------------------------------------------------------------------


def unit_section(path: Path, section: str) -> list[tuple[str, str]]:
    entries, current = [], None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        if current == section:
            key, _, value = line.partition("=")
            entries.append((key.strip(), value.strip()))
    return entries


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ms|s|min)?", value)
    assert match, f"unsupported time span {value!r}"
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number * 60 if match.group(2) == "min" else number


def test_systemd_unit_lifecycle_with_socket_activation(runner, tmp_path):
    service = unit_section(REPO / "infra" / "systemd" / "barkd.service", "Service")
    socket_unit = dict(unit_section(REPO / "infra" / "systemd" / "barkd.socket", "Socket"))
    settings = dict(service)
    assert settings["Type"] == "notify" and settings["NotifyAccess"] == "main"
    exec_start = shlex.split(settings["ExecStart"])
    assert exec_start[0] == IMAGE_BINARY

    state = tmp_path / "state"
    (state / "barkd").mkdir(parents=True)
    env = {}
    for key, value in service:
        if key == "Environment":
            for item in shlex.split(value):
                name, _, text = item.partition("=")
                env[name] = text.replace("%S", str(state))
    listen = f"{env.get('BARKD_HOST')}:{env.get('BARKD_PORT')}"
    assert listen == socket_unit["ListenStream"], f"the unit's fallback address {listen} differs from barkd.socket's"
    watchdog = seconds(settings["WatchdogSec"])
    stop_timeout = seconds(settings["TimeoutStopSec"])

    # systemd's part: the listening socket on fd 3 (here on 127.0.0.1 and a free port),
    # NOTIFY_SOCKET and WATCHDOG_USEC from WatchdogSec=.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    notify = NotifySocket()
    try:
        env.update({"LISTEN_FDS": "1", "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(int(watchdog * 1e6))})
        try:
            barkd = runner.start(*exec_start[1:], env=env, defaults=False, pass_fds=[listener.fileno()],
                                 argv_prefix=socket_activation_prefix(listener.fileno()))
        finally:
            listener.close()
        assert barkd.port == port, "barkd did not serve on the socket systemd passed"
        assert barkd.starting.get("socket_activated") in (True, "true")
        assert (state / "barkd" / "barkd.sqlite3").exists(), "the database is not in the StateDirectory"
        notify.wait_for(lambda m: "READY=1" in m.split("\n"))
        notify.wait_for(lambda m: "WATCHDOG=1" in m.split("\n"), timeout=watchdog)
        assert barkd.get("/readyz").status == 200

        started = time.monotonic()
        barkd.send_signal(signal.SIGTERM)
        notify.wait_for(lambda m: "STOPPING=1" in m.split("\n"))
        assert barkd.wait_exit(stop_timeout) == 0
        assert time.monotonic() - started < stop_timeout
    finally:
        notify.close()


def test_runtime_image_installs_every_shared_library_barkd_needs(barkd_bin):
    """The runtime stage installs only the Debian packages named in the Dockerfile (the
    Swift runtime is linked statically there): every other library barkd links must come
    from one of them or from the slim base image."""
    installs = " ".join(rest for word, rest in runtime_stage() if word == "RUN")
    named = {re.sub(r"=.*", "", word) for word in installs.split() if re.match(r"^lib[a-z0-9.+-]+=", word)}
    base_image = {"libc6", "libgcc-s1", "libstdc++6"}
    # The libraries barkd links directly (their own dependencies come with their packages).
    dynamic = subprocess.run(["readelf", "-d", barkd_bin], capture_output=True, text=True, timeout=30, check=True)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic.stdout)
    assert needed, "readelf found no NEEDED entries"
    resolved = subprocess.run(["ldd", barkd_bin], capture_output=True, text=True, timeout=30, check=True)
    paths = dict(re.findall(r"^\s*(\S+) => (\S+) \(", resolved.stdout, re.M))
    missing = []
    for name in needed:
        path = paths.get(name, name)
        owner = subprocess.run(["dpkg", "-S", f"*/{name}"], capture_output=True, text=True, timeout=30)
        if owner.returncode != 0:
            # Not a Debian package's: the Swift toolchain's runtime, static in the image.
            assert "swift" in path or "/opt/" in path, f"{name} ({path}) belongs to no package and is not Swift's"
            continue
        package = owner.stdout.split(":", 1)[0].strip()
        if package not in named | base_image:
            missing.append(f"{name} from {package}")
    assert not missing, f"the runtime stage does not install: {missing} (it installs {sorted(named)})"
