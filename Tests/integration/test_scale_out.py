# SPDX-License-Identifier: Apache-2.0
"""Scale-out (SPEC section 7): two daemons behind nginx with deploy/nginx/modelwatch-shards.conf
as shipped (only the daemons' and the listener's addresses replaced). Each model lands on one
daemon and stays there, so its labels join its predictions; scrapes go to each daemon."""
import gzip
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from api_client import Client, ndjson, sample
from conftest import REPO, Daemon, free_port, stop_process

EXAMPLE = os.path.join(REPO, "deploy", "nginx", "modelwatch-shards.conf")


def start_nginx(tmp_path, daemons):
    """nginx running the shipped file (upstream servers and listen port replaced) inside a
    minimal main context of its own."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.fail("nginx is not installed (scripts/test.sh installs it)")
    example = open(EXAMPLE).read()
    servers = "".join("    server 127.0.0.1:%d max_fails=0;\n" % d.port for d in daemons)
    example, n = re.subn(r"(?m)^    server 127\.0\.0\.1:\d+ max_fails=0;\n(    server 127\.0\.0\.1:\d+ max_fails=0;\n)*", servers, example)
    assert n == 1, "the example's upstream servers moved"
    port = free_port()
    example, n = re.subn(r"(?m)^    listen 8080;", "    listen 127.0.0.1:%d;" % port, example)
    assert n == 1, "the example's listen line moved"
    (tmp_path / "shards.conf").write_text(example)
    (tmp_path / "nginx.conf").write_text("""
%(user)sworker_processes 1;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %(dir)s/body;
  proxy_temp_path %(dir)s/proxy;
  include %(dir)s/shards.conf;
}
""" % {"dir": tmp_path, "user": "user root;\n" if os.getuid() == 0 else ""})
    proc = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while True:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1).read()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("nginx did not start: %s" % (proc.stderr.read().decode() if proc.poll() is not None else "timeout"))
            time.sleep(0.05)


@pytest.fixture
def shards(tmp_path):
    daemons = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        daemons.append(Daemon(tmp_path / name))
    proc, port = start_nginx(tmp_path, daemons)
    yield daemons, port
    stop_process(proc, 5)
    for d in daemons:
        d.stop()


def test_each_model_lives_on_one_daemon_and_its_labels_join(shards):
    daemons, port = shards
    front = Client(port)
    models = ["model-%d" % i for i in range(12)]
    for m in models:
        preds = [{"id": "%s-%d" % (m, i), "prediction": i % 2, "score": 0.9 if i % 2 else 0.1} for i in range(40)]
        status, body = front.post("/v1/models/%s/predictions" % m, ndjson(preds), headers={"Content-Type": "application/x-ndjson"})
        assert status == 202 and body["accepted"] == 40, body
    for m in models:
        # Labels later, in another request, gzip-compressed: the same daemon, so they join.
        labels = [{"id": "%s-%d" % (m, i), "label": i % 2} for i in range(40)]
        status, body = front.post("/v1/models/%s/labels" % m, gzip.compress(ndjson(labels).encode()),
                                  headers={"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"})
        assert status == 202 and body["accepted"] == 40, body

    owners = {}
    for d in daemons:
        listed = Client(d.port).get("/v1/models")[1]["models"]
        for entry in listed:
            assert entry["model"] not in owners, "%s on two daemons" % entry["model"]
            owners[entry["model"]] = d
    assert sorted(owners) == sorted(models)
    assert {owners[m].port for m in models} == {d.port for d in daemons}, "both daemons hold models"
    for m in models:
        text = Client(owners[m].port).get("/metrics")[1].decode()
        assert sample(text, "modelwatch_labels_total", model=m, result="matched") == 40, m
        assert sample(text, "modelwatch_window_outcomes", model=m, window="5m") == 40
        # The status of a model through the balancer is its own daemon's.
        assert front.get("/v1/models/" + m)[1]["predictions_total"] == 40
    # Scrapes go to each daemon: through the balancer, a JSON error that says so.
    status, body = front.get("/metrics")
    assert status == 404 and body["error"]["code"] == "not_found" and "directly" in body["error"]["message"]


def test_a_model_does_not_move_when_its_daemon_is_down(shards):
    daemons, port = shards
    front = Client(port)
    assert front.post("/v1/models/fraud/predictions", {"id": "x", "prediction": 1})[0] == 202
    owner = next(d for d in daemons if Client(d.port).get("/v1/models")[1]["models"])
    other = next(d for d in daemons if d is not owner)
    owner.stop()
    status, _ = front.post("/v1/models/fraud/labels", {"id": "x", "label": 1})
    assert status == 502, "a request for a model whose daemon is down fails rather than moving it"
    assert Client(other.port).get("/v1/models")[1]["models"] == []
