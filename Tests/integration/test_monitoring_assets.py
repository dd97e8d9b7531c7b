# SPDX-License-Identifier: Apache-2.0
"""The shipped Prometheus, Alertmanager and Grafana files against the real tools and a live scrape."""

import os
import re
import subprocess
import sys
import urllib.request

import pytest
import yaml
from prometheus_client.openmetrics import parser as openmetrics_parser
from prometheus_client.parser import text_string_to_metric_families

import monitoring
from conftest import BINARY, REPO

PROMETHEUS = os.path.join(REPO, "prometheus")


def run(*command):
    r = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, "%s\n%s%s" % (" ".join(command), r.stdout, r.stderr)
    return r.stdout


def test_prometheus_config_and_rules_pass_promtool():
    out = run("promtool", "check", "config", "prometheus/prometheus.yml")
    assert "2 rule files found" in out
    run("promtool", "check", "rules", "prometheus/alert_rules.yml", "prometheus/recording_rules.yml")


def test_promtool_rule_tests_cover_every_rule():
    tests = sorted(os.path.join("prometheus/tests", f) for f in os.listdir(PROMETHEUS + "/tests") if f.endswith(".yml"))
    run("promtool", "test", "rules", *tests)
    tested_alerts, tested_exprs = set(), ""
    for path in tests:
        with open(os.path.join(REPO, path)) as f:
            doc = yaml.safe_load(f)
        for t in doc["tests"]:
            tested_alerts |= {a["alertname"] for a in t.get("alert_rule_test", []) if a.get("exp_alerts")}
            tested_exprs += " ".join(e["expr"] for e in t.get("promql_expr_test", []))
    with open(os.path.join(PROMETHEUS, "alert_rules.yml")) as f:
        alerts = {r["alert"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]}
    assert alerts - tested_alerts == set(), "alerts no test sees firing"
    with open(os.path.join(PROMETHEUS, "recording_rules.yml")) as f:
        records = {r["record"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]}
    assert {r for r in records if r not in tested_exprs} == set(), "recording rules no test evaluates"


def test_every_alert_is_complete_and_has_a_runbook_entry():
    with open(os.path.join(PROMETHEUS, "alert_rules.yml")) as f:
        groups = yaml.safe_load(f)["groups"]
    with open(os.path.join(REPO, "docs", "runbook.md")) as f:
        runbook = f.read()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", runbook, re.M)}
    names = []
    for g in groups:
        for rule in g["rules"]:
            names.append(rule["alert"])
            assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
            a = rule["annotations"]
            assert a["summary"] and "{{ $labels." in a["description"] or "{{ $value" in a["description"], rule["alert"]
            anchor = a["runbook_url"].split("#", 1)[1]
            assert anchor == rule["alert"].lower() and anchor in anchors, "docs/runbook.md has no section for " + rule["alert"]
    assert len(names) == len(set(names))
    # every model alert names the model in its description, so a page says which model
    for g in groups:
        if g["name"] != "modelwatch-daemon":
            for rule in g["rules"]:
                assert "$labels.model" in rule["annotations"]["description"], rule["alert"]


def test_alertmanager_config_passes_amtool():
    out = run("amtool", "check-config", "deploy/alertmanager/alertmanager.yml")
    assert "SUCCESS" in out and "2 inhibit rules" in out


def test_generated_files_are_the_mixins_output():
    run(sys.executable, "-m", "mixin", "--check")


def test_dashboards_are_complete():
    boards = monitoring.dashboards()
    assert set(boards) == {"fleet.json", "model.json", "daemon.json"}
    uids = [b["uid"] for b in boards.values()]
    assert len(set(uids)) == 3 and all(u.startswith("modelwatch-") for u in uids)
    for name, board in boards.items():
        assert board["schemaVersion"] >= 39, name
        variables = {v["name"]: v for v in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), name
        for panel in monitoring.panels(board):
            where = "%s: %s" % (name, panel.get("title"))
            assert panel["title"], where
            assert panel["datasource"]["uid"] == "${datasource}", where
            assert panel["targets"] and all(t["expr"] and t["datasource"]["uid"] == "${datasource}" for t in panel["targets"]), where
            if panel["type"] in ("timeseries", "stat"):
                assert panel["fieldConfig"]["defaults"].get("unit"), where
            g = panel["gridPos"]
            assert g["x"] + g["w"] <= 24 and g["w"] > 0 and g["h"] > 0, where
        # every $variable a query uses is defined (Grafana's own ones aside)
        for panel in monitoring.panels(board):
            for t in panel["targets"]:
                for var in re.findall(r"\$(\w+)", t["expr"]):
                    assert var.startswith("__") or var in variables, "%s uses undefined $%s" % (name, var)
    model = {v["name"] for v in boards["model.json"]["templating"]["list"]}
    assert {"datasource", "model", "version", "window"} <= model


def test_grafana_provisioning_points_at_the_dashboards():
    with open(os.path.join(REPO, "grafana/provisioning/datasources/prometheus.yml")) as f:
        ds = yaml.safe_load(f)
    assert ds["datasources"][0]["type"] == "prometheus"
    with open(os.path.join(REPO, "grafana/provisioning/dashboards/modelwatch.yml")) as f:
        provider = yaml.safe_load(f)
    assert provider["providers"][0]["options"]["path"].endswith("dashboards")


@pytest.fixture(scope="module")
def demo_scrape(tmp_path_factory):
    """Both expositions of a daemon that has run the three-model demo."""
    from conftest import Daemon
    d = Daemon(tmp_path_factory.mktemp("demo"), args=["--log-level", "warning"])
    try:
        r = subprocess.run([BINARY, "demo", "--target", d.base, "--rate", "300", "--duration", "4", "--drift-after", "2",
                            "--label-delay", "0.2"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        def get(accept):
            req = urllib.request.Request(d.base + "/metrics", headers={"Accept": accept})
            return urllib.request.urlopen(req, timeout=10).read().decode()
        yield get("text/plain"), get("application/openmetrics-text; version=1.0.0")
    finally:
        d.stop()


def test_text_exposition_parses_with_promtool_and_prometheus_client(demo_scrape):
    text, _ = demo_scrape
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    # promtool lints (e.g. counters without _total do not occur); any problem is printed
    assert r.returncode == 0, r.stdout + r.stderr
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["modelwatch_feature_quantile"].type == "summary"
    assert any(s.labels.get("model") == "churn" for s in families["modelwatch_accuracy"].samples)


def test_openmetrics_exposition_parses_with_prometheus_client(demo_scrape):
    _, om = demo_scrape
    families = {f.name: f for f in openmetrics_parser.text_string_to_metric_families(om)}
    quantiles = families["modelwatch_feature_quantile"].samples
    assert quantiles and {s.labels["quantile"] for s in quantiles} == {"0.5", "0.95"}
    assert "modelwatch_predictions" in families and families["modelwatch_predictions"].type == "counter"


def test_every_dashboard_metric_exists_in_a_demo_scrape(demo_scrape):
    text, _ = demo_scrape
    scraped = monitoring.scraped_families(text)
    # Series of the shipped recording rules count when every series their rule reads is scraped.
    with open(os.path.join(PROMETHEUS, "recording_rules.yml")) as f:
        recorded = {r["record"]: r["expr"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]}

    def exists(metric, depth=0):
        if metric in monitoring.PROMETHEUS_SERIES or monitoring.family(metric) in scraped:
            return True
        return depth < 4 and metric in recorded and all(exists(m, depth + 1) for m in monitoring.metric_names(recorded[metric]))

    missing = set()
    for name, board in monitoring.dashboards().items():
        for panel in monitoring.panels(board):
            for t in panel["targets"]:
                for metric in monitoring.metric_names(t["expr"]):
                    if not exists(metric):
                        missing.add((name, panel["title"], metric))
    assert missing == set()


def test_compose_stack_mounts_files_that_exist_and_its_prometheus_config_is_valid():
    deploy = os.path.join(REPO, "deploy")
    with open(os.path.join(deploy, "docker-compose.yml")) as f:
        compose = yaml.safe_load(f)
    assert {"modelwatch", "demo", "prometheus", "alertmanager", "grafana"} <= set(compose["services"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert os.path.exists(os.path.join(deploy, source)), (name, source)
    run("promtool", "check", "config", "deploy/prometheus.compose.yml")
    with open(os.path.join(deploy, "prometheus.compose.yml")) as f:
        assert yaml.safe_load(f)["scrape_configs"][0]["job_name"] == "model_metrics"
