# SPDX-License-Identifier: Apache-2.0
"""The hand-rolled alternative modelwatch is compared with: Flask + prometheus_client.

For comparison only (Benchmarks/ingest_bench.py runs it). It does a fair subset of the job:
validates events, counts predictions, joins labels by id, keeps a per-model accuracy over
all outcomes, and serves /metrics. No windows, no drift, no limits. Under gunicorn each worker
has its own counters, so /metrics is wrong without prometheus_client's multiprocess mode.
"""

import math
import threading

from flask import Flask, Response, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

app = Flask(__name__)
PREDICTIONS = Counter("flask_predictions_total", "Predictions.", ["model", "version"])
LABELS = Counter("flask_labels_total", "Labels.", ["model", "result"])
LATENCY = Histogram("flask_prediction_latency_seconds", "Model latency.", ["model"])
ACCURACY = Gauge("flask_accuracy", "Accuracy over all outcomes.", ["model"])
lock = threading.Lock()
pending = {}
outcomes = {}


def events():
    body = request.get_json(force=True, silent=True)
    if body is None:
        return None
    return body if isinstance(body, list) else [body]


@app.post("/v1/models/<model>/predictions")
def predictions(model):
    batch = events()
    if batch is None:
        return jsonify(error="invalid json"), 400
    accepted, errors = 0, []
    for i, ev in enumerate(batch):
        score = ev.get("score")
        if "prediction" not in ev or (score is not None and not (0 <= score <= 1)) or \
                any(isinstance(v, float) and not math.isfinite(v) for v in ev.get("features", {}).values()):
            errors.append({"index": i, "message": "invalid event"})
            continue
        PREDICTIONS.labels(model, ev.get("version", "default")).inc()
        if "latency_ms" in ev:
            LATENCY.labels(model).observe(ev["latency_ms"] / 1000)
        with lock:
            pending[(model, ev.get("id"))] = ev["prediction"]
        accepted += 1
    return jsonify(accepted=accepted, duplicates=0, rejected=len(errors), errors=errors), 422 if errors else 202


@app.post("/v1/models/<model>/labels")
def labels(model):
    batch = events()
    if batch is None:
        return jsonify(error="invalid json"), 400
    for ev in batch:
        with lock:
            predicted = pending.pop((model, ev.get("id")), None)
            if predicted is None:
                LABELS.labels(model, "unmatched").inc()
                continue
            right, total = outcomes.get(model, (0, 0))
            outcomes[model] = (right + (predicted == ev.get("label")), total + 1)
            ACCURACY.labels(model).set(outcomes[model][0] / outcomes[model][1])
        LABELS.labels(model, "matched").inc()
    return jsonify(accepted=len(batch)), 202


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


if __name__ == "__main__":
    import sys
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
