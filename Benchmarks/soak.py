#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Soak (issue 16; not in CI): mixed traffic for a while against the release binary, and
whether the daemon stays flat.

    python3 Benchmarks/soak.py [--minutes 10] [--rate 5000] [--slow 500] [--skip-build]

- predictions at `--rate` events/s (NDJSON batches of 50 and single-event POSTs, 8 models, two
  versions, numeric and categorical features), labels for half of them 2-30 s later (the rest
  expire: `label_ttl: 1m`), on keep-alive connections;
- a scrape of /metrics every second;
- `--slow` slow clients (in a process of their own): half trickle a request one byte every 2 s (cut at the request timeout,
  then they come back), half open a connection, send one request and sit idle (cut at the idle
  timeout, then they come back);
- the data dir on `fsync: interval` with a snapshot every minute; windows of 30 s, 1 min and
  2 min, so that every window slice is in use after the warm-up (the default 24h window takes a
  day to fill, and memory grows with it until then).

It prints, every 30 s, the RSS, the data dir's size, the rates and latencies, and at the end:
RSS growth after warm-up (the first third) must stay under 5 %, no errors, the p99 of a normal
client (a probe process sending single events, 50 a second) under 50 ms, and the data dir bounded (its size at the end within 3× its size after the
first snapshot cycle). Exit status 1 when any fails.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import tempfile
import threading
import time
import urllib.request

from benchlib import free_port, release_binary, rss_mb, stop

import subprocess


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.errors = []
        self.events = 0
        self.scrapes = []

    def ok(self, seconds, events=0):
        with self.lock:
            self.latencies.append(seconds)
            self.events += events

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def take(self):
        with self.lock:
            latencies, self.latencies = self.latencies, []
            events, self.events = self.events, 0
            scrapes, self.scrapes = self.scrapes, []
            return latencies, events, scrapes


def p99(values):
    return sorted(values)[int(0.99 * (len(values) - 1))] * 1000 if values else float("nan")


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path) if os.path.isfile(os.path.join(path, f)))


def producer(port, rate, stop_at, stats, labels, seed):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    interval = 50.0 / rate  # one batch of 50 (or 50 single events' worth) per interval
    next_at = time.time()
    while time.time() < stop_at:
        model = "soak-%d" % rng.randrange(8)
        version = "v%d" % rng.randrange(2)
        if rng.random() < 0.8:
            events = []
            for _ in range(50):
                n += 1
                events.append({"id": "s%d-%d" % (seed, n), "version": version,
                               "features": {"amount": rng.uniform(0, 100), "country": rng.choice("ABCDE"), "age": rng.randrange(90)},
                               "prediction": rng.randrange(2), "score": rng.random()})
            body, ctype, count = "\n".join(json.dumps(e) for e in events), "application/x-ndjson", 50
        else:
            n += 1
            events = [{"id": "s%d-%d" % (seed, n), "version": version, "features": {"amount": rng.uniform(0, 100), "country": "A"},
                       "prediction": 1, "score": rng.random()}]
            body, ctype, count = json.dumps(events[0]), "application/json", 1
        started = time.time()
        try:
            conn.request("POST", "/v1/models/%s/predictions" % model, body=body, headers={"Content-Type": ctype})
            r = conn.getresponse()
            r.read()
            if r.status != 202:
                stats.error("predictions %d" % r.status)
            else:
                stats.ok(time.time() - started, count)
        except OSError as e:
            stats.error("predictions %s" % e)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for e in events:
            if rng.random() < 0.5:
                labels.append((time.time() + rng.uniform(2, 30), model, e["id"], rng.randrange(2)))
        next_at += interval * (count / 50 if count == 1 else 1)
        delay = next_at - time.time()
        if delay > 0:
            time.sleep(delay)


def labeller(port, stop_at, stats, labels):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.time() < stop_at:
        now = time.time()
        due = [l for l in list(labels) if l[0] <= now]
        for l in due:
            try:
                labels.remove(l)
            except ValueError:
                pass
        by_model = {}
        for _, model, event_id, y in due:
            by_model.setdefault(model, []).append({"id": event_id, "label": y})
        for model, items in by_model.items():
            started = time.time()
            try:
                conn.request("POST", "/v1/models/%s/labels" % model, body="\n".join(json.dumps(i) for i in items),
                             headers={"Content-Type": "application/x-ndjson"})
                r = conn.getresponse()
                r.read()
                if r.status != 202:
                    stats.error("labels %d" % r.status)
                else:
                    stats.ok(time.time() - started)
            except OSError as e:
                stats.error("labels %s" % e)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        time.sleep(0.2)


def scraper(port, stop_at, stats):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.time() < stop_at:
        started = time.time()
        try:
            conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                stats.error("metrics %d" % r.status)
            with stats.lock:
                stats.scrapes.append(time.time() - started)
        except OSError as e:
            stats.error("metrics %s" % e)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        time.sleep(max(0, 1 - (time.time() - started)))


def slow_client(port, stop_at, trickle):
    while time.time() < stop_at:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=120)
            if trickle:
                for b in b"GET /healthz HTTP/1.1\r\nHost: soak\r\n":
                    s.send(bytes([b]))
                    time.sleep(2)
                    if time.time() >= stop_at:
                        break
            else:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: soak\r\n\r\n")
                s.recv(4096)
                s.recv(4096)  # until the idle timeout closes it
            s.close()
        except OSError:
            time.sleep(1)


def probe(port, stop_at, results):
    """A normal client in a process of its own: single-event POSTs, 50 a second, each timed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    latencies = []
    while time.time() < stop_at:
        n += 1
        body = json.dumps({"id": "probe-%d" % n, "features": {"amount": n % 100}, "prediction": 1, "score": 0.5})
        started = time.perf_counter()
        try:
            conn.request("POST", "/v1/models/probe/predictions", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            latencies.append(time.perf_counter() - started)
            if r.status != 202:
                results.put(("error", r.status))
        except OSError as e:
            results.put(("error", str(e)))
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        if len(latencies) >= 1500:
            results.put(("latencies", latencies))
            latencies = []
        time.sleep(0.02)
    results.put(("latencies", latencies))
    results.put(("done", None))


def slow_clients(port, stop_at, count):
    threads = [threading.Thread(target=slow_client, args=(port, stop_at, k % 2 == 0), daemon=True) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--snapshot-interval", default="1m", help="a duration; 1000h for (in effect) no snapshots")
    ap.add_argument("--binary", help="run this instead of the release build (e.g. a wrapper that starts it under heaptrack)")
    args = ap.parse_args()
    binary = args.binary or release_binary(args.skip_build)
    work = tempfile.mkdtemp(prefix="mw-soak-")
    data = os.path.join(work, "data")
    config = os.path.join(work, "soak.yaml")
    with open(config, "w") as f:
        # Labels come for half the predictions; the rest expire after a minute (label_ttl), so
        # the join reaches its steady size within the warm-up instead of growing for the run.
        # Windows of 30 s to 2 min: every slice is in use within the warm-up (with the default
        # 5m/1h/24h windows, memory grows as the 1h and 24h windows fill, for a day).
        f.write("fsync: interval\nsnapshot_interval: %s\nwindows: [30s, 1m, 2m]\nlimits: {max_connections: 4096}\nmodels:\n"
                % args.snapshot_interval +
                "".join("  soak-%d: {task: binary, label_ttl: 1m}\n" % k for k in range(8)) +
                "  probe: {task: binary, label_ttl: 1m}\n")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", data, "--config", config,
                             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "log"), "w"))
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    duration = args.minutes * 60
    stop_at = time.time() + duration
    stats = Stats()
    labels = []
    threads = [threading.Thread(target=producer, args=(port, args.rate / 4, stop_at, stats, labels, k), daemon=True) for k in range(4)]
    threads += [threading.Thread(target=labeller, args=(port, stop_at, stats, labels), daemon=True),
                threading.Thread(target=scraper, args=(port, stop_at, stats), daemon=True)]
    for t in threads:
        t.start()
    # The slow clients in a process of their own: their threads must not take the GIL from
    # the threads that measure the normal clients' latency.
    slow = multiprocessing.Process(target=slow_clients, args=(port, stop_at, args.slow), daemon=True)
    slow.start()
    # The latency verdict is a probe's: the load generators above share one interpreter (and
    # its lock), which adds tens of milliseconds to what they measure.
    probe_results = multiprocessing.Queue()
    prober = multiprocessing.Process(target=probe, args=(port, stop_at, probe_results), daemon=True)
    prober.start()
    probe_latencies = []
    samples = []  # (elapsed, rss MB, data dir bytes)
    all_latencies = []
    started = time.time()
    last_report = started
    try:
        while time.time() < stop_at:
            time.sleep(5)
            elapsed = time.time() - started
            samples.append((elapsed, rss_mb(proc.pid), dir_bytes(data)))
            while not probe_results.empty():
                kind, value = probe_results.get()
                if kind == "latencies":
                    probe_latencies += value
                elif kind == "error":
                    stats.error("probe %s" % value)
            if time.time() - last_report >= 30:
                latencies, events, scrapes = stats.take()
                all_latencies += latencies
                window = time.time() - last_report
                last_report = time.time()
                print("%5.0f s  RSS %6.1f MB  data dir %6.1f MB  %6.0f events/s  generators' p99 %6.2f ms  probe p99 %6.2f ms  "
                      "scrapes %d, p99 %6.1f ms  errors %d"
                      % (elapsed, samples[-1][1], samples[-1][2] / 1e6, events / window, p99(latencies), p99(probe_latencies[-1500:]),
                         len(scrapes), p99(scrapes), len(stats.errors)), flush=True)
    finally:
        latencies, _, _ = stats.take()
        all_latencies += latencies
        prober.join(timeout=15)
        while not probe_results.empty():
            kind, value = probe_results.get()
            if kind == "latencies":
                probe_latencies += value
        stop(proc)
    warm = [s for s in samples if s[0] >= duration / 3]
    growth = (warm[-1][1] - warm[0][1]) / warm[0][1] * 100 if len(warm) >= 2 else float("nan")
    after_cycle = [s for s in samples if s[0] >= 90]
    bounded = after_cycle and samples[-1][2] <= 3 * max(s[2] for s in after_cycle[:6])
    p = p99(probe_latencies)
    print("load generators' own p99 %.2f ms (their interpreter's, not the daemon's)" % p99(all_latencies))
    print("RSS after warm-up %.1f → %.1f MB (%+.1f %%; limit 5 %%); errors %d%s; p99 of the probe (a normal client, %d requests) %.2f ms (limit 50); "
          "data dir max %.1f MB, at the end %.1f MB (%s)" % (
              warm[0][1] if warm else 0, warm[-1][1] if warm else 0, growth, len(stats.errors),
              (" (first: %s)" % stats.errors[0]) if stats.errors else "", len(probe_latencies), p, max(s[2] for s in samples) / 1e6,
              samples[-1][2] / 1e6, "bounded" if bounded else "GROWING"))
    shutil.rmtree(work, ignore_errors=True)
    failed = not (growth < 5 and not stats.errors and p < 50 and bounded)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
