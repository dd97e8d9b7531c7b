#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Two release binaries side by side in one run (issue 15's budget: exact drift statistics must
not cost ingestion more than 10 %, and the scrape must stay under 100 ms):

    python3 Benchmarks/ab_bench.py --baseline OLD_BINARY [--candidate NEW_BINARY] [--rounds 4] [--duration 4]

Per round and binary, alternating (baseline, candidate, baseline, ...), a fresh daemon each:
1. 50-feature NDJSON batches of 1,000 events with a reference in force (wrk, 4 connections);
2. single-event POSTs of the same events (wrk, 16 connections);
3. /metrics of 10 models x 50 features x 3 windows (drift_bench's scrape set), median of 30
   scrapes, and the daemon's RSS after it.
Then the medians per binary and the candidate's ratio. Build the baseline from another commit
with `git worktree add /tmp/base COMMIT && (cd /tmp/base && swift build -c release --product modelwatch)`.
"""

import argparse
import http.client
import os
import shutil
import statistics
import tempfile

from benchlib import build_release, ensure_tools, free_port, rss_mb, start_modelwatch, stop, wrk
from drift_bench import load_scrape_models, request, template
from ingest_bench import BATCH_LUA, SINGLE_LUA, lua_string


def ingest(binary, duration, features=50, calibrated=False):
    work = tempfile.mkdtemp(prefix="mw-ab-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        body_path = os.path.join(work, "batch.ndjson")
        events = template(body_path, features, 1000)
        rows = [e.replace("-@@", "-ref") for e in events]
        if calibrated:  # a label per reference row: the scores get calibrated, every prediction estimated
            rows = [r[:-1] + ',"label":%d}' % (k % 2) for k, r in enumerate(rows)]
        reference = "\n".join(rows) + "\n"
        request(conn, "PUT", "/v1/models/m/reference", reference.encode(), {"Content-Type": "application/x-ndjson"})
        lua = os.path.join(work, "batch.lua")
        with open(lua, "w") as f:
            f.write(BATCH_LUA % ("application/x-ndjson", body_path))
        batch = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 4, duration, [mw.pid], lua)
        single_lua = os.path.join(work, "single.lua")
        a, b = events[0].replace('"e0-@@"', '"%s"', 1).split("%s")
        with open(single_lua, "w") as f:
            f.write(SINGLE_LUA % (lua_string(a), lua_string(b)))
        single = wrk("http://127.0.0.1:%d/v1/models/m/predictions" % port, 16, duration, [mw.pid], single_lua)
        return batch["rps"] * 1000, single["rps"], batch["cpu_us"] / 1000
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


def scrape(binary, models=10, scrapes=30):
    work = tempfile.mkdtemp(prefix="mw-ab-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        load_scrape_models(conn, models)
        times = [request(conn, "GET", "/metrics")[0] * 1e3 for _ in range(scrapes)]
        return statistics.median(times), rss_mb(mw.pid)
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True, help="the release binary to compare against")
    ap.add_argument("--candidate", help="default: this checkout's release build")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--features", type=int, default=50, help="features per event")
    ap.add_argument("--calibrated", action="store_true",
                    help="reference rows carry labels, so the candidate estimates every prediction (label lag)")
    args = ap.parse_args()
    ensure_tools()
    candidate = args.candidate or build_release()
    binaries = {"baseline": args.baseline, "candidate": candidate}
    results = {k: [] for k in binaries}
    for r in range(args.rounds):
        for name, binary in binaries.items():
            batch, single, cpu = ingest(binary, args.duration, args.features, args.calibrated)
            scrape_ms, rss = scrape(binary)
            results[name].append((batch, single, scrape_ms, rss, cpu))
            print("round %d %-9s NDJSON %8.0f events/s (%.2f us daemon CPU each)  single %7.0f req/s  /metrics %6.1f ms  RSS %5.0f MB" % (
                r + 1, name, batch, cpu, single, scrape_ms, rss), flush=True)
    med = {k: [statistics.median(x[i] for x in v) for i in range(5)] for k, v in results.items()}
    for k, m in med.items():
        print("median  %-9s NDJSON %8.0f events/s (%.2f us daemon CPU each)  single %7.0f req/s  /metrics %6.1f ms  RSS %5.0f MB" % (
            k, m[0], m[4], m[1], m[2], m[3]))
    b, c = med["baseline"], med["candidate"]
    # The host's speed drifts between rounds; the daemon's CPU per event is the steadier measure.
    print("candidate / baseline: NDJSON %.1f %% (by daemon CPU per event %.1f %%), single %.1f %%, /metrics %.1f %%, RSS %.1f %%" % (
        100 * c[0] / b[0], 100 * b[4] / c[4], 100 * c[1] / b[1], 100 * c[2] / b[2], 100 * c[3] / b[3]))


if __name__ == "__main__":
    main()
