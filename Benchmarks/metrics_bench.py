#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""/metrics latency with many models: N models x 3 windows with performance gauges.

    python3 Benchmarks/metrics_bench.py [--models 100] [--events 2000] [--scrapes 50] [--skip-build]

Creates N models (a third binary with scores, a third multiclass with 3-class scores, a third
regression), posts predictions and their labels to each so every window reports metrics, then
times GET /metrics over one keep-alive connection: median, p95 and max, plain and gzip, with the
size and sample count. Windows are the default 5m, 1h, 24h.
"""

import argparse
import gzip
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

from benchlib import free_port, release_binary, start_modelwatch, stop


def events(kind, n, rng, model):
    preds, labels = [], []
    for i in range(n):
        pid = "%s-%d" % (model, i)
        if kind == "binary":
            y = int(rng.random() < 0.4)
            s = min(1, max(0, rng.gauss(0.65 if y else 0.35, 0.2)))
            preds.append({"id": pid, "prediction": int(s >= 0.5), "score": s, "latency_ms": rng.uniform(1, 30)})
        elif kind == "multiclass":
            y = rng.choice("abc")
            raw = {c: rng.random() + (1 if c == y else 0) for c in "abc"}
            t = sum(raw.values())
            scores = {c: v / t for c, v in raw.items()}
            preds.append({"id": pid, "prediction": max(scores, key=scores.get), "scores": scores})
        else:
            y = rng.gauss(50, 10)
            preds.append({"id": pid, "prediction": y + rng.gauss(0, 3)})
        labels.append({"id": pid, "label": y})
    return preds, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--scrapes", type=int, default=50)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--binary", help="run this release binary instead (e.g. a previous commit's, for a side-by-side figure)")
    args = ap.parse_args()
    binary = args.binary or release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-metrics-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        rng = random.Random(3)
        for m in range(args.models):
            kind = ("binary", "multiclass", "regression")[m % 3]
            name = "model-%03d" % m
            conn.request("PUT", "/v1/models/" + name, body=json.dumps({"task": kind}))
            conn.getresponse().read()
            preds, labels = events(kind, args.events, rng, name)
            for path, body in (("predictions", preds), ("labels", labels)):
                conn.request("POST", "/v1/models/%s/%s" % (name, path), body=json.dumps(body))
                r = conn.getresponse()
                assert r.status == 202, r.read()[:300]
                r.read()
        results = {}
        for label, headers in (("plain", {}), ("gzip", {"Accept-Encoding": "gzip"})):
            times = []
            for _ in range(args.scrapes):
                t0 = time.perf_counter()
                conn.request("GET", "/metrics", headers=headers)
                r = conn.getresponse()
                body = r.read()
                times.append((time.perf_counter() - t0) * 1000)
            results[label] = (times, body)
        text = results["plain"][1].decode()
        samples = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
        gauges = sum(1 for line in text.splitlines() if line.startswith("modelwatch_accuracy{") or line.startswith("modelwatch_mae{"))
        print("%d models x 3 windows: %d samples, %d KB plain, %d KB gzip; %d windows reporting performance" % (
            args.models, samples, len(results["plain"][1]) // 1024, len(results["gzip"][1]) // 1024, gauges))
        for label, (times, _) in results.items():
            times.sort()
            print("GET /metrics %-5s: median %.1f ms, p95 %.1f ms, max %.1f ms (%d scrapes)" % (
                label, statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1], len(times)))
        assert gzip.decompress(results["gzip"][1]) != b""
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
