"""Checks of barkd's monitoring files that no single tool makes; run by
scripts/check-monitoring.sh (which runs promtool, amtool and yamllint itself).

Subcommands (each prints what it checked and exits 1 on any problem):
  rules RULES TESTS...          every alert is well-formed and has a firing and a
                                not-firing promtool test case
  dashboard DASHBOARD OUT       panels, ids, layout and variables; writes every PromQL
                                expression as a recording rule to OUT for promtool
  metrics RULES DASHBOARD SOURCES_DIR
                                every metric name used is one barkd exposes (listed
                                here and spelled in its sources), or up, or
                                kube-state-metrics' restart count
  promtail VALUES SOURCES_DIR   the log pipeline's labels and JSON keys match barkd's
                                log lines
  kube-stack VALUES CHART_DIR   Grafana's sidecar and Prometheus' selectors pick up the
                                chart's objects
  live BARKD PROMETHEUS_YML RULES DASHBOARD
                                starts BARKD and a real Prometheus (the scrape config
                                pointed at it) on 127.0.0.1, sends some requests, then
                                checks through Prometheus' API that the rules load,
                                every dashboard expression evaluates, and every barkd
                                metric used has series; stops both by PID
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import promql_parser
import yaml

# The names barkd's /metrics exposes (issue 4 and README "Metrics"; the issue's
# barkd_counter_pending is exported as barkd_pending_views), plus the histogram series.
# The metrics check also finds each barkd name as a string in Sources/.
BARKD_METRICS = {
    "http_server_active_requests",
    "barkd_http_open_connections",
    "barkd_http_request_buffer_bytes",
    "barkd_http_rejected_total",
    "barkd_page_views_total",
    "barkd_visitors",
    "barkd_pending_views",
    "barkd_gif_catalog_size",
    "barkd_db_pool_connections",
    "barkd_db_queue_depth",
    "barkd_db_errors_total",
    "barkd_build_info",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_start_time_seconds",
    "process_threads",
}
HISTOGRAMS = {"http_server_request_duration_seconds", "barkd_db_wait_seconds"}
for _name in HISTOGRAMS:
    BARKD_METRICS |= {_name + "_bucket", _name + "_sum", _name + "_count"}
# Not barkd's own, used on purpose: Prometheus' target health and kube-state-metrics'
# container restarts.
OTHER_METRICS = {"up", "kube_pod_container_status_restarts_total"}

# The keys of barkd's JSON log lines (Sources/Observability/Logging, AccessLog.swift).
LOG_KEYS = {"ts", "level", "msg", "logger", "request_id", "method", "path", "route",
            "status", "bytes", "duration_ms", "remote"}
# Stream labels the promtail pipeline may set: few, each with a handful of values.
ALLOWED_LOG_LABELS = {"app", "namespace", "level"}

SEVERITIES = {"critical", "warning", "info"}

# Grafana's variables and the values that stand in for them when an expression is
# checked by promtool.
GRAFANA_SUBSTITUTIONS = [
    ("$__rate_interval", "1m"), ("${__rate_interval}", "1m"),
    ("$__interval", "1m"), ("${__interval}", "1m"),
    ("$__range", "1h"), ("${__range}", "1h"),
    ("${job}", "barkd"), ("$job", "barkd"),
    ("${instance}", "127.0.0.1:5000"), ("$instance", "127.0.0.1:5000"),
]

problems = []


def problem(message):
    problems.append(message)
    print(f"  FAIL: {message}")


def finish(summary):
    if problems:
        print(f"{len(problems)} problem(s)")
        sys.exit(1)
    print(f"  ok: {summary}")


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def alert_rules(rules_path):
    doc = load_yaml(rules_path)
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        problem(f"{rules_path}: no top-level groups list")
        return []
    return [rule for group in doc["groups"] for rule in group.get("rules") or [] if "alert" in rule]


def all_rules(rules_path):
    doc = load_yaml(rules_path) or {}
    return [rule for group in doc.get("groups") or [] for rule in group.get("rules") or []]


# ---- rules: shape and test coverage --------------------------------------------------

def check_rules(rules_path, test_paths):
    alerts = alert_rules(rules_path)
    if not alerts:
        problem(f"{rules_path}: no alert rules")
    names = [a["alert"] for a in alerts]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problem(f"alert {name} is defined more than once")
    for a in alerts:
        name = a["alert"]
        if "for" not in a:
            problem(f"alert {name} has no for:")
        severity = (a.get("labels") or {}).get("severity")
        if severity not in SEVERITIES:
            problem(f"alert {name}: severity label {severity!r} is not one of {sorted(SEVERITIES)}")
        annotations = a.get("annotations") or {}
        for key in ("summary", "description"):
            if not str(annotations.get(key, "")).strip():
                problem(f"alert {name} has no {key} annotation")

    firing, quiet = {}, {}
    real_rules = os.path.realpath(rules_path)
    for path in test_paths:
        doc = load_yaml(path) or {}
        base = os.path.dirname(path)
        referenced = {os.path.realpath(os.path.join(base, f)) for f in doc.get("rule_files") or []}
        if real_rules not in referenced:
            problem(f"{path}: rule_files does not name {rules_path}")
        for test in doc.get("tests") or []:
            for case in test.get("alert_rule_test") or []:
                name = case.get("alertname")
                if name not in names:
                    problem(f"{path}: tests an alert that does not exist: {name}")
                    continue
                target = firing if case.get("exp_alerts") else quiet
                target[name] = target.get(name, 0) + 1
    for name in names:
        if name not in firing:
            problem(f"alert {name} has no promtool test case where it fires")
        if name not in quiet:
            problem(f"alert {name} has no promtool test case where it must not fire")
    cases = sum(firing.values()) + sum(quiet.values())
    finish(f"{len(names)} alerts, each with for:, severity, summary and description; "
           f"{cases} alert test cases in {len(test_paths)} files cover every alert firing and not firing")


# ---- dashboard -----------------------------------------------------------------------

def dashboard_panels(dashboard):
    """Every panel, including those inside collapsed rows."""
    for panel in dashboard.get("panels") or []:
        yield panel
        for inner in panel.get("panels") or []:
            yield inner


def substitute(expr):
    for variable, value in GRAFANA_SUBSTITUTIONS:
        expr = expr.replace(variable, value)
    return expr


def dashboard_exprs(dashboard):
    """(where, expression after substitution) for every target and query variable."""
    found = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets") or []:
            found.append((f"panel {panel.get('id')} ({panel.get('title')!r}) target {target.get('refId')}",
                          substitute(str(target.get("expr", "")))))
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        match = re.fullmatch(r"\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", str(query))
        if not match:
            problem(f"variable {variable.get('name')}: query {query!r} is not label_values(<selector>, <label>)")
            continue
        found.append((f"variable {variable.get('name')}", substitute(match.group(1))))
    return found


def check_dashboard(path, out_path):
    try:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except (OSError, ValueError) as error:
        problem(f"{path}: not valid JSON: {error}")
        finish("")
        return
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        problem(f"schemaVersion {dashboard.get('schemaVersion')!r}: expected 36 or later")
    for key in ("uid", "title"):
        if not dashboard.get(key):
            problem(f"dashboard has no {key}")

    variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []}
    datasource = variables.get("datasource")
    if not datasource or datasource.get("type") != "datasource" or datasource.get("query") != "prometheus":
        problem("no template variable 'datasource' of type datasource with query prometheus")
    for name in ("job", "instance"):
        if name not in variables:
            problem(f"no template variable {name!r}")
        elif variables[name].get("type") == "query" and \
                (variables[name].get("datasource") or {}).get("uid") != "${datasource}":
            problem(f"variable {name!r} does not query ${{datasource}}")

    panels = list(dashboard_panels(dashboard))
    ids = [p.get("id") for p in panels]
    for panel_id in sorted({i for i in ids if ids.count(i) > 1}, key=str):
        problem(f"panel id {panel_id} is used more than once")
    if any(not isinstance(i, int) for i in ids):
        problem("every panel needs an integer id")

    boxes = []
    for panel in panels:
        label = f"panel {panel.get('id')} ({panel.get('title')!r})"
        if not panel.get("title"):
            problem(f"{label} has no title")
        grid = panel.get("gridPos")
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in "xywh"):
            problem(f"{label} has no gridPos with integer x, y, w, h")
            continue
        x, y, w, h = grid["x"], grid["y"], grid["w"], grid["h"]
        if w < 1 or h < 1 or x < 0 or y < 0 or x + w > 24:
            problem(f"{label}: gridPos {grid} is outside the 24-column grid")
        for other_label, (ox, oy, ow, oh) in boxes:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                problem(f"{label} overlaps {other_label}")
        boxes.append((label, (x, y, w, h)))
        if panel.get("type") == "row":
            continue
        if (panel.get("datasource") or {}).get("uid") != "${datasource}":
            problem(f"{label}: datasource is not ${{datasource}}")
        targets = panel.get("targets") or []
        if not targets:
            problem(f"{label} has no targets")
        ref_ids = [t.get("refId") for t in targets]
        if len(set(ref_ids)) != len(ref_ids):
            problem(f"{label}: refIds repeat: {ref_ids}")
        for target in targets:
            if not str(target.get("expr", "")).strip():
                problem(f"{label} target {target.get('refId')} has no expr")
            if (target.get("datasource") or {}).get("uid", "${datasource}") != "${datasource}":
                problem(f"{label} target {target.get('refId')}: datasource is not ${{datasource}}")

    exprs = dashboard_exprs(dashboard)
    rules = []
    for index, (where, expr) in enumerate(exprs):
        if "$" in expr:
            problem(f"{where}: a Grafana variable the check does not know stays in {expr!r}")
        rules.append({"record": f"dashboard:expr_{index}", "expr": expr})
    with open(out_path, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-expressions", "rules": rules}]}, f, sort_keys=False)
    finish(f"{len(panels)} panels with unique ids and gridPos inside 24 columns, no overlaps; "
           f"{len(exprs)} PromQL expressions written to {out_path} for promtool")


# ---- metric names --------------------------------------------------------------------

def metric_names(expr):
    names = set()

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            for matcher in node.matchers.matchers:
                if matcher.name == "__name__":
                    names.add(matcher.value)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def swift_text(sources_dir):
    text = ""
    for root, _, files in os.walk(sources_dir):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    text += f.read()
    return text


def base_metric_name(name):
    for histogram in HISTOGRAMS:
        if name in (histogram + "_bucket", histogram + "_sum", histogram + "_count"):
            return histogram
    return name


def check_metrics(rules_path, dashboard_path, sources_dir):
    allowed = BARKD_METRICS | OTHER_METRICS
    exprs = [(f"rule {r.get('alert') or r.get('record')}", str(r.get("expr", ""))) for r in all_rules(rules_path)]
    with open(dashboard_path, encoding="utf-8") as f:
        exprs += [(f"dashboard {where}", expr) for where, expr in dashboard_exprs(json.load(f))]
    used = set()
    for where, expr in exprs:
        try:
            names = metric_names(expr)
        except Exception as error:  # the parser's own error type is not exported
            problem(f"{where}: does not parse: {error}")
            continue
        if not names:
            problem(f"{where}: uses no metric")
        for name in sorted(names - allowed):
            problem(f"{where}: unknown metric {name!r} (not one of barkd's names)")
        used |= names
    # The list above must still be what barkd's code registers.
    in_sources = ""
    if os.path.isdir(sources_dir):
        text = swift_text(sources_dir)
        for name in sorted({base_metric_name(n) for n in used & BARKD_METRICS}):
            if f'"{name}"' not in text:
                problem(f"metric {name!r} is not registered anywhere in {sources_dir} (renamed?)")
        in_sources = f", and each barkd name is registered in {sources_dir}"
    finish(f"{len(exprs)} expressions use {len(used)} metric names, all known{in_sources}: {', '.join(sorted(used))}")


# ---- promtail ------------------------------------------------------------------------

def stages_named(stages, kind):
    for stage in stages or []:
        if kind in stage:
            yield stage[kind]
        if "match" in stage:
            yield from stages_named(stage["match"].get("stages"), kind)


def check_promtail(values_path, sources_dir):
    values = load_yaml(values_path) or {}
    snippets = ((values.get("config") or {}).get("snippets") or {})
    if "{{" in str(snippets.get("scrapeConfigs", "")):
        problem("scrapeConfigs uses Helm templating; keep it plain YAML so it can be checked")
    scrape_configs = yaml.safe_load(snippets.get("scrapeConfigs") or "") or []
    if not scrape_configs:
        problem(f"{values_path}: config.snippets.scrapeConfigs is empty")
    if not ((values.get("config") or {}).get("clients") or [{}])[0].get("url", "").endswith("/loki/api/v1/push"):
        problem("config.clients[0].url is not a Loki push URL")
    labels_set = set()
    json_keys = set()
    for scrape in scrape_configs:
        job = scrape.get("job_name")
        for relabel in scrape.get("relabel_configs") or []:
            target = relabel.get("target_label")
            if relabel.get("action", "replace") in ("replace", "labelmap") and target and not target.startswith("__"):
                labels_set.add(target)
            if relabel.get("action") == "labelmap":
                problem(f"{job}: labelmap copies an open set of labels")
        stages = scrape.get("pipeline_stages") or []
        if not any("cri" in s or "docker" in s for s in stages):
            problem(f"{job}: no cri stage to unwrap the container runtime's framing")
        json_stages = list(stages_named(stages, "json"))
        if not json_stages:
            problem(f"{job}: no json stage")
        for stage in json_stages:
            for extracted, source in (stage.get("expressions") or {}).items():
                key = source or extracted
                json_keys.add(key)
                if key not in LOG_KEYS:
                    problem(f"{job}: json stage reads {key!r}, which barkd's log lines do not have")
        for stage in stages_named(stages, "labels"):
            labels_set |= set(stage or {})
        for stage in stages_named(stages, "match"):
            for key in re.findall(r'"([a-z_]+)":', stage.get("selector", "")):
                if key not in LOG_KEYS:
                    problem(f"{job}: match selector looks for {key!r}, which barkd's log lines do not have")
        for stage in stages_named(stages, "output"):
            problem(f"{job}: an output stage replaces the line (request_id and route must stay in it): {stage}")
        for stage in stages_named(stages, "timestamp"):
            if stage.get("source") not in json_keys and stage.get("source") != "ts":
                problem(f"{job}: timestamp stage reads {stage.get('source')!r}, not ts")
    for label in sorted(labels_set - ALLOWED_LOG_LABELS):
        problem(f"stream label {label!r} is not one of {sorted(ALLOWED_LOG_LABELS)} (cardinality)")
    if "level" not in labels_set:
        problem("level is not promoted to a label")

    # The log keys themselves must still be what barkd writes.
    if os.path.isdir(sources_dir):
        text = swift_text(sources_dir)
        for key in sorted(LOG_KEYS):
            if f'"{key}"' not in text and f'"{key}":' not in text:
                problem(f"log key {key!r} appears nowhere in {sources_dir}: has the log format changed?")
    finish(f"labels {sorted(labels_set)}; json stage reads {sorted(json_keys)}, all keys of barkd's log lines")


# ---- kube-prometheus-stack -----------------------------------------------------------

def values_of_key(node, key):
    """Every value stored under `key` anywhere in a YAML tree, as strings."""
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and not isinstance(v, (dict, list)):
                found.append(str(v))
            found += values_of_key(v, key)
    elif isinstance(node, list):
        for item in node:
            found += values_of_key(item, key)
    return found


def check_kube_stack(values_path, chart_dir):
    values = load_yaml(values_path) or {}
    spec = (values.get("prometheus") or {}).get("prometheusSpec") or {}
    for kind in ("serviceMonitor", "rule"):
        if spec.get(f"{kind}SelectorNilUsesHelmValues") is not False:
            problem(f"prometheusSpec.{kind}SelectorNilUsesHelmValues must be false to select the chart's objects")
        if spec.get(f"{kind}Selector") != {} and not spec.get(f"{kind}Selector"):
            problem(f"prometheusSpec.{kind}Selector is missing")
    sidecar = ((values.get("grafana") or {}).get("sidecar") or {}).get("dashboards") or {}
    if sidecar.get("enabled") is not True or sidecar.get("label") != "grafana_dashboard":
        problem("grafana.sidecar.dashboards must be enabled with label grafana_dashboard")
    # If the chart ships the dashboard ConfigMap, it must carry that label (in the
    # template itself or in the chart's default values).
    templates = os.path.join(chart_dir, "templates")
    chart_values_path = os.path.join(chart_dir, "values.yaml")
    chart_values = load_yaml(chart_values_path) if os.path.isfile(chart_values_path) else {}
    label_value = str(sidecar.get("labelValue", ""))
    if os.path.isdir(templates):
        for name in sorted(os.listdir(templates)):
            path = os.path.join(templates, name)
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if "dashboards/" in text and "grafana_dashboard" not in text \
                    and label_value not in values_of_key(chart_values, "grafana_dashboard"):
                problem(f"{path} ships a dashboard without the label grafana_dashboard: {label_value!r} "
                        f"(neither in the template nor in {chart_values_path})")
    finish("Prometheus selects every ServiceMonitor and PrometheusRule; Grafana's sidecar watches grafana_dashboard")


# ---- live: a real barkd scraped by a real Prometheus ---------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def wait_until(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def check_live(barkd, prometheus_yml, rules_path, dashboard_path):
    work = tempfile.mkdtemp(prefix="barkd-live-monitoring.")
    barkd_port, prometheus_port = free_port(), free_port()
    config = load_yaml(prometheus_yml)
    config["global"].update({"scrape_interval": "1s", "evaluation_interval": "1s"})
    config["rule_files"] = [os.path.abspath(rules_path)]
    config.pop("alerting", None)
    config["scrape_configs"] = [c for c in config["scrape_configs"] if c["job_name"] == "barkd"]
    for scrape in config["scrape_configs"]:
        scrape.update({"scrape_interval": "1s", "scrape_timeout": "1s"})
        scrape["static_configs"] = [{"targets": [f"127.0.0.1:{barkd_port}"]}]
    with open(os.path.join(work, "prometheus.yml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
    base = f"http://127.0.0.1:{barkd_port}"
    api = f"http://127.0.0.1:{prometheus_port}/api/v1"
    processes = []
    try:
        processes.append(subprocess.Popen(
            [barkd, "--host", "127.0.0.1", "--port", str(barkd_port), "--data-dir", work],
            stdout=open(os.path.join(work, "barkd.log"), "w"), stderr=subprocess.STDOUT))
        processes.append(subprocess.Popen(
            ["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/tsdb",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"],
            stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT))
        if not wait_until(lambda: urllib.request.urlopen(base + "/readyz", timeout=2).status == 200, 60):
            problem(f"barkd did not become ready (log: {work}/barkd.log)")
            return finish("")
        for _ in range(20):
            for path in ("/", "/api/visitors", "/api/gifs/random", "/no-such-page"):
                try:
                    urllib.request.urlopen(base + path, timeout=5).read()
                except urllib.error.HTTPError:
                    pass
            time.sleep(0.2)

        def query(expr):
            return http_json(f"{api}/query?" + urllib.parse.urlencode({"query": expr}))

        def scraped():
            result = query('up{job="barkd"} == 1').get("data", {}).get("result", [])
            return bool(result) and bool(query("barkd_page_views_total > 0").get("data", {}).get("result"))
        if not wait_until(scraped, 60):
            problem(f"Prometheus did not scrape barkd (log: {work}/prometheus.log)")
            return finish("")
        time.sleep(3)  # a few more scrapes, so rates have two points

        def rules_evaluated():
            groups = http_json(f"{api}/rules")["data"]["groups"]
            return groups and all(r.get("lastEvaluation", "").startswith("2") and
                                  not r["lastEvaluation"].startswith("0001") for g in groups for r in g["rules"])
        wait_until(rules_evaluated, 20)
        loaded = [r for g in http_json(f"{api}/rules")["data"]["groups"] for r in g["rules"]]
        expected = {a["alert"] for a in alert_rules(rules_path)}
        if {r["name"] for r in loaded} != expected:
            problem(f"Prometheus loaded rules {sorted(r['name'] for r in loaded)}, expected {sorted(expected)}")
        for rule in loaded:
            if rule.get("health") != "ok":
                problem(f"rule {rule['name']}: health {rule.get('health')}: {rule.get('lastError')}")

        with open(dashboard_path, encoding="utf-8") as f:
            dashboard = json.load(f)
        live_values = [("$__rate_interval", "30s"), ("$__interval", "5s"), ("$__range", "5m"),
                       ("$job", "barkd"), ("$instance", f"127.0.0.1:{barkd_port}")]
        evaluated = empty_ok = 0
        for panel in dashboard_panels(dashboard):
            for target in panel.get("targets") or []:
                expr = str(target.get("expr", ""))
                for variable, value in live_values:
                    expr = expr.replace(variable, value)
                answer = query(expr)
                where = f"panel {panel.get('id')} ({panel.get('title')!r}) target {target.get('refId')}"
                if answer.get("status") != "success":
                    problem(f"{where}: Prometheus says {answer.get('error')}")
                    continue
                evaluated += 1
                # 5xx and database errors do not happen in this short run.
                if '"5.."' in expr or "barkd_db_errors_total" in expr:
                    empty_ok += 1
                elif not answer["data"]["result"]:
                    problem(f"{where}: no data from a running barkd: {expr}")
        used = set()
        for rule in all_rules(rules_path):
            used |= metric_names(str(rule["expr"]))
        for _, expr in dashboard_exprs(dashboard):
            used |= metric_names(expr)
        present = 0
        for name in sorted(used & BARKD_METRICS):
            if name == "barkd_db_errors_total":  # exported once an operation fails
                continue
            if query(f'count({{__name__="{name}", job="barkd"}})')["data"]["result"]:
                present += 1
            else:
                problem(f"metric {name} has no series in Prometheus after scraping a running barkd")
    finally:
        for process in reversed(processes):
            stop(process)
    if not problems:
        subprocess.run(["rm", "-rf", work], check=False)
    finish(f"a real Prometheus scraped barkd: {len(loaded)} rules healthy; {evaluated} dashboard expressions "
           f"evaluate ({evaluated - empty_ok} with data, {empty_ok} about 5xx or database errors); "
           f"{present} barkd metric names have series")


def main(argv):
    commands = {
        "rules": (check_rules, lambda a: (a[0], a[1:])),
        "dashboard": (check_dashboard, lambda a: (a[0], a[1])),
        "metrics": (check_metrics, lambda a: (a[0], a[1], a[2])),
        "promtail": (check_promtail, lambda a: (a[0], a[1])),
        "kube-stack": (check_kube_stack, lambda a: (a[0], a[1])),
        "live": (check_live, lambda a: (a[0], a[1], a[2], a[3])),
    }
    if len(argv) < 3 or argv[1] not in commands:
        print(__doc__)
        return 2
    function, arguments = commands[argv[1]]
    function(*arguments(argv[2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
