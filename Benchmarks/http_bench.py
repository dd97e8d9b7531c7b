#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""HTTP benchmark: modelwatch (release build) against nginx on the same machine, in one run.

    python3 Benchmarks/http_bench.py [--duration 5] [--connections 1,16,64]

Drives both servers with wrk (one thread; wrk itself takes one of the two cores) on loopback:
  modelwatch GET /healthz  vs  nginx `return 204;`
  modelwatch GET /metrics  vs  nginx 20 KB static page
at 1, 16 and 64 keep-alive connections, then 1,000 connections; prints req/s, p99 latency,
the ratio to nginx, server CPU per request, and modelwatch's idle and loaded RSS.
Installs wrk and nginx-light from Debian if missing. A benchmark, not a test: it prints figures.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def ensure_tools():
    missing = [pkg for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")) if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool)]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not come up: " + url)


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, connections, duration, pids):
    before = cpu_ticks(pids)
    threads = 1 if connections < 100 else 2
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency", url],
                         capture_output=True, text=True).stdout
    cpu = cpu_ticks(pids) - before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99, "cpu_us": cpu / max(total, 1) * 1e6,
            "non2xx": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else ""}


def start_nginx(workdir, port):
    page = os.path.join(workdir, "page.html")
    with open(page, "w") as f:
        f.write("<html><body>" + ("x" * 20460) + "</body></html>")
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""
worker_processes 1;
daemon off;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:%(port)d;
    location = /204 { return 204; }
    location = /page.html { root %(dir)s; }
  }
}
""" % {"dir": workdir, "port": port})
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", conf, "-p", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up("http://127.0.0.1:%d/page.html" % port)
    return proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", default="1,16,64")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    ensure_tools()
    if not args.skip_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "modelwatch"], cwd=REPO, check=True)
    binary = os.path.join(REPO, ".build", "release", "modelwatch")
    work = tempfile.mkdtemp(prefix="mw-bench-")
    os.chmod(work, 0o755)  # nginx workers run unprivileged and must read the static page
    mw_port, nginx_port = free_port(), free_port()
    mw = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % mw_port, "--data-dir", os.path.join(work, "data"),
                           "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nginx = None
    try:
        wait_up("http://127.0.0.1:%d/healthz" % mw_port)
        time.sleep(0.5)
        idle_rss = rss_mb(mw.pid)
        nginx = start_nginx(work, nginx_port)
        nginx_pids = [nginx.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(nginx.pid)], capture_output=True, text=True).stdout.split()]
        pairs = [("GET /healthz", "/healthz", "return 204", "/204"), ("GET /metrics", "/metrics", "20 KB static", "/page.html")]
        conns = [int(c) for c in args.connections.split(",")] + [1000]
        print("%-14s %5s | %12s %9s %8s | %-12s %12s %9s %8s | %6s" % ("modelwatch", "conns", "req/s", "p99 ms", "cpu us",
                                                                       "nginx", "req/s", "p99 ms", "cpu us", "ratio"))
        for name, path, nname, npath in pairs:
            for c in conns:
                a = wrk("http://127.0.0.1:%d%s" % (mw_port, path), c, args.duration, [mw.pid])
                b = wrk("http://127.0.0.1:%d%s" % (nginx_port, npath), c, args.duration, nginx_pids)
                note = ""
                if a["non2xx"] or a["socket_errors"]:
                    note = "  (modelwatch non-2xx %d, socket errors %s)" % (a["non2xx"], a["socket_errors"])
                print("%-14s %5d | %12.0f %9.2f %8.1f | %-12s %12.0f %9.2f %8.1f | %5.0f%%%s" % (
                    name, c, a["rps"], a["p99_ms"], a["cpu_us"], nname, b["rps"], b["p99_ms"], b["cpu_us"],
                    100 * a["rps"] / b["rps"], note))
        print("modelwatch RSS: idle %.1f MB, after load %.1f MB" % (idle_rss, rss_mb(mw.pid)))
    finally:
        mw.send_signal(signal.SIGTERM)
        mw.wait(timeout=10)
        if nginx:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
