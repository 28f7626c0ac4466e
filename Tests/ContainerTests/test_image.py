"""The image built from containers/Dockerfile, run as a user runs it: as its non-root
user, with its HEALTHCHECK, on a read-only root filesystem with a data volume, stopped
by SIGTERM to PID 1, and carrying every library barkd needs."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import tempfile
import time
from pathlib import Path

from conftest import (
    HealthTicker,
    chart_app_version,
    dockerfile_runtime_stage,
    http,
    inspect,
    logs,
    podman,
    wait_until,
)


def dockerfile_value(instruction: str) -> str:
    values = [rest for word, rest in dockerfile_runtime_stage() if word == instruction]
    assert len(values) == 1, f"the Dockerfile's runtime stage has {len(values)} {instruction} lines"
    return values[0]


def test_runs_as_the_dockerfiles_non_root_user(containers):
    user = dockerfile_value("USER")
    assert not user.startswith(("0", "root")), f"the Dockerfile's USER is {user}"
    assert inspect(containers.image, "{{.Config.User}}") == user
    name, base = containers.run()
    containers.wait_serving(base)
    # PID 1 is barkd itself (no shell in between), running as that user.
    status = podman("exec", name, "cat", "/proc/1/status").stdout.decode()
    uid = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    assert set(uid) == {user.split(":")[0]}, f"PID 1 runs with uids {uid}"
    cmdline = podman("exec", name, "cat", "/proc/1/cmdline").stdout.split(b"\0")
    assert cmdline[0] == b"/usr/local/bin/barkd", cmdline
    print(f"PID 1 is {cmdline[0].decode()} with uid {uid[0]} (Dockerfile USER {user})")


def test_healthcheck_turns_healthy_and_reports_an_instance_out_of_rotation(containers):
    healthcheck = dockerfile_value("HEALTHCHECK")
    command = json.loads(healthcheck.split("CMD", 1)[1])
    # podman keeps HEALTHCHECK only in the docker image format: the build must use it.
    configured = json.loads(inspect(containers.image, "{{json .HealthCheck}}"))
    assert configured["Test"] == ["CMD", *command], configured
    token = "container-test-token-" + os.urandom(8).hex()
    with tempfile.TemporaryDirectory() as secrets:
        token_file = Path(secrets) / "admin_token"
        token_file.write_text(token)
        token_file.chmod(0o644)
        os.chmod(secrets, 0o755)
        name, base = containers.run(
            "--env", "BARKD_ADMIN_TOKEN_FILE=/run/secrets/admin_token",
            "--volume", f"{token_file}:/run/secrets/admin_token:ro",
        )
        started = time.monotonic()
        with HealthTicker() as ticker:
            wait_until(lambda: inspect(name, "{{.State.Health.Status}}") == "healthy", 40, "the container to turn healthy")
            healthy_after = time.monotonic() - started
            # Out of rotation by hand: the same HEALTHCHECK must say so (after its retries).
            auth = {"Authorization": f"Bearer {token}"}
            assert http("POST", f"{base}/readyz/disable", auth)[0] == 200
            wait_until(lambda: inspect(name, "{{.State.Health.Status}}") == "unhealthy", 40, "the container to turn unhealthy")
            failing = json.loads(inspect(name, "{{json .State.Health.FailingStreak}}"))
            assert http("POST", f"{base}/readyz/enable", auth)[0] == 200
            wait_until(lambda: inspect(name, "{{.State.Health.Status}}") == "healthy", 40, "the container to turn healthy again")
            ticker.paused.add(name)
    print(f"healthy {healthy_after:.1f} s after start; unhealthy after a failing streak of {failing} "
          f"while /readyz was disabled; healthy again once enabled")


def test_healthcheck_shows_the_commit_passed_at_build_time(containers, expected_commit):
    name, base = containers.run()
    containers.wait_serving(base)
    status, body = http("GET", f"{base}/healthcheck")
    assert status == 200
    document = json.loads(body)
    assert list(document) == ["myapplication"]
    entry = document["myapplication"][0]
    assert set(entry) == {"version", "description", "lastcommitsha"}, entry
    assert entry["lastcommitsha"] == expected_commit, entry
    assert entry["version"] == chart_app_version(), entry
    labels = json.loads(inspect(containers.image, "{{json .Config.Labels}}"))
    assert labels["org.opencontainers.image.revision"] == expected_commit, labels
    assert labels["org.opencontainers.image.version"] == entry["version"], labels
    status, body = http("GET", f"{base}/version")
    assert status == 200 and json.loads(body)["commit"] == expected_commit, body
    print(f"/healthcheck: {json.dumps(entry)}")


def test_sigterm_to_pid_1_finishes_the_request_in_flight_and_exits_0_within_the_grace(containers):
    grace = 10
    name, base = containers.run("--env", f"BARKD_SHUTDOWN_GRACE={grace}s")
    containers.wait_serving(base)
    host, port = base.removeprefix("http://").split(":")
    # One idle keep-alive connection (it is closed at the drain) and one request whose
    # head is still arriving when SIGTERM does (it is answered, then closed).
    idle = socket.create_connection((host, int(port)), timeout=10)
    idle.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: barkd\r\n\r\n")
    assert read_response(idle).startswith(b"HTTP/1.1 200 "), "the keep-alive request failed"
    busy = socket.create_connection((host, int(port)), timeout=10)
    busy.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: barkd\r\n")
    # Both connections are barkd's before the signal (the metrics scrape is a third).
    wait_until(lambda: re.search(rb"^barkd_http_open_connections 3(\.0)?$", http("GET", f"{base}/metrics")[1], re.M),
               10, "barkd to hold the idle and the busy connection")
    started = time.monotonic()
    podman("kill", "--signal", "TERM", name)
    wait_until(lambda: "draining" in [line.get("msg") for line in logs(name)], 10, "barkd to begin its drain")
    busy.sendall(b"User-Agent: in-flight\r\n\r\n")
    answer = read_response(busy)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert b"\r\nConnection: close\r\n" in answer.split(b"\r\n\r\n")[0] + b"\r\n", answer[:300]
    assert busy.recv(1) == b"", "the in-flight connection stayed open after its answer"
    assert idle.recv(1) == b"", "the idle keep-alive connection was not closed by the drain"
    exit_code = podman("wait", name, timeout=grace + 20).stdout.decode().strip()
    elapsed = time.monotonic() - started
    busy.close()
    idle.close()
    assert exit_code == "0", f"barkd exited {exit_code} after SIGTERM"
    assert elapsed < grace, f"the drain took {elapsed:.1f} s, longer than the {grace} s grace"
    messages = [line.get("msg") for line in logs(name)]
    for expected in ("shutting down", "draining", "stopped"):
        assert expected in messages, f"no {expected!r} log line; got {messages[-10:]}"
    print(f"SIGTERM to PID 1: the request in flight was answered 200 with Connection: close, the idle "
          f"keep-alive closed, exit 0 after {elapsed:.2f} s (grace {grace} s)")


def read_response(sock: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a full response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return head + b"\r\n\r\n" + body


def test_the_platforms_port_variable_moves_the_listener_and_the_healthcheck(containers):
    # As Cloud Run runs the published image: PORT=8080 and nothing else.
    name, base = containers.run("--env", "PORT=8080", container_port=8080)
    containers.wait_serving(base)
    assert http("GET", f"{base}/healthcheck")[0] == 200
    assert podman("healthcheck", "run", name, check=False).returncode == 0, "HEALTHCHECK ignores PORT"
    listening = [line for line in logs(name) if line.get("msg") == "starting"]
    assert listening and listening[0].get("listen", "").endswith(":8080"), listening
    print(f"PORT=8080: barkd listens on {listening[0]['listen']} and the HEALTHCHECK probes it")


def test_read_only_root_filesystem_with_the_data_volume_keeps_the_count(containers):
    volume = containers.volume()
    # As compose's read_only and Kubernetes' readOnlyRootFilesystem: no writable tmpfs
    # added, only the data volume.
    strict = ("--read-only", "--read-only-tmpfs=false", "--volume", f"{volume}:/var/lib/barkd")
    name, base = containers.run(*strict)
    containers.wait_serving(base)
    write = podman("exec", name, "sh", "-c", "echo x > /usr/local/bin/probe-write", check=False)
    assert write.returncode != 0, "the root filesystem is writable"
    for _ in range(3):
        assert http("GET", f"{base}/")[0] == 200
    count = json.loads(http("GET", f"{base}/api/visitors")[1])["count"]
    assert count == 3, count
    podman("stop", "--time", "15", name)
    assert inspect(name, "{{.State.ExitCode}}") == "0"
    # A new container on the same volume continues the count from the stored total.
    second, base = containers.run(*strict)
    containers.wait_serving(base)
    assert http("GET", f"{base}/")[0] == 200
    count = json.loads(http("GET", f"{base}/api/visitors")[1])["count"]
    assert count == 4, f"the count did not survive the container on its volume: {count}"
    files = podman("exec", second, "ls", "/var/lib/barkd").stdout.decode().split()
    print(f"read-only root, data volume {volume}: count 3 → 4 across containers; data dir holds {files}")


def test_image_carries_every_library_barkd_needs(containers):
    out = podman("run", "--rm", "--entrypoint", "ldd", containers.image, "/usr/local/bin/barkd").stdout.decode()
    missing = [line.strip() for line in out.splitlines() if "not found" in line]
    assert not missing, f"libraries missing from the image: {missing}"
    libraries = sorted(line.split()[0] for line in out.splitlines() if "=>" in line)
    help_run = podman("run", "--rm", containers.image, "--help", check=False)
    assert help_run.returncode == 0 and b"--port" in help_run.stdout, help_run.stderr
    print(f"ldd resolves all {len(libraries)} libraries: {' '.join(libraries)}")


def test_invalid_configuration_stops_the_container_with_exit_2_and_one_line(containers):
    result = podman("run", "--rm", containers.image, "--port", "not-a-port", check=False)
    assert result.returncode == 2, (result.returncode, result.stderr)
    # podman's own log lines (time="…" level=…) are not barkd's.
    lines = [line for line in result.stderr.decode().splitlines() if line.strip() and not line.startswith('time="')]
    assert len(lines) == 1, lines
    print(f"exit 2: {shlex.quote(lines[0])}")
