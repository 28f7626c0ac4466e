"""Metrics and health details end to end: `/metrics` checked by `promtool check metrics`
and scraped by a real Prometheus on 127.0.0.1 (queried through its HTTP API), the
series' values after known traffic, `--metrics off`, `--metrics-listen`, and `/health`.

Every barkd and the Prometheus server are stopped by their PIDs; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from barkd_helpers import TOKEN, Barkd, call, exchange, free_port, request, start_app, stop_process, view_page, wait_until

pytestmark = pytest.mark.timeout(120)

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
SERIES_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def scrape(b: Barkd, port: int | None = None) -> str:
    target = b if port is None else None
    if target is not None:
        response = call(target, "GET", "/metrics")
    else:
        data = exchange(("127.0.0.1", port), request("GET", "/metrics", {"Connection": "close"}))
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        return body.decode()
    assert response.status == 200, response.status
    assert response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return response.body.decode()


def series(text: str) -> dict[str, float]:
    """`name{labels}` → value for every sample line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SERIES_RE.match(line)
        assert match, f"not a sample line: {line!r}"
        out[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return out


def test_promtool_finds_nothing_to_lint_in_a_live_metrics_body(start_barkd, tmp_path):
    b = start_app(start_barkd, tmp_path / "data")
    for path in ("/", "/healthcheck", "/nope", "/api/visitors"):
        call(b, "GET", path)
    body = scrape(b)
    done = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", (done.stdout, done.stderr)


def test_series_follow_the_traffic(start_barkd, tmp_path, expected_commit):
    b = start_app(start_barkd, tmp_path / "data", "--counter-flush-interval", "1h")
    for _ in range(5):
        assert call(b, "GET", "/healthcheck").status == 200
    views = [view_page(b)[0] for _ in range(3)]
    for index in range(40):  # unmatched paths share one route label
        assert call(b, "GET", f"/no/such/{index}").status == 404
    assert call(b, "BREW", "/healthcheck").status == 405
    with b.client() as client:  # a malformed request is rejected and counted
        client.send(b"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n")
        assert client.read_response().status == 400

    text = scrape(b)
    values = series(text)
    duration_count = 'http_server_request_duration_seconds_count{{http_request_method="{}",http_route="{}",http_response_status_code="{}"}}'
    assert values[duration_count.format("GET", "/healthcheck", 200)] == 5
    assert values[duration_count.format("GET", "/", 200)] == 3
    assert values[duration_count.format("GET", "_unmatched", 404)] == 40
    assert values[duration_count.format("_OTHER", "_unmatched", 405)] == 1
    assert not any("/no/such" in key for key in values), "a raw path became a label"
    buckets = [key for key in values if key.startswith("http_server_request_duration_seconds_bucket") and 'http_route="/"' in key]
    assert {re.search(r'le="([^"]+)"', key).group(1) for key in buckets} == {
        "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"}
    assert values['barkd_http_rejected_total{reason="malformed"}'] == 1
    assert values['barkd_http_rejected_total{reason="header_timeout"}'] == 0
    assert values["barkd_page_views_total"] == 3
    assert values["barkd_visitors"] == views[-1] == 3
    assert values["barkd_pending_views"] == 3  # flush interval 1 h: nothing written yet
    assert values["barkd_gif_catalog_size"] == 14
    assert values['barkd_db_pool_connections{state="busy"}'] >= 0
    assert values["barkd_db_queue_depth"] == 0
    build = [key for key in values if key.startswith("barkd_build_info")]
    assert build == [f'barkd_build_info{{version="0.1.0",commit="{expected_commit}"}}'] and values[build[0]] == 1
    assert values["http_server_active_requests"] == 1  # this scrape
    assert values["barkd_http_open_connections"] >= 1
    assert values["barkd_http_request_buffer_bytes"] == 0  # nothing larger than 4 KiB is being read
    assert 0 < values["process_open_fds"] <= values["process_max_fds"]
    assert values["process_resident_memory_bytes"] > 1 << 20
    assert values["process_threads"] >= 2
    assert values["process_cpu_seconds_total"] > 0
    assert abs(values["process_start_time_seconds"] - time.time()) < 120
    # Counters only grow: a second scrape after more traffic.
    call(b, "GET", "/healthcheck")
    again = series(scrape(b))
    assert again[duration_count.format("GET", "/healthcheck", 200)] == 6
    assert again["process_cpu_seconds_total"] >= values["process_cpu_seconds_total"]


def test_metrics_off_records_and_serves_nothing(start_barkd, tmp_path):
    b = start_app(start_barkd, tmp_path / "data", "--metrics", "off")
    assert call(b, "GET", "/healthcheck").status == 200
    assert call(b, "GET", "/metrics").status == 404


def test_metrics_listen_serves_metrics_on_its_own_port_only(start_barkd, tmp_path):
    port = free_port()
    b = start_app(start_barkd, tmp_path / "data", "--metrics-listen", f"127.0.0.1:{port}")
    assert call(b, "GET", "/metrics").status == 404, "not on the main listener"
    for _ in range(4):
        call(b, "GET", "/healthcheck")
    values = series(scrape(b, port=port))
    key = 'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/healthcheck",http_response_status_code="200"}'
    assert values[key] == 4
    assert not any('http_route="/metrics"' in k for k in values), "scrapes on the metrics port are not request metrics"


@pytest.mark.parametrize("value", ["9090", "localhost", "127.0.0.1:0", "127.0.0.1:70000", "::1:9090", "[::1:9090", ":9090"])
def test_invalid_metrics_listen_exits_2(barkd_bin, tmp_path, value):
    done = subprocess.run([barkd_bin, "--port", "0", "--data-dir", str(tmp_path), "--metrics-listen", value],
                          capture_output=True, text=True, timeout=20, env={"PATH": os.environ.get("PATH", "")})
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and "--metrics-listen" in done.stderr, done.stderr


def test_invalid_metrics_switch_exits_2(barkd_bin, tmp_path):
    done = subprocess.run([barkd_bin, "--port", "0", "--data-dir", str(tmp_path), "--metrics", "yes"],
                          capture_output=True, text=True, timeout=20, env={"PATH": os.environ.get("PATH", "")})
    assert done.returncode == 2 and "--metrics" in done.stderr, done.stderr


def test_health_details_pass(start_barkd, tmp_path, expected_commit):
    b = start_app(start_barkd, tmp_path / "data")
    response = call(b, "GET", "/health")
    assert response.status == 200
    assert response.header("Content-Type") == "application/health+json"
    assert response.header("Cache-Control") == "no-store"
    body = json.loads(response.body)
    assert body["status"] == "pass", body
    assert body["version"] == "0.1.0" and body["releaseId"] == expected_commit
    checks = body["checks"]
    assert set(checks) == {"barkd:readiness", "database:responseTime", "eventLoops:lag", "visitorCounter:backlog"}
    database = checks["database:responseTime"][0]
    assert database["status"] == "pass" and database["observedUnit"] == "ms" and database["observedValue"] >= 0
    assert len(checks["eventLoops:lag"]) == 2  # --event-loops 2
    assert call(b, "HEAD", "/health").status == 200


def test_health_warns_when_disabled_by_hand(start_barkd, tmp_path):
    b = start_app(start_barkd, tmp_path / "data", token=TOKEN)
    assert call(b, "POST", "/readyz/disable", token=TOKEN).status == 200
    body = json.loads(call(b, "GET", "/health").body)
    assert body["status"] == "warn" and body["checks"]["barkd:readiness"][0]["output"] == "disabled by operator"
    assert call(b, "GET", "/readyz").status == 503


class PrometheusServer:
    """Debian's Prometheus on 127.0.0.1 scraping one target every second."""

    def __init__(self, directory: Path, target_port: int) -> None:
        self.port = free_port()
        config = directory / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: barkd\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{target_port}']\n"
        )
        self.log = (directory / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={directory / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
            return json.loads(response.read())

    def query(self, expression: str) -> list[dict]:
        result = self.get("/api/v1/query?query=" + urllib.parse.quote(expression))
        assert result["status"] == "success", result
        return result["data"]["result"]

    def wait_ready(self, timeout: float = 30) -> None:
        def ready() -> bool:
            assert self.proc.poll() is None, "prometheus exited"
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as response:
                return response.status == 200

        wait_until(ready, timeout, "prometheus ready (/-/ready 200)", interval=0.1, ignore=(OSError,))

    def stop(self) -> None:
        stop_process(self.proc, timeout=10)
        self.log.close()


def test_a_real_prometheus_scrapes_barkd(start_barkd, tmp_path, expected_commit):
    b = start_app(start_barkd, tmp_path / "data")
    for _ in range(7):
        assert call(b, "GET", "/healthcheck").status == 200
    prometheus = PrometheusServer(tmp_path, b.port)
    try:
        prometheus.wait_ready()
        count = wait_until(
            lambda: prometheus.query('http_server_request_duration_seconds_count{job="barkd",http_route="/healthcheck"}'),
            30, "Prometheus to store the request histogram", interval=0.2)
        assert len(count) == 1 and count[0]["metric"]["http_request_method"] == "GET"
        assert count[0]["metric"]["http_response_status_code"] == "200"
        assert float(count[0]["value"][1]) == 7
        build = prometheus.query('barkd_build_info{job="barkd"}')
        assert len(build) == 1 and float(build[0]["value"][1]) == 1
        assert build[0]["metric"]["version"] == "0.1.0" and build[0]["metric"]["commit"] == expected_commit
        up = prometheus.query('up{job="barkd"}')
        assert float(up[0]["value"][1]) == 1
        targets = prometheus.get("/api/v1/targets")["data"]["activeTargets"]
        assert targets[0]["health"] == "up" and targets[0]["lastError"] == "", targets
    finally:
        prometheus.stop()
