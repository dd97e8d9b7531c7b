# SPDX-License-Identifier: Apache-2.0
"""Canaries over real HTTP: GET /v1/models/{model}/compare with its tests and the drift of the
canary's inputs against the baseline's, the modelwatch_version_* gauges, promtool, and the
errors for bad parameters."""
import json
import random
import subprocess

from api_client import ndjson, sample
from test_persistence import node_factory  # noqa: F401 (the fixture)




def test_a_worse_canary_with_shifted_inputs_is_flagged(node_factory):  # noqa: F811
    rng = random.Random(4)
    node = node_factory("windows: [5m, 1h]\nmodels:\n  fraud: {task: binary, baseline: v1}\n").start()
    reference = [{"features": {"amount": rng.gauss(50, 10), "country": rng.choice("ABC")}, "prediction": 1, "score": 0.5}
                 for _ in range(1000)]
    assert node.call("PUT", "/v1/models/fraud/reference", ndjson(reference), ndjson=True)[0] == 200
    predictions, labels = [], []
    for i in range(6000):
        canary = i % 4 == 0
        y = rng.random() < 0.5
        correct = rng.random() < (0.80 if canary else 0.90)
        amount = rng.gauss(65 if canary else 50, 10)  # the canary's traffic is another population
        predictions.append({"id": "e-%d" % i, "version": "v2" if canary else "v1", "prediction": int(y if correct else not y),
                            "score": 0.6 if (y if correct else not y) else 0.4, "features": {"amount": amount, "country": rng.choice("ABC")}})
        labels.append({"id": "e-%d" % i, "label": int(y)})
    assert node.call("POST", "/v1/models/fraud/predictions", ndjson(predictions), ndjson=True)[0] == 202
    assert node.call("POST", "/v1/models/fraud/labels", ndjson(labels), ndjson=True)[0] == 202

    status, body = node.call("GET", "/v1/models/fraud/compare?candidate=v2&window=1h")
    assert status == 200, body
    c = json.loads(body)
    assert c["baseline"]["version"] == "v1" and c["candidate"]["outcomes"] == 1500 and c["baseline"]["outcomes"] == 4500
    assert abs(c["candidate"]["traffic_share"] - 0.25) < 1e-9
    a = c["accuracy"]
    assert a["significant"] and a["p_value"] < 1e-6 and a["confidence_interval"][1] < 0 and abs(a["difference"] + 0.1) < 0.03
    drift = {f["feature"]: f["psi"] for f in c["drift_against_baseline"]["features"]}
    assert drift["amount"] > 0.5 and drift["country"] < 0.05, drift
    # defaults: the baseline setting, the only other version, the shortest window
    status, body = node.call("GET", "/v1/models/fraud/compare")
    assert status == 200 and json.loads(body)["window"] == "5m"

    text = node.metrics()
    labels_ = dict(model="fraud", version="v2", baseline="v1", window="1h")
    assert abs(sample(text, "modelwatch_version_accuracy_difference", **labels_) - a["difference"]) < 1e-12
    assert sample(text, "modelwatch_version_accuracy_p_value", **labels_) < 1e-6
    assert sample(text, "modelwatch_version_accuracy_difference_bound", bound="high", **labels_) < 0
    assert sample(text, "modelwatch_version_feature_psi", feature="amount", **labels_) > 0.5
    assert sample(text, "modelwatch_version_traffic_share", model="fraud", version="v1", window="1h") == 0.75
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr


def test_compare_refuses_what_it_cannot_compare(node_factory):  # noqa: F811
    node = node_factory("models:\n  m: {task: binary}\n").start()
    node.call("POST", "/v1/models/m/predictions", ndjson({"id": "p%d" % i, "version": v, "prediction": 1} for i, v in
                                                         enumerate(["a", "b", "c"])), ndjson=True)
    def get(query):
        status, body = node.call("GET", "/v1/models/m/compare" + query)
        return status, json.loads(body)["error"] if status != 200 else json.loads(body)
    assert get("")[0] == 400 and get("")[1]["details"] == ["baseline"]
    assert get("?baseline=a")[0] == 400 and "b, c" in get("?baseline=a")[1]["message"]
    assert get("?baseline=a&candidate=zz")[0] == 404 and get("?baseline=a&candidate=zz")[1]["code"] == "unknown_version"
    assert get("?baseline=a&candidate=b&window=3h")[1]["code"] == "unknown_window"
    assert get("?baseline=a&candidate=a")[1]["code"] == "same_version"
    assert node.call("GET", "/v1/models/nope/compare?baseline=a")[0] == 404
    status, body = get("?baseline=a&candidate=b")
    assert status == 200 and "accuracy" not in body  # one outcome-less prediction each: no test
