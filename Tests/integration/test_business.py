# SPDX-License-Identifier: Apache-2.0
"""Business metrics over real HTTP: values carried by predictions and labels summed per window
and since start (exact against numpy on the same events), the cost of mistakes from the model's
cost matrix (realised and, with a calibrated reference, expected), per-event rejections of bad
values, the cap on names, promtool, and survival across a restart."""
import json
import random
import subprocess

import numpy as np

from api_client import ndjson, sample
from test_persistence import node_factory  # noqa: F401 (the fixture)




CONFIG = """min_samples: 10
models:
  shop: {task: binary, costs: {false_positive: 5, false_negative: 50}}
  demand: {task: regression, costs: {absolute_error: 0.8}}
"""


def test_business_values_and_costs_are_exact_and_survive_a_restart(node_factory):  # noqa: F811
    rng = random.Random(21)
    node = node_factory(CONFIG).start()
    revenue, refunds, predicted, actual = [], [], [], []
    predictions, labels = [], []
    for i in range(400):
        p = 1 if rng.random() < 0.4 else 0
        y = p if rng.random() < 0.8 else 1 - p
        r = round(rng.uniform(0, 200), 2)
        revenue.append(r)
        predictions.append({"id": "o-%d" % i, "prediction": p, "score": 0.7 if p else 0.3, "business": {"revenue": r, "margin": r * 0.1}})
        if i % 3 == 0:
            f = round(rng.uniform(0, 20), 2)
            refunds.append(f)
            labels.append({"id": "o-%d" % i, "label": y, "business": {"refund": f}})
        else:
            labels.append({"id": "o-%d" % i, "label": y})
        predicted.append(p)
        actual.append(y)
    assert node.call("POST", "/v1/models/shop/predictions", ndjson(predictions), ndjson=True)[0] == 202
    assert node.call("POST", "/v1/models/shop/labels", ndjson(labels), ndjson=True)[0] == 202
    predicted, actual = np.array(predicted), np.array(actual)
    fp = int(((predicted == 1) & (actual == 0)).sum())
    fn = int(((predicted == 0) & (actual == 1)).sum())

    regression = []
    for i in range(100):
        y = rng.uniform(0, 100)
        yhat = y + rng.gauss(0, 5)
        regression.append((y, yhat))
    node.call("POST", "/v1/models/demand/predictions", ndjson({"id": "d-%d" % i, "prediction": yhat} for i, (y, yhat) in enumerate(regression)), ndjson=True)
    node.call("POST", "/v1/models/demand/labels", ndjson({"id": "d-%d" % i, "label": y} for i, (y, yhat) in enumerate(regression)), ndjson=True)
    mae_sum = float(np.abs(np.array([y for y, _ in regression]) - np.array([h for _, h in regression])).sum())

    text = node.metrics()
    shop = dict(model="shop", version="default")
    assert abs(sample(text, "modelwatch_business_value_total", name="revenue", **shop) - float(np.sum(revenue))) < 1e-9 * np.sum(revenue)
    assert abs(sample(text, "modelwatch_business_value_total", name="refund", **shop) - float(np.sum(refunds))) < 1e-9 * np.sum(refunds)
    assert abs(sample(text, "modelwatch_window_business_value", name="revenue", window="5m", **shop) - float(np.sum(revenue))) < 1e-6
    assert sample(text, "modelwatch_cost_total", **shop) == 5 * fp + 50 * fn and fp > 0 and fn > 0
    assert sample(text, "modelwatch_window_cost", window="1h", **shop) == 5 * fp + 50 * fn
    assert abs(sample(text, "modelwatch_cost_total", model="demand", version="default") - 0.8 * mae_sum) < 1e-6
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr

    status, body = node.call("GET", "/v1/models/shop")
    version = json.loads(body)["versions"][0]
    assert version["cost_total"] == 5 * fp + 50 * fn
    assert abs(version["windows"][0]["business"]["revenue"] - float(np.sum(revenue))) < 1e-6

    before = {k: v for k, v in node.state_metrics().items() if "business" in k or "cost" in k}
    node.stop()
    node.start()
    assert {k: v for k, v in node.state_metrics().items() if "business" in k or "cost" in k} == before


def test_bad_business_values_are_rejected_per_event_and_names_are_capped(node_factory):  # noqa: F811
    node = node_factory(CONFIG).start()
    events = [
        {"id": "ok-1", "prediction": 1, "business": {"revenue": 10}},
        {"id": "bad-1", "prediction": 1, "business": {"revenue": "ten"}},
        {"id": "bad-2", "prediction": 1, "business": {"9revenue": 1}},
        {"id": "bad-3", "prediction": 1, "business": {"revenue": 1e999}},
        {"id": "bad-4", "prediction": 1, "business": {("v%d" % k): 1 for k in range(17)}},
        {"id": "bad-5", "prediction": 1, "business": [1, 2]},
        {"id": "ok-2", "prediction": 0, "business": {"revenue": 2.5}},
    ]
    status, body = node.call("POST", "/v1/models/shop/predictions", ndjson(events), ndjson=True)
    body = json.loads(body)
    assert status == 422 and body["accepted"] == 2
    assert [(e["index"], e["field"], e["reason"]) for e in body["errors"]] == [
        (1, "business.revenue", "invalid_type"), (2, "business.9revenue", "invalid_name"),
        (3, "business.revenue", "not_finite"), (4, "business", "too_many_business_values"), (5, "business", "invalid_type")]
    assert all(e["message"] for e in body["errors"])
    assert sample(node.metrics(), "modelwatch_business_value_total", model="shop", name="revenue") == 12.5
    # 32 names per model: the 33rd is refused, the event with it too, the others stay.
    many = [{"id": "n-%d" % k, "prediction": 1, "business": {("value_%d" % k): 1}} for k in range(40)]
    status, body = node.call("POST", "/v1/models/shop/predictions", ndjson(many), ndjson=True)
    body = json.loads(body)
    assert body["accepted"] == 31 and {e["reason"] for e in body["errors"]} == {"too_many_business_values"}
    text = node.metrics()
    assert sum(1 for line in text.splitlines() if line.startswith("modelwatch_business_value_total{")) == 32
    # a label's business values are checked the same way
    status, body = node.call("POST", "/v1/models/shop/labels", ndjson([{"id": "ok-1", "label": 1, "business": {"refund": "x"}}]), ndjson=True)
    assert status == 422 and json.loads(body)["errors"][0]["field"] == "business.refund"


def test_segments_over_http_worst_first_capped_and_kept_across_a_restart(node_factory):  # noqa: F811
    rng = random.Random(8)
    node = node_factory("min_samples: 20\nmodels:\n  shop: {task: binary, segments: [country, device], segment_values: 3}\n").start()
    skill = {"ES": 0.9, "FR": 0.85, "DE": 0.8, "IT": 0.75, "PT": 0.3}
    predictions, labels, rows = [], [], []
    for i in range(2000):
        country = rng.choice(list(skill))
        y = rng.random() < 0.5
        p = y if rng.random() < skill[country] else not y
        predictions.append({"id": "s-%d" % i, "prediction": int(p), "features": {"country": country, "device": rng.choice(["ios", "web"])}})
        labels.append({"id": "s-%d" % i, "label": int(y)})
        rows.append((country, p == y))
    assert node.call("POST", "/v1/models/shop/predictions", ndjson(predictions), ndjson=True)[0] == 202
    assert node.call("POST", "/v1/models/shop/labels", ndjson(labels), ndjson=True)[0] == 202
    counts = {c: sum(1 for r in rows if r[0] == c) for c in skill}
    top = sorted(counts, key=lambda c: -counts[c])[:3]
    text = node.metrics()
    exported = {line.split('value="')[1].split('"')[0] for line in text.splitlines()
                if line.startswith("modelwatch_segment_predictions{") and 'segment="country"' in line and 'window="5m"' in line}
    assert exported == set(top) | {"__other__"}, exported
    for c in top:
        accuracy = sum(1 for r in rows if r[0] == c and r[1]) / counts[c]
        assert abs(sample(text, "modelwatch_segment_accuracy", model="shop", segment="country", value=c, window="5m") - accuracy) < 1e-12
    other = sum(counts[c] for c in skill if c not in top)
    assert sample(text, "modelwatch_segment_predictions", model="shop", segment="country", value="__other__", window="5m") == other
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    status, body = node.call("GET", "/v1/models/shop")
    listed = json.loads(body)["versions"][0]["segments"]["5m"]["country"]
    accuracies = [e["metrics"]["accuracy"] for e in listed if e["value"] != "__other__"]
    assert accuracies == sorted(accuracies) and listed[-1]["value"] == "__other__"  # worst first
    before = {k: v for k, v in node.state_metrics().items() if "segment" in k}
    node.stop()
    node.start()
    assert {k: v for k, v in node.state_metrics().items() if "segment" in k} == before


def test_segment_drift_over_http_against_numpy_and_across_a_restart(node_factory):  # noqa: F811
    """The segment_drift fixture (make_segment_drift_fixtures.py) through the API: its reference
    uploaded, its live rows posted; each country's PSI of the score, amount and channel equals
    numpy's on the rows of that country."""
    import os
    with open(os.path.join(os.path.dirname(__file__), "..", "Fixtures", "segment_drift.json")) as f:
        fixture = json.load(f)
    node = node_factory("models:\n  pay: {task: binary, positive_class: '1', segments: [country], segment_drift: [amount, channel]}\n").start()
    assert node.call("PUT", "/v1/models/pay/reference", ndjson(fixture["reference"]), ndjson=True)[0] == 200
    live = [dict(row, id="p-%d" % i) for i, row in enumerate(fixture["live"])]
    assert node.call("POST", "/v1/models/pay/predictions", ndjson(live), ndjson=True)[0] == 202
    text = node.metrics()
    for country, columns in fixture["expected"].items():
        for column, want in columns.items():
            if column == "prediction":
                got = sample(text, "modelwatch_segment_prediction_drift_score", model="pay", segment="country", value=country,
                             window="5m", method="psi")
            else:
                got = sample(text, "modelwatch_segment_drift_score", model="pay", segment="country", value=country,
                             window="5m", feature=column, method="psi")
            assert got is not None and abs(got - want["psi"]) < 1e-9, (country, column, got, want)
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    status, body = node.call("GET", "/v1/models/pay")
    fr = next(e for e in json.loads(body)["versions"][0]["segments"]["5m"]["country"] if e["value"] == "FR")
    assert abs(fr["drift"]["amount"]["psi"] - fixture["expected"]["FR"]["amount"]["psi"]) < 1e-9
    assert fr["drift"]["amount"]["reference_count"] == fixture["expected"]["FR"]["amount"]["reference_count"]
    before = {k: v for k, v in node.state_metrics().items() if "segment" in k}
    node.stop()
    node.start()
    assert {k: v for k, v in node.state_metrics().items() if "segment" in k} == before
    # too many features: refused, naming the setting
    status, body = node.call("PUT", "/v1/models/pay", json.dumps({"task": "binary", "positive_class": "1", "segments": ["country"],
                                                                  "segment_drift": ["f%d" % k for k in range(9)]}))
    assert status == 400 and json.loads(body)["error"]["details"] == ["segment_drift"], body


def test_a_tag_splits_performance_and_bad_tags_are_refused_per_event(node_factory):  # noqa: F811
    rng = random.Random(11)
    node = node_factory("min_samples: 20\nmodels:\n  ads: {task: binary, segments: ['tag:region']}\n").start()
    skill = {"eu": 0.9, "us": 0.8, "apac": 0.4}
    predictions, labels, rows = [], [], []
    for i in range(900):
        region = rng.choice(list(skill))
        y = rng.random() < 0.5
        p = y if rng.random() < skill[region] else not y
        predictions.append({"id": "t-%d" % i, "prediction": int(p), "tags": {"region": region}, "features": {"x": rng.random()}})
        labels.append({"id": "t-%d" % i, "label": int(y)})
        rows.append((region, p == y))
    # two bad events among them: refused with the tag named, the others kept
    predictions.insert(5, {"id": "bad-1", "prediction": 1, "tags": {"region": {"nested": 1}}})
    predictions.insert(9, {"id": "bad-2", "prediction": 1, "tags": "eu"})
    status, body = node.call("POST", "/v1/models/ads/predictions", ndjson(predictions), ndjson=True)
    body = json.loads(body)
    assert status == 422 and body["accepted"] == 900 and body["rejected"] == 2, body  # partly accepted: 422 with the count
    assert [(e["index"], e["field"], e["reason"]) for e in body["errors"]] == [(5, "tags.region", "invalid_type"), (9, "tags", "invalid_type")]
    assert node.call("POST", "/v1/models/ads/labels", ndjson(labels), ndjson=True)[0] == 202
    text = node.metrics()
    for region in skill:
        n = sum(1 for r in rows if r[0] == region)
        accuracy = sum(1 for r in rows if r[0] == region and r[1]) / n
        assert sample(text, "modelwatch_segment_predictions", model="ads", segment="tag:region", value=region, window="5m") == n
        assert abs(sample(text, "modelwatch_segment_accuracy", model="ads", segment="tag:region", value=region, window="5m") - accuracy) < 1e-12
    # a tag is not a feature: no drift or data-quality series of its own
    assert 'feature="region"' not in text
    status, body = node.call("PUT", "/v1/models/ads", json.dumps({"task": "binary", "segments": ["tag:9x"]}))
    assert status == 400 and json.loads(body)["error"]["details"] == ["segments"], body
