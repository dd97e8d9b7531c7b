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
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from benchlib import REPO, children, ensure_tools, free_port, rss_mb, start_nginx, stop, wait_up, wrk


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
        nginx_pids = [nginx.pid] + children(nginx.pid)
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
        stop(mw)
        if nginx:
            stop(nginx, signal.SIGQUIT)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
