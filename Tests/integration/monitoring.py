# SPDX-License-Identifier: Apache-2.0
"""Helpers of the monitoring tests: the repo's assets, PromQL metric names, Prometheus processes."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from conftest import REPO, free_port, stop_process

DASHBOARDS = os.path.join(REPO, "grafana", "dashboards")

# Names PromQL queries use that are functions, keywords or series Prometheus makes itself.
_NOT_METRICS = {
    "sum", "min", "max", "avg", "count", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
    "unless", "rate", "increase", "irate", "histogram_quantile", "label_replace", "vector", "sort_desc", "bool",
    "offset", "ln", "round", "absent", "time", "le", "inf", "nan",
}
PROMETHEUS_SERIES = {"up", "ALERTS", "scrape_duration_seconds", "scrape_samples_scraped"}


def dashboards():
    """name → parsed dashboard JSON."""
    out = {}
    for name in sorted(os.listdir(DASHBOARDS)):
        with open(os.path.join(DASHBOARDS, name)) as f:
            out[name] = json.load(f)
    return out


def panels(dashboard):
    """Every panel that is not a row."""
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def metric_names(expr):
    """Series names a PromQL expression selects (labels, strings and functions left out)."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "{}", without_strings)
    without_ranges = re.sub(r"\[[^\]]*\]", "[]", without_matchers)
    names = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", without_ranges))
    names = {n for n in names if n.lower() not in _NOT_METRICS and not n.startswith("__")}
    # by (...) / on (...) label lists
    for labels in re.findall(r"\b(?:by|on|ignoring|without|group_left|group_right)\s*\(([^)]*)\)", without_ranges):
        names -= {l.strip() for l in labels.split(",")}
    return names


def family(name):
    """The exposition family of a series name (histogram samples belong to their family)."""
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def scraped_families(text):
    """Family names of a text-format scrape (from its TYPE lines) with samples."""
    return {family(line.split("{")[0].split(" ")[0]) for line in text.splitlines() if line and not line.startswith("#")}


def mixin(out_dir, overrides):
    """Runs the mixin generator into `out_dir` with config `overrides`; returns out_dir."""
    path = os.path.join(out_dir, "mixin-overrides.json")
    with open(path, "w") as f:
        json.dump(overrides, f)
    subprocess.run([sys.executable, "-m", "mixin", "--config", path, "--out", out_dir], cwd=REPO, check=True)
    return out_dir


class Service:
    """A Prometheus or Alertmanager process on a free loopback port."""

    def __init__(self, name, command, port, ready_path, log_dir):
        self.name, self.port = name, port
        self.base = "http://127.0.0.1:%d" % port
        self.log = open(os.path.join(log_dir, name + ".log"), "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited: %s" % (name, open(self.log.name, errors="replace").read()[-2000:]))
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("%s did not become ready" % name)

    def get(self, path, **params):
        url = self.base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        stop_process(self.proc, 10)
        self.log.close()


def prometheus(config_path, work_dir):
    port = free_port()
    return Service("prometheus", ["prometheus", "--config.file=%s" % config_path,
                                  "--storage.tsdb.path=%s" % os.path.join(work_dir, "tsdb"),
                                  "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                   port, "/-/ready", work_dir)


def alertmanager(config_path, work_dir):
    port = free_port()
    binary = "prometheus-alertmanager" if _which("prometheus-alertmanager") else "alertmanager"
    return Service("alertmanager", [binary, "--config.file=%s" % config_path,
                                    "--storage.path=%s" % os.path.join(work_dir, "am"),
                                    "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address=",
                                    "--log.level=warn"],
                   port, "/-/ready", work_dir)


def _which(name):
    return any(os.access(os.path.join(d, name), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))
