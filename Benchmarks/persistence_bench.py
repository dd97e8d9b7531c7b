#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What persistence costs (issue 16's budgets), side by side in one run:

    python3 Benchmarks/persistence_bench.py [--skip-build] [--rounds 3] [--duration 4]
                                            [--baseline-ref 9eba399] [--skip-restart] [--skip-snapshot]

1. Rates: single-event POSTs on 16 keep-alive connections and NDJSON batches of 1,000 events
   (4 connections), with wrk and fresh ids, against
   - the in-memory daemon: the release binary built at `--baseline-ref` (the last commit before
     the event log, in a git worktree under Benchmarks/.baseline, git-ignored);
   - this binary with `fsync: interval` (targets: at least 90 % of in-memory);
   - this binary with `fsync: always` (target: at least 40 % on 16 connections: group commit).
   Rounds alternate the three; medians are printed with the ratios and the daemon's CPU per event.
2. Restart: a data dir with 100 models whose windows are full (a log written by this script in
   the documented format, with the recorded clock spread over the past 24 hours) and 1,000,000
   pending predictions, snapshotted at a SIGTERM, then 60 s worth of traffic at 5,000 events/s
   appended to the log, then `kill -9`: the time from the restart to `/readyz` 200 (target: 10 s).
3. A snapshot under load: single-event POSTs (16 connections, wrk --latency) while that state is
   snapshotted every 2 s: the p99 (target: under 50 ms) and the snapshots written meanwhile.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import tempfile
import time
import urllib.request
import zlib

from benchlib import REPO, ensure_tools, free_port, release_binary, stop, wrk
from ingest_bench import BATCH_LUA, SINGLE, SINGLE_LUA, batch_template, lua_string


def baseline_binary(ref):
    """The release binary of `ref`, built once in a worktree."""
    tree = os.path.join(REPO, "Benchmarks", ".baseline")
    binary = os.path.join(tree, ".build", "release", "modelwatch")
    stamp = os.path.join(tree, ".ref")

    def checked_out():
        # The worktree's commit itself, not only the stamp: another benchmark may have moved it.
        head = subprocess.run(["git", "-C", tree, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        want = subprocess.run(["git", "rev-parse", ref], cwd=REPO, capture_output=True, text=True).stdout.strip()
        return head != "" and head == want
    if not (os.path.exists(binary) and os.path.exists(stamp) and open(stamp).read().strip() == ref and checked_out()):
        if os.path.exists(tree):
            subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=REPO)
            shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(["git", "worktree", "add", "--detach", tree, ref], cwd=REPO, check=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "modelwatch"], cwd=tree, check=True)
        open(stamp, "w").write(ref)
    return binary


def start(binary, work, name, config=""):
    port = free_port()
    data = os.path.join(work, "data-" + name)
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        f.write(config or "{}\n")
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", data, "--config", path,
                             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        for path in ("/readyz", "/healthz"):  # the baseline has no restore, and answers /readyz at once
            try:
                urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=1).read()
                return proc, port
            except OSError:
                pass
        time.sleep(0.05)
    raise SystemExit("daemon did not start")


def rates(args, current, baseline, work):
    single = os.path.join(work, "single.lua")
    a, b = SINGLE.split("%s")
    open(single, "w").write(SINGLE_LUA % (lua_string(a), lua_string(b)))
    body = os.path.join(work, "batch.ndjson")
    batch_template(body, ndjson=True)
    batch = os.path.join(work, "batch.lua")
    open(batch, "w").write(BATCH_LUA % ("application/x-ndjson", body))
    variants = [("in-memory", baseline, ""), ("interval", current, "fsync: interval\n"), ("always", current, "fsync: always\n")]
    results = {(v, k): [] for v, _, _ in variants for k in ("single", "batch")}
    for r in range(args.rounds):
        for name, binary, config in variants:
            proc, port = start(binary, work, "%s-%d" % (name, r), config)
            try:
                url = "http://127.0.0.1:%d/v1/models/bench/predictions" % port
                s = wrk(url, 16, args.duration, [proc.pid], single)
                bt = wrk(url, 4, args.duration, [proc.pid], batch)
            finally:
                stop(proc)
            results[(name, "single")].append(s)
            results[(name, "batch")].append(bt)
            print("round %d %-9s single %8.0f req/s (p99 %6.2f ms, %5.1f us/req, non-2xx %d)   batch %6.0f req/s = %8.0f events/s (%4.2f us/event)"
                  % (r + 1, name, s["rps"], s["p99_ms"], s["cpu_us"], s["non2xx"], bt["rps"], bt["rps"] * 1000,
                     bt["cpu_us"] / 1000), flush=True)
    med = {k: statistics.median(x["rps"] for x in v) for k, v in results.items()}
    cpu = {k: statistics.median(x["cpu_us"] for x in v) for k, v in results.items()}
    for kind, unit in (("single", "req/s"), ("batch", "batches/s")):
        base = med[("in-memory", kind)]
        print("%-6s medians: in-memory %.0f, interval %.0f (%.0f %%; target 90 %%), always %.0f %s (%.0f %%; target 40 %%); "
              "daemon CPU per request %.1f / %.1f / %.1f us" % (
                  kind, base, med[("interval", kind)], 100 * med[("interval", kind)] / base, med[("always", kind)], unit,
                  100 * med[("always", kind)] / base, cpu[("in-memory", kind)], cpu[("interval", kind)], cpu[("always", kind)]))


def segment(path, records, first_sequence=1):
    out = bytearray(b"MWLG" + struct.pack("<IQQ", 1, 1, first_sequence))
    for sequence, (kind, when, model, ndjson, body) in enumerate(records, start=first_sequence):
        m = model.encode()
        payload = struct.pack("<BBHdQ", kind, 1 if ndjson else 0, len(m), when, sequence) + m + body
        out += struct.pack("<II", len(payload), zlib.crc32(payload)) + payload
    with open(path, "wb") as f:
        f.write(out)


def event(model, i, labelled):
    return {"id": "%s-%d" % (model, i), "features": {"amount": float(i % 997), "country": "ES" if i % 3 else "FR", "age": i % 80},
            "prediction": i % 2, "score": (i % 100) / 100.0, **({"label": (i // 2) % 2} if labelled else {})}


def big_state(data):
    """100 models, each with events in every window slice of the past 24 hours (labelled inline)
    and, in the last hour, 10,000 predictions waiting for their labels: 1,000,000 pending."""
    os.makedirs(data, exist_ok=True)
    now = time.time()
    records = []
    for m in range(100):
        model = "model-%03d" % m
        # One small batch per 24h-window slice (24 min) and per 1h slice (1 min) and 5m slice (5 s).
        times = [now - 86400 + k * 1440 for k in range(60)] + [now - 3600 + k * 60 for k in range(60)] + \
                [now - 300 + k * 5 for k in range(60)]
        i = 0
        for t in sorted(times):
            body = "\n".join(json.dumps(event(model, i + j, True)) for j in range(5)).encode()
            records.append((t, 1, model, body))
            i += 5
        for k in range(10):  # 10 × 1,000 pending
            body = "\n".join(json.dumps(event(model, 1_000_000 + k * 1000 + j, False)) for j in range(1000)).encode()
            records.append((now - 290 + k, 1, model, body))
    records.sort(key=lambda r: r[0])
    segment(os.path.join(data, "log-0000000000000001.mwlog"), [(kind, t, model, True, body) for t, kind, model, body in records])


def time_to_ready(binary, data, config):
    port = free_port()
    started = time.time()
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", data, "--config", config,
                             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=1).read()
            return proc, port, time.time() - started
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("daemon exited")
            time.sleep(0.02)


def restart(args, current, work):
    data = os.path.join(work, "data-restart")
    big_state(data)
    config = os.path.join(work, "restart.yaml")
    with open(config, "w") as f:
        f.write("fsync: interval\nsnapshot_interval: 1h\nlimits: {max_models: 1000}\n")
    proc, port, replay = time_to_ready(current, data, config)
    print("restart from the log alone (10,000 batch records, 1,000,000 pending): ready in %.1f s" % replay, flush=True)
    stop(proc)  # SIGTERM: the final snapshot
    size = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data) if f.endswith(".mwsnap"))
    proc, port, _ = time_to_ready(current, data, config)
    # A 60 s tail at 5,000 events/s: 300 batches of 1,000 events.
    for k in range(300):
        model = "model-%03d" % (k % 100)
        body = "\n".join(json.dumps(event(model, 5_000_000 + k * 1000 + j, j % 2 == 0)) for j in range(1000)).encode()
        req = urllib.request.Request("http://127.0.0.1:%d/v1/models/%s/predictions" % (port, model), data=body,
                                     headers={"Content-Type": "application/x-ndjson"})
        urllib.request.urlopen(req, timeout=30).read()
    time.sleep(1.5)  # the interval's sync
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc, port, ready = time_to_ready(current, data, config)
    metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30).read().decode()
    pending = sum(float(l.rsplit(" ", 1)[1]) for l in metrics.splitlines() if l.startswith("modelwatch_pending_labels{"))
    print("restart from a snapshot (%.0f MB, 100 models, %.0f pending) + a 60 s log tail (300,000 events) after kill -9: "
          "ready in %.2f s (target 10 s)" % (size / 1e6, pending, ready), flush=True)
    return proc, port


def snapshot_under_load(args, current, work):
    data = os.path.join(work, "data-restart")
    config = os.path.join(work, "load.yaml")
    with open(config, "w") as f:
        f.write("fsync: interval\nsnapshot_interval: 2s\nlimits: {max_models: 1000}\n")
    proc, port, _ = time_to_ready(current, data, config)
    try:
        single = os.path.join(work, "single.lua")
        a, b = SINGLE.split("%s")
        open(single, "w").write(SINGLE_LUA % (lua_string(a), lua_string(b)))
        before = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port).read().decode()
        r = wrk("http://127.0.0.1:%d/v1/models/model-007/predictions" % port, 16, max(8, args.duration * 2), [proc.pid], single)
        after = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port).read().decode()

        def written(text):
            return float(next(l for l in text.splitlines() if l.startswith('modelwatch_snapshots_total{result="written"}')).rsplit(" ", 1)[1])

        duration = next(l for l in after.splitlines() if l.startswith("modelwatch_snapshot_duration_seconds ")).rsplit(" ", 1)[1]
        print("single-event POSTs while snapshots of that state are written every 2 s: %.0f req/s, p99 %.2f ms (target 50 ms), "
              "%d snapshots during the run, each %.2f s" % (r["rps"], r["p99_ms"], written(after) - written(before), float(duration)))
    finally:
        stop(proc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--baseline-ref", default="9eba399")
    ap.add_argument("--skip-rates", action="store_true")
    ap.add_argument("--skip-restart", action="store_true")
    ap.add_argument("--skip-snapshot", action="store_true")
    args = ap.parse_args()
    ensure_tools()
    current = release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-persist-")
    try:
        if not args.skip_rates:
            rates(args, current, baseline_binary(args.baseline_ref), work)
        if not args.skip_restart:
            proc, _ = restart(args, current, work)
            stop(proc)
            if not args.skip_snapshot:
                snapshot_under_load(args, current, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
