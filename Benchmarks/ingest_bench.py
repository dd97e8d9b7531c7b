#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Ingestion benchmark: modelwatch against nginx and a Flask + prometheus_client service, in one run.

    python3 Benchmarks/ingest_bench.py [--duration 5] [--skip-build] [--skip-flask]

1. Single-event POSTs on 16 keep-alive connections (wrk, one thread, a Lua script that gives
   every request a unique id so no event is a duplicate): modelwatch, nginx `return 202` with the
   same script, nginx with a fixed body (no Lua), Flask's dev server and gunicorn (2 workers).
2. NDJSON batches of 1,000 events with 10 features each (4 connections; every batch has fresh
   ids): events/s for modelwatch, and for gunicorn on the same batches (as JSON arrays).
Prints rates, p99, server CPU per request, and the ratios. Installs wrk and nginx-light from
Debian and flask, prometheus_client and gunicorn into Benchmarks/.venv-flask when missing.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

from benchlib import REPO, children, ensure_tools, free_port, release_binary, start_modelwatch, start_nginx, stop, wait_up, wrk

SINGLE = ('{"id":"%s","version":"v3","timestamp":1732430000.5,"features":{"amount":123.45,"country":"ES","age":37,'
          '"is_new":true,"coupon":null},"prediction":1,"score":0.87,"latency_ms":12.5}')

SINGLE_LUA = """
local counter = 0
local prefix = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local a, b = %s, %s
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, a .. prefix .. "-" .. counter .. b)
end
"""

STATIC_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = %s
"""

BATCH_LUA = """
local counter = 0
local prefix = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "%s"
local f = io.open("%s", "r")
local template = f:read("*a")
f:close()
local parts = {}
for piece in (template .. "@@"):gmatch("(.-)@@") do table.insert(parts, piece) end
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, table.concat(parts, prefix .. "x" .. counter))
end
"""


def lua_string(s):
    return "[==[" + s + "]==]"


def batch_template(path, ndjson, n=1000, features=10):
    """1,000 events with `features` features each; `@@` marks where each request puts its id prefix."""
    rng = random.Random(7)
    events = []
    for i in range(n):
        feats = {("f%d" % j): (round(rng.uniform(0, 100), 3) if j < 0.7 * features else rng.choice("abcd"))
                 for j in range(features)}
        ev = {"id": "ID", "features": feats, "prediction": rng.randint(0, 1), "score": round(rng.random(), 4),
              "latency_ms": round(rng.uniform(1, 20), 2)}
        events.append(json.dumps(ev, separators=(",", ":")).replace('"ID"', '"e%d-@@"' % i, 1))
    body = ("\n".join(events) + "\n") if ndjson else ("[" + ",".join(events) + "]")
    with open(path, "w") as f:
        f.write(body)
    return len(body)


def flask_venv():
    venv = os.path.join(REPO, "Benchmarks", ".venv-flask")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(os.path.join(venv, "bin", "gunicorn")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "flask", "prometheus_client", "gunicorn"], check=True)
    return venv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-flask", action="store_true")
    args = ap.parse_args()
    ensure_tools()
    binary = release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-ingest-")
    os.chmod(work, 0o755)
    procs = []
    nginx = None
    try:
        single = os.path.join(work, "single.lua")
        a, b = SINGLE.split("%s")
        open(single, "w").write(SINGLE_LUA % (lua_string(a), lua_string(b)))
        static = os.path.join(work, "static.lua")
        open(static, "w").write(STATIC_LUA % lua_string(SINGLE % "fixed"))
        ndjson_body = os.path.join(work, "batch.ndjson")
        size = batch_template(ndjson_body, ndjson=True)
        batch = os.path.join(work, "batch.lua")
        open(batch, "w").write(BATCH_LUA % ("application/x-ndjson", ndjson_body))
        array_body = os.path.join(work, "batch.json")
        batch_template(array_body, ndjson=False)
        batch_json = os.path.join(work, "batch_json.lua")
        open(batch_json, "w").write(BATCH_LUA % ("application/json", array_body))

        mw_port, nginx_port = free_port(), free_port()
        mw = start_modelwatch(binary, work, mw_port)
        procs.append(mw)
        nginx = start_nginx(work, nginx_port)
        procs.append(nginx)
        nginx_pids = [nginx.pid] + children(nginx.pid)
        servers = [("modelwatch", "http://127.0.0.1:%d/v1/models/bench/predictions" % mw_port, [mw.pid], single),
                   ("nginx return 202", "http://127.0.0.1:%d/post" % nginx_port, nginx_pids, single),
                   ("nginx, fixed body", "http://127.0.0.1:%d/post" % nginx_port, nginx_pids, static)]
        if not args.skip_flask:
            venv = flask_venv()
            app_dir = os.path.join(REPO, "Benchmarks", "flask_baseline")
            dev_port, gun_port = free_port(), free_port()
            dev = subprocess.Popen([os.path.join(venv, "bin", "python"), "app.py", str(dev_port)], cwd=app_dir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(dev)
            gun = subprocess.Popen([os.path.join(venv, "bin", "gunicorn"), "-w", "2", "-b", "127.0.0.1:%d" % gun_port,
                                    "--log-level", "warning", "app:app"], cwd=app_dir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(gun)
            wait_up("http://127.0.0.1:%d/metrics" % dev_port)
            wait_up("http://127.0.0.1:%d/metrics" % gun_port)
            servers += [("flask dev server", "http://127.0.0.1:%d/v1/models/bench/predictions" % dev_port, [dev.pid], single),
                        ("gunicorn 2 workers", "http://127.0.0.1:%d/v1/models/bench/predictions" % gun_port,
                         [gun.pid] + children(gun.pid), single)]

        print("single-event POSTs, 16 keep-alive connections, %d s each" % args.duration)
        print("%-20s %10s %9s %8s %8s" % ("server", "req/s", "p99 ms", "cpu us", "non-2xx"))
        results = {}
        for name, url, pids, script in servers:
            r = wrk(url, 16, args.duration, pids, script)
            results[name] = r
            print("%-20s %10.0f %9.2f %8.1f %8d" % (name, r["rps"], r["p99_ms"], r["cpu_us"], r["non2xx"]))
        mwr = results["modelwatch"]["rps"]
        print("modelwatch / nginx (same client): %.0f %%   / nginx fixed body: %.0f %%" % (
            100 * mwr / results["nginx return 202"]["rps"], 100 * mwr / results["nginx, fixed body"]["rps"]))
        for name in ("flask dev server", "gunicorn 2 workers"):
            if name in results:
                print("modelwatch / %s: %.0fx" % (name, mwr / results[name]["rps"]))

        print("\nNDJSON batches of 1,000 events x 10 features (%d KB), 4 connections, %d s" % (size // 1024, args.duration))
        r = wrk("http://127.0.0.1:%d/v1/models/batch/predictions" % mw_port, 4, args.duration, [mw.pid], batch)
        print("modelwatch: %.0f batches/s = %.0f events/s, p99 %.1f ms, non-2xx %d" % (r["rps"], r["rps"] * 1000, r["p99_ms"], r["non2xx"]))
        if not args.skip_flask:
            g = wrk("http://127.0.0.1:%d/v1/models/batch/predictions" % gun_port, 4, args.duration, [], batch_json)
            print("gunicorn (JSON array): %.1f batches/s = %.0f events/s, non-2xx %d; modelwatch is %.0fx" % (
                g["rps"], g["rps"] * 1000, g["non2xx"], r["rps"] / max(g["rps"], 1e-9)))
    finally:
        for p in procs:
            stop(p, signal.SIGQUIT if p is nginx else None)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
