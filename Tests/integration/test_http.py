# SPDX-License-Identifier: Apache-2.0
"""The HTTP surface with real clients: curl, http.client, gzip, promtool, the conformance corpus."""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import SHARED


def curl(*args):
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=20)


def test_curl_health_and_errors(daemon):
    assert curl(daemon.base + "/healthz").stdout == b"ok\n"
    assert curl(daemon.base + "/readyz").stdout == b"ready\n"
    r = curl("-i", daemon.base + "/v1/nothing")
    head, body = r.stdout.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 404")
    err = json.loads(body)["error"]
    assert err["code"] == "not_found" and err["message"] and err["details"] == []
    r = curl("-i", "-X", "DELETE", daemon.base + "/metrics")
    assert r.stdout.startswith(b"HTTP/1.1 405")
    assert b"\r\nAllow: GET, HEAD\r\n" in r.stdout


def test_curl_compressed_metrics(daemon):
    r = curl("--compressed", "-D", "-", daemon.base + "/metrics")
    assert b"Content-Encoding: gzip" in r.stdout
    assert b"# TYPE process_cpu_seconds_total counter" in r.stdout


def test_gzip_response_decodes_with_python_gzip(daemon):
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=5)
    conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
    r = conn.getresponse()
    raw = r.read()
    assert r.getheader("Content-Encoding") == "gzip"
    text = gzip.decompress(raw).decode()
    assert "# HELP modelwatch_build_info" in text
    conn.request("GET", "/metrics")  # same keep-alive connection, no gzip
    r2 = conn.getresponse()
    assert r2.getheader("Content-Encoding") is None
    assert "# HELP modelwatch_build_info" in r2.read().decode()


def test_gzip_request_bomb_is_refused(daemon):
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))  # 20 MiB inflated > 16 MiB cap
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    conn.request("POST", "/v1/models/m/predictions", body=bomb, headers={"Content-Encoding": "gzip"})
    r = conn.getresponse()
    assert r.status == 413
    assert json.loads(r.read())["error"]["code"] == "body_too_large"


def test_head_metrics(daemon):
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=5)
    conn.request("HEAD", "/metrics")
    r = conn.getresponse()
    assert r.status == 200
    assert int(r.getheader("Content-Length")) > 100
    assert r.read() == b""


def test_promtool_check_metrics_on_a_live_scrape(daemon):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is required (Debian package prometheus); scripts/test.sh installs it"
    for _ in range(3):
        curl(daemon.base + "/healthz")
    scrape = curl(daemon.base + "/metrics").stdout
    r = subprocess.run([promtool, "check", "metrics"], input=scrape, capture_output=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == b"" and r.stderr.strip() == b"", "promtool lint findings: %r" % (r.stdout + r.stderr)


def test_openmetrics_negotiation(daemon):
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=5)
    conn.request("GET", "/metrics", headers={"Accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"})
    r = conn.getresponse()
    assert r.getheader("Content-Type").startswith("application/openmetrics-text; version=1.0.0")
    assert r.read().decode().endswith("# EOF\n")


def test_http_conformance_corpus_beats_nginx(daemon):
    runner = os.path.join(SHARED, "http-conformance", "run_cases.py")
    assert os.path.exists(runner), "the shared conformance corpus is expected at %s" % runner
    r = subprocess.run(["python3", runner, "127.0.0.1:%d" % daemon.port, "--require-error-status", "--jobs", "4"],
                       capture_output=True, text=True, timeout=180)
    out = r.stdout
    passed = int(re.search(r"^(\d+) passed, (\d+) failed$", out, re.M).group(1))
    levels = {m.group(1): int(m.group(2)) for m in re.finditer(r"rfc_level (\w+)\s+(\d+)/\d+ passed", out)}
    # nginx 1.22 on the same corpus: 170 in all; MUST 106, SHOULD 46, MAY 18.
    assert passed >= 170, out
    assert levels["MUST"] >= 106 and levels["SHOULD"] >= 46 and levels["MAY"] >= 18, out


def test_slowloris_clients_get_408_and_do_not_stall_others(make_daemon):
    d = make_daemon(config="limits: {request_timeout: 1s}\n")
    slow = []
    for _ in range(100):
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")  # never finished
        slow.append(s)
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
    started = time.time()
    for _ in range(100):
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b"ok\n"
    assert time.time() - started < 2
    time.sleep(1.5)
    for s in slow:
        s.settimeout(3)
        data = s.recv(4096)
        assert data.startswith(b"HTTP/1.1 408"), data[:40]
        s.close()


def test_many_concurrent_keepalive_clients(daemon):
    errors = []

    def worker():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
            for _ in range(20):
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                if r.status != 200 or r.read() != b"ok\n":
                    errors.append(r.status)
        except Exception as e:  # noqa: BLE001 - report any client failure
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
