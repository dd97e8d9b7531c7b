#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Memory per pending prediction: post N predictions that never get a label, read RSS.

    python3 Benchmarks/pending_memory_bench.py [--predictions 1000000] [--id-length 36] [--skip-build]

Starts a release modelwatch, reads its RSS (VmRSS), posts N binary predictions with scores and
unique ids (NDJSON batches of 10,000 over one keep-alive connection), waits for the allocator to
settle, reads RSS again and prints (after − before) / N. The join keeps a 128-bit fingerprint per
id, so the id length should not matter: try --id-length 8 and 100.
"""

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time

from benchlib import free_port, release_binary, rss_mb, start_modelwatch, stop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", type=int, default=1_000_000)
    ap.add_argument("--id-length", type=int, default=36)
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    binary = release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-pending-")
    port = free_port()
    mw = start_modelwatch(binary, work, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("PUT", "/v1/models/pending", body=json.dumps({"task": "binary", "max_pending": args.predictions}))
        assert conn.getresponse().read() and True
        # Warm up: one batch to another model so that code and arenas are paged in.
        conn.request("POST", "/v1/models/warmup/predictions", body=json.dumps([{"prediction": 1}] * 100))
        conn.getresponse().read()
        time.sleep(0.5)
        before = rss_mb(mw.pid)
        batch = 10_000
        start = time.time()
        for b in range(0, args.predictions, batch):
            lines = []
            for i in range(b, min(b + batch, args.predictions)):
                pid = ("p%d-" % i).ljust(args.id_length, "x")
                lines.append('{"id":"%s","prediction":1,"score":0.75,"latency_ms":3.5}' % pid)
            conn.request("POST", "/v1/models/pending/predictions", body="\n".join(lines),
                         headers={"Content-Type": "application/x-ndjson"})
            r = conn.getresponse()
            body = r.read()
            assert r.status == 202, body[:200]
        elapsed = time.time() - start
        time.sleep(1)
        after = rss_mb(mw.pid)
        conn.request("GET", "/v1/models/pending")
        pending = json.loads(conn.getresponse().read())["pending_labels"]
        assert pending == args.predictions, pending
        print("pending predictions: %d (ids of %d bytes), posted in %.1f s" % (pending, args.id_length, elapsed))
        print("RSS before %.1f MB, after %.1f MB: %.0f bytes per pending prediction" % (
            before, after, (after - before) * 1024 * 1024 / args.predictions))
    finally:
        stop(mw)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
