# SPDX-License-Identifier: Apache-2.0
"""Persistence (SPEC section 7) over real HTTP and real crashes: what modelwatch acknowledged
survives `kill -9` (everything with fsync: always, all but the interval with interval), pending
predictions join their labels after a restart, the whole /metrics is the same before and after,
a torn log tail is cut with a warning, a newer data format and a second daemon are refused, a
full disk (RLIMIT_FSIZE) answers 503 and resumes by itself, /readyz waits for the restore."""

import http.client
import json
import os
import re
import resource
import signal
import struct
import subprocess
import threading
import time
import urllib.request
import zlib

import pytest

from conftest import BINARY, free_port, stop_process

# Series that belong to the process, not to the state: they start over with it.
PROCESS_SERIES = re.compile(r"^(process_|modelwatch_http_|modelwatch_log_|modelwatch_snapshot|modelwatch_build_info|modelwatch_open_connections|"
                            r"modelwatch_refused_connections|modelwatch_scrape_|modelwatch_auth_|modelwatch_hmac_)")


class Node:
    """A daemon on a fixed data dir, restartable."""

    def __init__(self, tmp_path, config="", fsize=None):
        self.tmp_path = tmp_path
        self.data = tmp_path / "data"
        self.config = tmp_path / "modelwatch.yaml"
        self.config.write_text(config or "{}\n")
        self.fsize = fsize
        self.port = free_port()
        self.proc = None
        self.logs = []

    def start(self, wait=True):
        cmd = [BINARY, "serve", "--listen", "127.0.0.1:%d" % self.port, "--data-dir", str(self.data),
               "--config", str(self.config)]
        log = open(self.tmp_path / ("daemon-%d.log" % len(self.logs)), "wb")
        self.logs.append(log.name)
        limit = self.fsize

        def limits():
            if limit:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, preexec_fn=limits)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % self.port, timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("not ready: " + self.log())

    def log(self, index=-1):
        return open(self.logs[index], errors="replace").read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            stop_process(self.proc, 8)

    def call(self, method, path, body=None, ndjson=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def metrics(self):
        status, body = self.call("GET", "/metrics")
        assert status == 200
        return body.decode()

    def state_metrics(self):
        """Every series of /metrics but the process's own, as {series: value}."""
        out = {}
        for line in self.metrics().splitlines():
            if line.startswith("#") or not line or PROCESS_SERIES.match(line):
                continue
            name, value = line.rsplit(" ", 1)
            out[name] = value
        return out

    def value(self, series):
        for line in self.metrics().splitlines():
            if not line.startswith("#") and line.rsplit(" ", 1)[0] == series:
                return float(line.rsplit(" ", 1)[1])
        return float("nan")


def prediction(i, model_version="v1"):
    return {"id": "p-%d" % i, "version": model_version, "features": {"amount": float(i % 97), "country": "ES" if i % 3 else "FR"},
            "prediction": i % 2, "score": (i % 100) / 100.0}


def post_predictions(node, events):
    return node.call("POST", "/v1/models/fraud/predictions", "\n".join(json.dumps(e) for e in events), ndjson=True)


def post_labels(node, ids_labels):
    body = "\n".join(json.dumps({"id": "p-%d" % i, "label": y}) for i, y in ids_labels)
    return node.call("POST", "/v1/models/fraud/labels", body, ndjson=True)


@pytest.fixture
def node_factory(tmp_path):
    nodes = []

    def make(config="", fsize=None):
        n = Node(tmp_path, config, fsize)
        nodes.append(n)
        return n

    yield make
    for n in nodes:
        n.stop()


def reference_rows():
    return "\n".join(json.dumps({"features": {"amount": float(i % 50), "country": "ES" if i % 2 else "FR"},
                                 "prediction": i % 2, "score": (i % 10) / 10.0, "label": i % 2}) for i in range(500))


def test_acknowledged_events_survive_kill_9_with_fsync_always(node_factory):
    node = node_factory("fsync: always\nmodels:\n  fraud: {task: binary}\n").start()
    assert node.call("PUT", "/v1/models/fraud/reference", reference_rows(), ndjson=True)[0] == 200
    acked = []
    lock = threading.Lock()

    def sender(worker):
        for k in range(40):
            i = worker * 1000 + k
            status, _ = post_predictions(node, [prediction(i)])
            assert status == 202
            with lock:
                acked.append(i)

    threads = [threading.Thread(target=sender, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Labels for half of them now; the other half stay pending across the crash.
    labelled = [i for i in acked if i % 2 == 0]
    assert post_labels(node, [(i, (i // 7) % 2) for i in labelled])[0] == 202
    before = node.state_metrics()
    assert float(before['modelwatch_predictions_total{model="fraud",version="v1"}']) == len(acked) == 320
    node.kill()

    node.start()
    after = node.state_metrics()
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert not changed, changed
    # The pending half still joins its labels.
    pending = [i for i in acked if i % 2 == 1]
    status, body = post_labels(node, [(i, 1) for i in pending])
    assert status == 202 and json.loads(body)["accepted"] == len(pending)
    assert node.value('modelwatch_labels_total{model="fraud",result="matched",version="v1"}') == len(acked)
    log = node.log()
    assert "state restored" in log and "records=" in log


def test_interval_loses_at_most_the_interval(node_factory):
    node = node_factory("fsync: interval\nfsync_interval: 1s\n").start()
    acked = []  # (id, time acknowledged)
    stop = time.time() + 3
    i = 0
    while time.time() < stop:
        status, _ = post_predictions(node, [prediction(i)])
        assert status == 202
        acked.append((i, time.time()))
        i += 1
    killed = time.time()
    node.kill()
    node.start()
    kept = node.value('modelwatch_predictions_total{model="fraud",version="v1"}')
    # Everything acknowledged more than the interval (plus scheduling slack) before the kill is there.
    old_enough = sum(1 for _, t in acked if t < killed - 1.5)
    assert old_enough <= kept <= len(acked), (old_enough, kept, len(acked))
    assert old_enough > 0


def test_sigterm_syncs_and_exits_0_within_5_s(node_factory):
    node = node_factory("fsync: never\n").start()
    assert post_predictions(node, [prediction(i) for i in range(100)])[0] == 202
    before = node.state_metrics()
    started = time.time()
    node.proc.send_signal(signal.SIGTERM)
    assert node.proc.wait(timeout=6) == 0
    assert time.time() - started < 5
    assert "snapshot written" in node.log()  # the final one
    node.start()
    assert node.state_metrics() == before
    assert "records=0" in node.log()  # everything came from the snapshot


def test_torn_tail_is_cut_with_a_warning(node_factory):
    node = node_factory("fsync: always\n").start()
    for k in range(5):
        assert post_predictions(node, [prediction(k)])[0] == 202
    node.kill()
    segment = sorted(p for p in os.listdir(node.data) if p.endswith(".mwlog"))[-1]
    path = node.data / segment
    good = path.stat().st_size
    with open(path, "ab") as f:
        # A record header promising 200 bytes, and 30 of them: a write torn by the crash.
        f.write(struct.pack("<II", 200, 0) + b"x" * 30)
    node.start()
    assert node.value('modelwatch_predictions_total{model="fraud",version="v1"}') == 5
    log = node.log()
    assert "event log cut at its last good record" in log and segment in log and "offset=%d" % good in log, log
    assert path.stat().st_size == good
    # A flipped byte inside the last record: its checksum fails, it is dropped, the rest kept.
    assert post_predictions(node, [prediction(100)])[0] == 202
    node.kill()
    newest = node.data / sorted(p for p in os.listdir(node.data) if p.endswith(".mwlog"))[-1]
    data = bytearray(newest.read_bytes())
    data[-3] ^= 0xFF
    newest.write_bytes(bytes(data))
    node.start()
    assert node.value('modelwatch_predictions_total{model="fraud",version="v1"}') == 5
    assert "checksum does not match" in node.log()


def test_newer_format_and_second_daemon_are_refused(node_factory, tmp_path):
    node = node_factory().start()
    other = subprocess.run([BINARY, "serve", "--listen", "127.0.0.1:%d" % free_port(), "--data-dir", str(node.data)],
                           capture_output=True, text=True, timeout=10)
    assert other.returncode != 0 and "in use by another modelwatch" in other.stderr and str(node.proc.pid) in other.stderr
    node.stop()
    # A segment written by a future version.
    future = node.data / "log-00000000000000ff.mwlog"
    future.write_bytes(b"MWLG" + struct.pack("<IQQ", 99, 255, 1))
    r = subprocess.run([BINARY, "serve", "--listen", "127.0.0.1:%d" % free_port(), "--data-dir", str(node.data)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "newer modelwatch" in r.stderr and "format 99" in r.stderr, r.stderr


def test_full_disk_answers_503_keeps_reads_and_resumes(node_factory):
    # Every file the daemon writes is capped at 64 KiB: the log's segment fills up.
    node = node_factory("fsync: always\n", fsize=64 * 1024).start()
    accepted = 0
    refused = None
    for k in range(2000):
        status, body = post_predictions(node, [prediction(k)])
        if status == 202:
            accepted += 1
            continue
        refused = (status, json.loads(body))
        break
    assert refused is not None, "the file size limit was never reached"
    status, error = refused
    assert status == 503 and error["error"]["code"] == "storage_unavailable", error
    assert "File too large" in error["error"]["message"] or "No space" in error["error"]["message"]
    # While the log cannot be written: writes refused before touching the state, reads and /metrics work.
    status, body = post_predictions(node, [prediction(5000)])
    assert status == 503 and json.loads(body)["error"]["code"] == "storage_unavailable"
    assert node.call("GET", "/v1/models/fraud")[0] == 200
    assert node.value("modelwatch_log_writable") == 0
    assert node.value("modelwatch_log_write_errors_total") >= 1
    in_memory = node.value('modelwatch_predictions_total{model="fraud",version="v1"}')
    # Room again: writes resume by themselves.
    subprocess.run(["prlimit", "--pid", str(node.proc.pid), "--fsize=unlimited"], check=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        status, _ = post_predictions(node, [prediction(6000)])
        if status == 202:
            break
        time.sleep(0.2)
    assert status == 202
    assert node.value("modelwatch_log_writable") == 1
    before = node.state_metrics()
    node.kill()
    node.start()
    # What was applied (the request refused mid-write was retried into the log) is all there.
    assert node.state_metrics() == before
    assert node.value('modelwatch_predictions_total{model="fraud",version="v1"}') == in_memory + 1
    assert "event log write failed" in node.log(0) and "event log writes resumed" in node.log(0)


def write_segment(path, records):
    """A log segment in the documented format (docs/persistence.md)."""
    out = bytearray(b"MWLG" + struct.pack("<IQQ", 1, 1, 1))
    for sequence, (kind, when, model, ndjson, body) in enumerate(records, start=1):
        m = model.encode()
        payload = struct.pack("<BBHdQ", kind, 1 if ndjson else 0, len(m), when, sequence) + m + body
        out += struct.pack("<II", len(payload), zlib.crc32(payload)) + payload
    path.write_bytes(bytes(out))


def test_readyz_and_writes_wait_for_the_restore(node_factory):
    node = node_factory()
    node.data.mkdir()
    now = time.time()
    records = [(1, now - 60 + k * 1e-4, "fraud", False, json.dumps(prediction(k)).encode()) for k in range(150_000)]
    write_segment(node.data / "log-0000000000000001.mwlog", records)
    node.start(wait=False)
    saw_not_ready = False
    refused_writes = accepted_writes = 0
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % node.port, timeout=1) as r:
                assert r.status == 200
        except OSError:
            time.sleep(0.01)
            continue
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % node.port, timeout=1):
                break
        except urllib.error.HTTPError as e:
            assert e.code == 503
            saw_not_ready = True
            status, body = post_predictions(node, [prediction(999_999 - refused_writes)])
            if status == 503:
                assert json.loads(body)["error"]["code"] == "not_ready"
                refused_writes += 1
            else:  # the restore finished in between
                assert status == 202
                accepted_writes += 1
    assert saw_not_ready and refused_writes > 0, "the restore finished before /readyz was asked"
    node.wait_ready()
    # The hand-written records are the daemon's records: all 150,000 replayed (and nothing refused applied).
    assert node.value('modelwatch_predictions_total{model="fraud",version="v1"}') == 150_000 + accepted_writes


def files(node, suffix):
    return sorted(p for p in os.listdir(node.data) if p.endswith(suffix))


def mixed_traffic(node, start, count, model="fraud"):
    """Predictions in NDJSON batches of 50 with labels for every other one, and early labels."""
    for base in range(start, start + count, 50):
        events = [prediction(i) for i in range(base, min(base + 50, start + count))]
        assert node.call("POST", "/v1/models/%s/predictions" % model, "\n".join(json.dumps(e) for e in events), ndjson=True)[0] == 202
        labels = [{"id": "p-%d" % e, "label": (e // 3) % 2} for e in range(base, base + 50, 2)]
        labels.append({"id": "early-%d" % base, "label": 1})  # no prediction yet: held for it
        body = "\n".join(json.dumps(label) for label in labels)
        assert node.call("POST", "/v1/models/%s/labels" % model, body, ndjson=True)[0] == 202


def wait_for_snapshots(node, written, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if node.value('modelwatch_snapshots_total{result="written"}') >= written:
            return
        time.sleep(0.1)
    raise AssertionError("no snapshot: " + node.log())


def test_snapshots_restore_exactly_and_bound_the_data_dir(node_factory):
    config = "fsync: always\nsnapshot_interval: 1s\nmodels:\n  fraud: {task: binary}\n"
    node = node_factory(config).start()
    assert node.call("PUT", "/v1/models/fraud/reference", reference_rows(), ndjson=True)[0] == 200
    assert node.call("PUT", "/v1/models/churn", json.dumps({"task": "multiclass", "label_ttl": "1h"}))[0] == 201
    mixed_traffic(node, 0, 400)
    mixed_traffic(node, 10_000, 200, model="churn-gone")
    assert node.call("DELETE", "/v1/models/churn-gone")[0] == 200
    wait_for_snapshots(node, 1)
    # Restarts make new segments; snapshots after them make the old ones unnecessary.
    for round in range(3):
        node.stop()  # SIGTERM: a final snapshot
        node.start()
        mixed_traffic(node, 1000 * (round + 1), 200)
        wait_for_snapshots(node, 1)
    mixed_traffic(node, 9000, 100)  # after the last snapshot: only in the log
    assert len(files(node, ".mwsnap")) <= 2
    # Segments older than the fallback snapshot are gone: at most the last few restarts' remain.
    assert len(files(node, ".mwlog")) <= 3, files(node, ".mwlog")
    before = node.state_metrics()
    node.kill()
    node.start()
    after = node.state_metrics()
    changed = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert not changed, changed
    log = node.log()
    assert "snapshot=" in log and ".mwsnap" in log
    # Still joining: a label for a prediction pending since before the restarts.
    status, body = post_labels(node, [(1, 1)])
    assert status == 202 and json.loads(body)["accepted"] == 1
    assert 'modelwatch_predictions_total{model="churn-gone"' not in node.metrics()


def test_an_unreadable_snapshot_falls_back_to_the_previous_one(node_factory):
    node = node_factory("fsync: always\nsnapshot_interval: 1s\n").start()
    mixed_traffic(node, 0, 200)
    wait_for_snapshots(node, 1)
    mixed_traffic(node, 1000, 200)
    wait_for_snapshots(node, 2)
    mixed_traffic(node, 2000, 100)
    before = node.state_metrics()
    node.kill()
    snapshots = files(node, ".mwsnap")
    assert len(snapshots) == 2
    newest = node.data / snapshots[-1]
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.write_bytes(bytes(data))
    # And a snapshot that a crash left half-written.
    (node.data / (snapshots[-1] + ".tmp")).write_bytes(bytes(data[: len(data) // 3]))
    node.start()
    assert node.state_metrics() == before
    log = node.log()
    assert "snapshot unreadable; falling back" in log and snapshots[-1] in log and "fails its checksum" in log
    assert "removing a snapshot that was not finished" in log
    assert not files(node, ".tmp")


def test_kill_9_while_snapshots_are_written(node_factory):
    """Crashes at arbitrary moments of a snapshot cycle (snapshots every second of a state
    with 30,000 pending predictions, a few hundred milliseconds each in the debug build):
    every restart has every acknowledged event."""
    node = node_factory("fsync: always\nsnapshot_interval: 1s\n").start()
    acked = 0
    for base in range(0, 30_000, 1000):
        events = [prediction(i) for i in range(base, base + 1000)]
        assert post_predictions(node, events)[0] == 202
        acked += 1000
    import random
    rng = random.Random(7)
    for round in range(4):
        wait_for_snapshots(node, 1)
        time.sleep(rng.uniform(0, 1.2))
        events = [prediction(i) for i in range(100_000 + round * 10, 100_000 + round * 10 + 10)]
        assert post_predictions(node, events)[0] == 202
        acked += 10
        node.kill()
        node.start()
        assert node.value('modelwatch_predictions_total{model="fraud",version="v1"}') == acked
        assert node.value('modelwatch_pending_labels{model="fraud",version="v1"}') == acked


def test_a_layout_1_snapshot_is_read_and_its_pending_predictions_still_join(node_factory):
    """Tests/Fixtures/layout1/ was written by the release build of 7098656 (before the label-lag
    state): a binary model `fraud` (label_ttl 3650d, so that its predictions are still pending
    whenever this runs) with a 300-row reference, 200 predictions p-0…p-199 and the labels of
    p-0…p-99. The current binary reads it with the new parts empty."""
    node = node_factory()
    node.data.mkdir()
    fixture = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "layout1")
    for name in os.listdir(fixture):
        with open(os.path.join(fixture, name), "rb") as src, open(node.data / name, "wb") as dst:
            dst.write(src.read())
    node.start()
    assert node.value('modelwatch_predictions_total{model="fraud",version="default"}') == 200
    assert node.value('modelwatch_labels_total{model="fraud",result="matched",version="default"}') == 100
    assert node.value('modelwatch_pending_labels{model="fraud",version="default"}') == 100
    assert node.value('modelwatch_reference_rows{model="fraud"}') == 300
    status, _ = post_labels(node, [(i, (i // 2) % 2) for i in range(100, 200)])
    assert status == 202
    assert node.value('modelwatch_labels_total{model="fraud",result="matched",version="default"}') == 200
    # Written again in the current layout, and read back.
    node.stop()
    node.start()
    assert node.value('modelwatch_labels_total{model="fraud",result="matched",version="default"}') == 200
    assert node.value('modelwatch_cohort_predictions{cohort="0-1d",model="fraud",version="default"}') >= 0
