#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drift benchmarks (issue 4), in one run against the release binary:

    python3 Benchmarks/drift_bench.py [--skip-build] [--skip-evidently] [--duration 5]

1. Evidently: a 10,000-row reference and a 10,000-row window of 20 numeric columns (half of
   them shifted). modelwatch: PUT the reference, POST the window as NDJSON (1,000 per batch),
   then GET /v1/models/{model} (every drift statistic of every window) — each timed, over HTTP
   on one keep-alive connection. Evidently 0.7: `Report([DataDriftPreset()]).run(current,
   reference)` on the same data, timed inside its venv (Benchmarks/.venv-evidently, created with
   `evidently` and `pandas<3` when missing), import time reported apart.
2. /metrics with 10 models x 50 features (40 numeric, 10 categorical) x 3 windows, every
   feature with a reference and values in every window: scrape latency, median/p95/max.
3. Ingestion with 10 and with 50 features per event, with a reference in force (every value is
   placed in its reference cell and counted in three windows): NDJSON batches of 1,000 events
   (4 connections) and single-event POSTs (16 connections), wrk with fresh ids per request.
   With `--rounds N`, then N alternating rounds of NDJSON batches (10 features, 50, 10, ...),
   a fresh daemon each, with the daemon on CPU 0 and wrk on CPU 1 (`--no-pin`: both free):
   single runs swing by ±10-15 % on this host, and on two shared cores wrk's own work on the
   wider bodies would count against the daemon's rate.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import REPO, ensure_tools, free_port, release_binary, rss_mb, start_modelwatch, stop, wrk
from ingest_bench import BATCH_LUA, SINGLE_LUA, lua_string

EVIDENTLY_VENV = os.path.join(REPO, "Benchmarks", ".venv-evidently")

EVIDENTLY_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
imported = time.perf_counter() - t0
ref = pd.read_json(sys.argv[1], lines=True)
cur = pd.read_json(sys.argv[2], lines=True)
times = []
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(cur, ref)
    snapshot.dict()
    times.append(time.perf_counter() - t0)
print(json.dumps({"import_s": imported, "report_s": sorted(times)[len(times) // 2]}))
"""


def evidently_python():
    python = os.path.join(EVIDENTLY_VENV, "bin", "python")
    if not os.path.exists(python) or subprocess.run([python, "-c", "import evidently"], capture_output=True).returncode:
        subprocess.run([sys.executable, "-m", "venv", EVIDENTLY_VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "evidently", "pandas<3"], check=True)
    return python


def columns_rows(n, columns, rng, shifted=()):
    rows = []
    for _ in range(n):
        rows.append({"f%02d" % j: round(rng.gauss(1.0 if j in shifted else 0.0, 1.0), 6) for j in range(columns)})
    return rows


def request(conn, method, path, body=None, headers=None):
    t0 = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    elapsed = time.perf_counter() - t0
    assert r.status in (200, 202), (r.status, data[:300])
    return elapsed, data


def ndjson(events):
    return ("\n".join(json.dumps(e, separators=(",", ":")) for e in events) + "\n").encode()


def evidently_comparison(port, work, args):
    rng = random.Random(1)
    reference = columns_rows(args.rows, 20, rng)
    current = columns_rows(args.rows, 20, rng, shifted=range(10))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    ref_body = ndjson([{"features": r, "prediction": 0.5} for r in reference])
    put_s, _ = request(conn, "PUT", "/v1/models/evid/reference", ref_body, {"Content-Type": "application/x-ndjson"})
    post_s = 0.0
    for start in range(0, len(current), 1000):
        chunk = [{"id": "c%d" % (start + i), "features": r, "prediction": 0.5} for i, r in enumerate(current[start:start + 1000])]
        t, _ = request(conn, "POST", "/v1/models/evid/predictions", ndjson(chunk), {"Content-Type": "application/x-ndjson"})
        post_s += t
    status_times = []
    for _ in range(20):
        t, body = request(conn, "GET", "/v1/models/evid")
        status_times.append(t)
    status_s = statistics.median(status_times)
    drift = json.loads(body)["versions"][0]["windows"][0]["drift"]
    drifted = sum(1 for f in drift["features"] if f.get("drifted"))
    total = put_s + post_s + status_s
    print("1. drift of a %d-row window x 20 numeric features against a %d-row reference" % (args.rows, args.rows))
    print("   modelwatch over HTTP: PUT reference %.1f ms + POST window %.1f ms + GET status (all statistics, 3 windows) %.2f ms"
          " = %.1f ms; %d of 20 features drifted (10 shifted)" % (put_s * 1e3, post_s * 1e3, status_s * 1e3, total * 1e3, drifted))
    if args.skip_evidently:
        return
    python = evidently_python()
    ref_path, cur_path = os.path.join(work, "ref.jsonl"), os.path.join(work, "cur.jsonl")
    with open(ref_path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in reference))
    with open(cur_path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in current))
    out = subprocess.run([python, "-c", EVIDENTLY_SCRIPT, ref_path, cur_path, "3"], capture_output=True, text=True, check=True)
    ev = json.loads(out.stdout.strip().splitlines()[-1])
    print("   Evidently DataDriftPreset report: %.0f ms (median of 3; import %.1f s more)" % (ev["report_s"] * 1e3, ev["import_s"]))
    print("   modelwatch is %.0fx faster end to end (reference + window + statistics), %.0fx on the statistics alone" % (
        ev["report_s"] / total, ev["report_s"] / status_s))


def load_scrape_models(conn, models):
    """`models` models of 50 features (40 numeric, 10 categorical), each with a 2,000-row
    reference and 2,000 shifted predictions in every window: the scrape benchmark's data."""
    rng = random.Random(2)

    def event(i, shift):
        feats = {("n%02d" % j): round(rng.gauss(shift if j % 4 == 0 else 0, 1), 4) for j in range(40)}
        feats.update({("c%02d" % j): rng.choice("abcdefgh" if shift == 0 else "abcdefghij") for j in range(10)})
        return {"id": "e%d" % i, "features": feats, "prediction": int(rng.random() < 0.5), "score": round(rng.random(), 4)}

    for m in range(models):
        name = "wide-%02d" % m
        request(conn, "PUT", "/v1/models/%s/reference" % name, ndjson([event(i, 0) for i in range(2000)]),
                {"Content-Type": "application/x-ndjson"})
        request(conn, "POST", "/v1/models/%s/predictions" % name, ndjson([event(i, 0.5) for i in range(2000)]),
                {"Content-Type": "application/x-ndjson"})


def scrape_benchmark(port, pid, args):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    load_scrape_models(conn, args.models)
    for label, headers in (("plain", {}), ("gzip", {"Accept-Encoding": "gzip"})):
        times = []
        for _ in range(args.scrapes):
            t, body = request(conn, "GET", "/metrics", headers=headers)
            times.append(t * 1e3)
        if label == "plain":
            text = body.decode()
            samples = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
            scores = sum(1 for line in text.splitlines() if line.startswith("modelwatch_drift_score{"))
            print("2. /metrics, %d models x 50 features x 3 windows: %d samples (%d drift scores), %d KB; modelwatch RSS %.0f MB" % (
                args.models, samples, scores, len(body) // 1024, rss_mb(pid)))
        times.sort()
        print("   GET /metrics %-5s: median %.1f ms, p95 %.1f ms, max %.1f ms (%d scrapes)" % (
            label, statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1], len(times)))


def template(path, features, n, ndjson_lines=True):
    rng = random.Random(7)
    events = []
    for i in range(n):
        feats = {("f%d" % j): (round(rng.uniform(0, 100), 3) if j < 0.8 * features else rng.choice("abcd")) for j in range(features)}
        ev = {"id": "ID", "features": feats, "prediction": rng.randint(0, 1), "score": round(rng.random(), 4)}
        events.append(json.dumps(ev, separators=(",", ":")).replace('"ID"', '"e%d-@@"' % i, 1))
    with open(path, "w") as f:
        f.write("\n".join(events) + "\n")
    return events


def ingest_benchmark(port, pid, work, args):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    print("3. ingestion with a reference in force (wrk, %d s each)" % args.duration)
    rates = {}
    for features in (10, 50):
        body_path = os.path.join(work, "batch%d.ndjson" % features)
        events = template(body_path, features, 1000)
        model = "ingest%d" % features
        reference = "\n".join(e.replace("-@@", "-ref") for e in events) + "\n"
        request(conn, "PUT", "/v1/models/%s/reference" % model, reference.encode(), {"Content-Type": "application/x-ndjson"})
        lua = os.path.join(work, "batch%d.lua" % features)
        with open(lua, "w") as f:
            f.write(BATCH_LUA % ("application/x-ndjson", body_path))
        r = wrk("http://127.0.0.1:%d/v1/models/%s/predictions" % (port, model), 4, args.duration, [pid], lua)
        single = os.path.join(work, "single%d.lua" % features)
        a, b = events[0].replace('"e0-@@"', '"%s"', 1).split("%s")
        with open(single, "w") as f:
            f.write(SINGLE_LUA % (lua_string(a), lua_string(b)))
        s = wrk("http://127.0.0.1:%d/v1/models/%s/predictions" % (port, model), 16, args.duration, [pid], single)
        rates[features] = (r["rps"] * 1000, s["rps"], r["cpu_us"] / 1000)
        print("   %2d features: NDJSON %.0f events/s (%.1f us server CPU per event, non-2xx %d); single-event POSTs %.0f req/s (%.1f us server CPU each, non-2xx %d)" % (
            features, r["rps"] * 1000, r["cpu_us"] / 1000, r["non2xx"], s["rps"], s["cpu_us"], s["non2xx"]))
    print("   50 vs 10 features: NDJSON %.0f %% of the rate, single POSTs %.0f %%; values/s with 50: %.1fM" % (
        100 * rates[50][0] / rates[10][0], 100 * rates[50][1] / rates[10][1], rates[50][0] * 50 / 1e6))
    # wrk shares the two cores and spends more per event on wider bodies; the daemon's own CPU
    # per event gives the rate it would reach with the load generated elsewhere.
    print("   50 vs 10 features by the daemon's CPU per NDJSON event: %.0f %%" % (100 * rates[10][2] / rates[50][2]))


def ingest_rounds(binary, args):
    """Alternating rounds of NDJSON batches, 10 then 50 features, a fresh daemon each."""
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2  # one CPU each for the daemon and wrk
    print("4. ingestion in %d alternating rounds (NDJSON, %d s each, %s)" % (
        args.rounds, args.duration, "daemon on CPU 0, wrk on CPU 1" if pin else "unpinned"))
    results = {10: [], 50: []}
    for _ in range(args.rounds):
        for features in (10, 50):
            work = tempfile.mkdtemp(prefix="mw-rounds-")
            port = free_port()
            mw = start_modelwatch(binary, work, port, cpu=0 if pin else None)
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                body_path = os.path.join(work, "batch.ndjson")
                events = template(body_path, features, 1000)
                reference = "\n".join(e.replace("-@@", "-ref") for e in events) + "\n"
                request(conn, "PUT", "/v1/models/m/reference", reference.encode(), {"Content-Type": "application/x-ndjson"})
                lua = os.path.join(work, "batch.lua")
                with open(lua, "w") as f:
                    f.write(BATCH_LUA % ("application/x-ndjson", body_path))
                r = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 4, args.duration, [mw.pid], lua,
                        cpu=1 if pin else None)
                results[features].append((r["rps"] * 1000, r["cpu_us"] / 1000))
            finally:
                stop(mw)
                shutil.rmtree(work, ignore_errors=True)
    for features in (10, 50):
        rates = [x[0] for x in results[features]]
        cpus = [x[1] for x in results[features]]
        print("   %2d features: median %.0f events/s (best %.0f); daemon CPU per event median %.2f us (best %.2f)" % (
            features, statistics.median(rates), max(rates), statistics.median(cpus), min(cpus)))
    ratios = [100 * b[0] / a[0] for a, b in zip(results[10], results[50])]
    print("   50 vs 10 features, each round: " + " ".join("%.0f %%" % r for r in ratios))
    print("   50 vs 10 features: median of the rounds %.0f %% of the rate; ratio of the medians %.0f %% of the rate, %.0f %% by CPU per event" % (
        statistics.median(ratios),
        100 * statistics.median(x[0] for x in results[50]) / statistics.median(x[0] for x in results[10]),
        100 * statistics.median(x[1] for x in results[10]) / statistics.median(x[1] for x in results[50])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--scrapes", type=int, default=30)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-evidently", action="store_true")
    ap.add_argument("--only", choices=["evidently", "scrape", "ingest"])
    ap.add_argument("--rounds", type=int, default=0, help="alternating ingestion rounds after part 3 (0: none)")
    ap.add_argument("--no-pin", action="store_true", help="rounds without pinning the daemon and wrk to CPUs")
    args = ap.parse_args()
    ensure_tools()
    binary = release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-drift-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    try:
        if args.only in (None, "evidently"):
            evidently_comparison(port, work, args)
        if args.only in (None, "scrape"):
            scrape_benchmark(port, mw.pid, args)
        if args.only in (None, "ingest"):
            ingest_benchmark(port, mw.pid, work, args)
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)
    if args.rounds > 0 and args.only in (None, "ingest"):
        ingest_rounds(binary, args)


if __name__ == "__main__":
    sys.exit(main())
