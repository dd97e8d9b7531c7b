#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Online evaluation's cost (issue 14's budget): ingestion with two segments of 20 values and two
business values per event against the same events without them, side by side in one run; and
/metrics for 100 models x 3 windows x 2 segments of 20 values.

    python3 Benchmarks/online_bench.py [--rounds 3] [--duration 4] [--skip-build] [--segment-drift]

Per round, alternating, a fresh daemon each: NDJSON batches of 1,000 events (wrk, 4
connections) and single-event POSTs (16 connections), events of 5 features of which `country`
and `device` take 20 values each; "plain" sends them to a model without segments and without
`business`, "online" to one with `segments: [country, device]` and events carrying
`business: {revenue, margin}`. Then the scrape: 100 models (a third each binary, multiclass,
regression) with segments and 2,000 outcomes each, median of 30 scrapes.

`--segment-drift`: both models and the scrape's models also get a reference (2,000 rows with the
same segment values), and the "online" and scraped ones `segment_drift: [amount]`, so each segment
value's windows count the prediction's and amount's bins and the scrape exports their PSIs (the
"plain" model places its features against the reference too, so the ratio is the segments' cost).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import tempfile
import time

from benchlib import ensure_tools, free_port, release_binary, start_modelwatch, stop, wrk
from ingest_bench import BATCH_LUA, SINGLE_LUA, lua_string

COUNTRIES = ["c%02d" % k for k in range(20)]
DEVICES = ["d%02d" % k for k in range(20)]


def events(n, online, rng):
    out = []
    for i in range(n):
        e = {"id": "ID", "features": {"country": rng.choice(COUNTRIES), "device": rng.choice(DEVICES),
                                      "amount": round(rng.uniform(0, 100), 2), "age": rng.randint(18, 90), "plan": rng.choice("abc")},
             "prediction": rng.randint(0, 1), "score": round(rng.random(), 4)}
        if online:
            e["business"] = {"revenue": round(rng.uniform(0, 200), 2), "margin": round(rng.uniform(0, 20), 2)}
        out.append(json.dumps(e, separators=(",", ":")).replace('"ID"', '"e%d-@@"' % i, 1))
    return out


def reference_rows(rng, n=2000, kind="binary"):
    rows = []
    for _ in range(n):
        row = {"features": {"country": rng.choice(COUNTRIES), "device": rng.choice(DEVICES), "amount": round(rng.uniform(0, 100), 2)}}
        if kind == "regression":
            row["prediction"] = rng.uniform(0, 100)
        elif kind == "multiclass":
            row["prediction"] = rng.choice(["a", "b", "c"])
        else:
            row["prediction"], row["score"] = rng.randint(0, 1), round(rng.random(), 4)
        rows.append(row)
    return "\n".join(json.dumps(r) for r in rows)


def ingest(binary, online, duration, segment_drift=False):
    work = tempfile.mkdtemp(prefix="mw-online-")
    port = free_port()
    extra = ", segments: [country, device]" if online else ""
    if online and segment_drift:
        extra += ", segment_drift: [amount]"
    config = "models:\n  m: {task: binary%s}\n" % extra
    mw = start_modelwatch(binary, work, port, config=config)
    try:
        if segment_drift:  # both models get the reference: the difference is the segments' work alone
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("PUT", "/v1/models/m/reference", body=reference_rows(random.Random(4)),
                         headers={"Content-Type": "application/x-ndjson"})
            assert conn.getresponse().status == 200
        lines = events(1000, online, random.Random(3))
        body = os.path.join(work, "batch.ndjson")
        with open(body, "w") as f:
            f.write("\n".join(lines) + "\n")
        lua = os.path.join(work, "batch.lua")
        with open(lua, "w") as f:
            f.write(BATCH_LUA % ("application/x-ndjson", body))
        batch = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 4, duration, [mw.pid], lua)
        a, b = lines[0].replace('"e0-@@"', '"%s"', 1).split("%s")
        single_lua = os.path.join(work, "single.lua")
        with open(single_lua, "w") as f:
            f.write(SINGLE_LUA % (lua_string(a), lua_string(b)))
        single = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 16, duration, [mw.pid], single_lua)
        return batch["rps"] * 1000, single["rps"]
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


def scrape(binary, models=100, per_model=2000, scrapes=30, segment_drift=False):
    work = tempfile.mkdtemp(prefix="mw-online-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    rng = random.Random(5)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def call(method, path, body):
            conn.request(method, path, body=body, headers={"Content-Type": "application/x-ndjson"})
            r = conn.getresponse()
            r.read()
            return r.status
        for m in range(models):
            kind = ("binary", "multiclass", "regression")[m % 3]
            settings = {"task": kind, "segments": ["country", "device"]}
            if segment_drift:
                settings["segment_drift"] = ["amount"]
            call("PUT", "/v1/models/m%d" % m, json.dumps(settings))
            if segment_drift:
                call("PUT", "/v1/models/m%d/reference" % m, reference_rows(rng, kind=kind))
            preds, labels = [], []
            for i in range(per_model):
                f = {"country": rng.choice(COUNTRIES), "device": rng.choice(DEVICES)}
                if segment_drift:
                    f["amount"] = round(rng.uniform(0, 100), 2)
                if kind == "regression":
                    y = rng.uniform(0, 100)
                    preds.append({"id": "p%d" % i, "features": f, "prediction": y + rng.gauss(0, 5)})
                    labels.append({"id": "p%d" % i, "label": y})
                else:
                    k = ["a", "b", "c"] if kind == "multiclass" else [0, 1]
                    y = rng.choice(k)
                    preds.append({"id": "p%d" % i, "features": f, "prediction": y if rng.random() < 0.8 else rng.choice(k)})
                    labels.append({"id": "p%d" % i, "label": y})
            call("POST", "/v1/models/m%d/predictions" % m, "\n".join(json.dumps(p) for p in preds))
            call("POST", "/v1/models/m%d/labels" % m, "\n".join(json.dumps(p) for p in labels))
        times, size = [], 0
        for _ in range(scrapes):
            start = time.perf_counter()
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - start) * 1000)
            size = len(body)
        samples = sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))
        return statistics.median(times), sorted(times)[int(0.95 * (len(times) - 1))], samples, size
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--segment-drift", action="store_true")
    args = ap.parse_args()
    ensure_tools()
    binary = release_binary(args.skip_build)
    results = {"plain": [], "online": []}
    for r in range(args.rounds):
        for name in results:
            batch, single = ingest(binary, name == "online", args.duration, args.segment_drift)
            results[name].append((batch, single))
            print("round %d %-6s NDJSON %8.0f events/s  single %7.0f req/s" % (r + 1, name, batch, single), flush=True)
    med = {k: [statistics.median(x[i] for x in v) for i in range(2)] for k, v in results.items()}
    print("online / plain: NDJSON %.1f %%, single %.1f %% (budget: within 25 %%)" % (
        100 * med["online"][0] / med["plain"][0], 100 * med["online"][1] / med["plain"][1]))
    median, p95, samples, size = scrape(binary, segment_drift=args.segment_drift)
    print("/metrics, 100 models x 3 windows x 2 segments of 20 values: %d samples, %d KB; median %.1f ms, p95 %.1f ms (budget 50 ms)"
          % (samples, size // 1024, median, p95))


if __name__ == "__main__":
    main()
