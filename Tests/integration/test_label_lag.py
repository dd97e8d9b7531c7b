# SPDX-License-Identifier: Apache-2.0
"""Label lag over real HTTP: performance estimated before the labels arrive (CBPE), cohorts
by prediction time, maturity and the label-delay profile; their families in a live scrape,
promtool clean, and their survival across a restart."""
import json
import math
import random
import signal
import subprocess

from test_persistence import Node, node_factory  # noqa: F401 (the fixture)


def overconfident(rng, n, shift=0.0):
    """Rows whose true positive probability is p but whose score is sqrt(p): scores that
    overstate the positive class, so estimates from the raw scores would be off."""
    rows = []
    for _ in range(n):
        x = rng.gauss(shift, 1.0)
        p = 1 / (1 + math.exp(-1.5 * x))
        y = 1 if rng.random() < p else 0
        score = round(math.sqrt(p), 6)
        rows.append((score, 1 if score >= 0.5 else 0, y))
    return rows


def ndjson(items):
    return "\n".join(json.dumps(i) for i in items)


def series(text, name, **labels):
    for line in text.splitlines():
        if line.startswith(name + "{") and all('%s="%s"' % kv in line for kv in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_estimated_performance_before_labels_matches_the_truth_and_survives_restart(node_factory):  # noqa: F811
    rng = random.Random(5)
    node = node_factory("windows: [5m, 1h]\nmin_samples: 30\nmodels:\n  fraud: {task: binary}\n").start()
    reference = overconfident(rng, 4000)
    status, body = node.call("PUT", "/v1/models/fraud/reference",
                             ndjson({"features": {"x": s}, "prediction": p, "score": s, "label": y} for s, p, y in reference), ndjson=True)
    assert status == 200, body
    status, body = node.call("GET", "/v1/models/fraud")
    calibration = json.loads(body)["reference"]["calibration"]
    assert calibration == {"rows": 4000, "classes": {"1": "isotonic"}}, calibration

    # Predictions of a shifted population; their labels never arrive.
    analysis = overconfident(rng, 3000, shift=-0.8)
    status, body = post = node.call("POST", "/v1/models/fraud/predictions",
                                    ndjson({"id": "a-%d" % i, "features": {"x": s}, "prediction": p, "score": s}
                                           for i, (s, p, _) in enumerate(analysis)), ndjson=True)
    assert status == 202, body
    text = node.metrics()
    truth_accuracy = sum(1 for _, p, y in analysis if p == y) / len(analysis)
    flagged = [(s, y) for s, p, y in analysis if p == 1]
    truth_precision = sum(y for _, y in flagged) / len(flagged)
    raw_precision = sum(s for s, _ in flagged) / len(flagged)
    estimated = series(text, "modelwatch_estimated_accuracy", model="fraud", window="5m")
    assert estimated is not None, [l for l in text.splitlines() if "estimated" in l]
    precision = series(text, "modelwatch_estimated_precision", model="fraud", window="5m", **{"class": "1"})
    # The calibrated estimates land near the truth; the raw scores would not (the test can fail).
    assert abs(estimated - truth_accuracy) < 0.03, (estimated, truth_accuracy)
    assert abs(precision - truth_precision) < 0.04, (precision, truth_precision)
    assert abs(raw_precision - truth_precision) > 0.1, (raw_precision, truth_precision)
    assert series(text, "modelwatch_estimated_predictions", model="fraud", window="1h") == 3000
    for family in ["modelwatch_estimated_roc_auc", "modelwatch_estimated_precision_macro", "modelwatch_estimated_f1_macro"]:
        assert series(text, family, model="fraud", window="1h") is not None, family
    assert series(text, "modelwatch_estimated_precision", model="fraud", window="1h", **{"class": "1"}) is not None
    # No labels, so no realised accuracy: the estimate is all there is.
    assert series(text, "modelwatch_accuracy", model="fraud") is None
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr

    status, body = node.call("GET", "/v1/models/fraud")
    window = json.loads(body)["versions"][0]["windows"][0]
    assert window["estimated"]["predictions"] == 3000
    assert abs(window["estimated"]["accuracy"] - estimated) < 1e-9

    before = {k: v for k, v in node.state_metrics().items() if "estimated" in k}
    node.stop()
    node.start()
    after = {k: v for k, v in node.state_metrics().items() if "estimated" in k}
    assert before and before == after
    status, body = node.call("GET", "/v1/models/fraud")
    assert json.loads(body)["reference"]["calibration"] == calibration


def test_no_estimate_without_a_calibrated_reference_or_below_min_samples(node_factory):  # noqa: F811
    rng = random.Random(9)
    node = node_factory("min_samples: 50\nmodels:\n  fraud: {task: binary}\n").start()
    rows = overconfident(rng, 40)
    node.call("POST", "/v1/models/fraud/predictions",
              ndjson({"id": "b-%d" % i, "prediction": p, "score": s} for i, (s, p, _) in enumerate(rows)), ndjson=True)
    assert "modelwatch_estimated_accuracy{" not in node.metrics()  # no reference
    reference = overconfident(rng, 1000)
    status, _ = node.call("PUT", "/v1/models/fraud/reference",
                          ndjson({"features": {"x": s}, "score": s, "label": y} for s, _, y in reference), ndjson=True)
    assert status == 200
    node.call("POST", "/v1/models/fraud/predictions",
              ndjson({"id": "c-%d" % i, "prediction": p, "score": s} for i, (s, p, _) in enumerate(rows)), ndjson=True)
    assert "modelwatch_estimated_accuracy{" not in node.metrics()  # 40 estimated < min_samples 50
    node.call("POST", "/v1/models/fraud/predictions",
              ndjson({"id": "d-%d" % i, "prediction": p, "score": s} for i, (s, p, _) in enumerate(rows)), ndjson=True)
    assert series(node.metrics(), "modelwatch_estimated_predictions", model="fraud", window="5m") == 80
