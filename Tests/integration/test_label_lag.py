# SPDX-License-Identifier: Apache-2.0
"""Label lag over real HTTP: performance estimated before the labels arrive (CBPE), cohorts
by prediction time, maturity and the label-delay profile; their families in a live scrape,
promtool clean, and their survival across a restart."""
import json
import math
import random
import signal
import subprocess

from api_client import ndjson, sample
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
    estimated = sample(text, "modelwatch_estimated_accuracy", model="fraud", window="5m")
    assert estimated is not None, [l for l in text.splitlines() if "estimated" in l]
    precision = sample(text, "modelwatch_estimated_precision", model="fraud", window="5m", **{"class": "1"})
    # The calibrated estimates land near the truth; the raw scores would not (the test can fail).
    assert abs(estimated - truth_accuracy) < 0.03, (estimated, truth_accuracy)
    assert abs(precision - truth_precision) < 0.04, (precision, truth_precision)
    assert abs(raw_precision - truth_precision) > 0.1, (raw_precision, truth_precision)
    assert sample(text, "modelwatch_estimated_predictions", model="fraud", window="1h") == 3000
    for family in ["modelwatch_estimated_roc_auc", "modelwatch_estimated_precision_macro", "modelwatch_estimated_f1_macro"]:
        assert sample(text, family, model="fraud", window="1h") is not None, family
    assert sample(text, "modelwatch_estimated_precision", model="fraud", window="1h", **{"class": "1"}) is not None
    # No labels, so no realised accuracy: the estimate is all there is.
    assert sample(text, "modelwatch_accuracy", model="fraud") is None
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
    assert sample(node.metrics(), "modelwatch_estimated_predictions", model="fraud", window="5m") == 80


SEED_CONFIG = """min_samples: 10
models:
  recs: {task: binary, label_ttl: 3s, label_grace: 1s, cohorts: [1h, 1d, 7d, 8d]}
  recs_implicit: {task: binary, label_ttl: 3s, label_grace: 1s, cohorts: [1h, 1d, 7d, 8d], label_on_expiry: 0}
"""


def post_seed_example(node, model, t0):
    """The seed's 50 movie recommendations, made at t0: 10 users watch at once, 15 the next
    day, 5 a week later, 10 watch without being signed in (their labels carry no id we know),
    10 never watch."""
    predictions = [{"id": "rec-%d" % i, "timestamp": t0, "prediction": 1, "features": {"genre": "drama"}} for i in range(50)]
    status, body = node.call("POST", "/v1/models/%s/predictions" % model, ndjson(predictions), ndjson=True)
    assert status == 202, body
    delays = [0] * 10 + [20 * 3600] * 15 + [6 * 86400] * 5
    labels = [{"id": "rec-%d" % i, "label": 1, "timestamp": t0 + d} for i, d in enumerate(delays)]
    labels += [{"id": "anonymous-%d" % k, "label": 1, "timestamp": t0 + 3600} for k in range(10)]
    status, body = node.call("POST", "/v1/models/%s/labels" % model, ndjson(labels), ndjson=True)
    assert status == 202, body


def test_the_seed_example_coverage_and_precision_by_rule(node_factory):  # noqa: F811
    import time
    node = node_factory(SEED_CONFIG).start()
    t0 = time.time() - 7.5 * 86400
    for model in ["recs", "recs_implicit"]:
        post_seed_example(node, model, t0)
    time.sleep(3.5)  # past the TTL (3 s): the 20 unlabelled predictions expire; past the grace: 10 labels unmatched

    def status(model):
        code, body = node.call("GET", "/v1/models/" + model)
        assert code == 200
        return json.loads(body)["versions"][0]

    counted_when_labelled = status("recs")
    profile = counted_when_labelled["label_profile"]
    assert profile["labelled_within"] == {"1h": 0.2, "1d": 0.5, "7d": 0.6}, profile
    assert profile["expected_final_coverage"] == 0.6
    assert profile["unmatched_share"] == 0.25  # 10 of 40 labels met no prediction
    cohort = {c["cohort"]: c for c in counted_when_labelled["cohorts"]}["7d-8d"]
    assert (cohort["predictions"], cohort["labelled_predictions"], cohort["outcomes"]) == (50, 30, 30)
    assert cohort["label_coverage"] == 0.6
    # Rule 1, count the users whose label arrived: every one of them watched.
    assert cohort["metrics"]["classes"]["1"]["precision"] == 1.0
    assert counted_when_labelled["windows"][0]["metrics"]["classes"]["1"]["precision"] == 1.0

    # Rule 2, a prediction unlabelled at its TTL is a "did not watch" (label_on_expiry: 0):
    # 30 of 50. (The truth, 40 of 50, counts the 10 who watched signed out: no rule sees it.)
    expired_as_negative = status("recs_implicit")
    cohort = {c["cohort"]: c for c in expired_as_negative["cohorts"]}["7d-8d"]
    assert (cohort["predictions"], cohort["labelled_predictions"], cohort["outcomes"]) == (50, 30, 50)
    assert cohort["metrics"]["classes"]["1"]["precision"] == 0.6
    assert expired_as_negative["windows"][0]["metrics"]["classes"]["1"]["precision"] == 0.6
    assert expired_as_negative["labels_total"]["expired"] == 20

    text = node.metrics()
    assert sample(text, "modelwatch_cohort_label_coverage", model="recs", cohort="7d-8d") == 0.6
    assert sample(text, "modelwatch_cohort_predictions", model="recs", cohort="0-1h") == 0
    assert sample(text, "modelwatch_labelled_within_ratio", model="recs", delay="1d") == 0.5
    assert sample(text, "modelwatch_expected_label_coverage", model="recs") == 0.6
    assert sample(text, "modelwatch_unmatched_label_ratio", model="recs") == 0.25
    assert sample(text, "modelwatch_cohort_precision", model="recs_implicit", cohort="7d-8d", **{"class": "1"}) == 0.6
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr

    # All of it survives a restart.
    before = {k: v for k, v in node.state_metrics().items() if "cohort" in k or "label" in k}
    node.stop()
    node.start()
    after = {k: v for k, v in node.state_metrics().items() if "cohort" in k or "label" in k}
    assert before == after
    assert status("recs")["label_profile"] == profile


MATURITY_CONFIG = """windows: [5m, 1h]
min_samples: 10
models:
  recs: {task: binary, label_ttl: 7d, cohort_slice: 1h, maturity: 1d}
  recs_auto: {task: binary, label_ttl: 7d, cohort_slice: 1h, maturity: auto}
"""


def test_matured_windows_count_only_predictions_older_than_the_maturity(node_factory):  # noqa: F811
    import time
    if time.time() % 3600 > 3540:  # the slices must not move between the posts and the scrape
        time.sleep(3600 - time.time() % 3600 + 1)
    node = node_factory(MATURITY_CONFIG).start()
    hour = int(time.time() // 3600)
    # Three groups of 40 predictions, each in one hour slice, right 3/4, 1/4 and 1/2 of the
    # time; every label 5 h after its prediction (so the observed p90 delay is in the 6 h
    # bucket), and 10 more predictions in the day-old slice that are never labelled.
    groups = {24: 30, 6: 10, 30: 20}  # slices back: correct of 40
    predictions, labels = [], []
    for back, correct in groups.items():
        for i in range(40):
            t = (hour - back) * 3600 + 60 + i * 60
            pid = "p-%d-%d" % (back, i)
            predictions.append({"id": pid, "timestamp": t, "prediction": 1, "score": 0.8})
            labels.append({"id": pid, "label": 1 if i < correct else 0, "timestamp": t + 5 * 3600})
    predictions += [{"id": "u-%d" % i, "timestamp": (hour - 24) * 3600 + 120 + i, "prediction": 1} for i in range(10)]
    for model in ["recs", "recs_auto"]:
        assert node.call("POST", "/v1/models/%s/predictions" % model, ndjson(predictions), ndjson=True)[0] == 202
        assert node.call("POST", "/v1/models/%s/labels" % model, ndjson(labels), ndjson=True)[0] == 202

    text = node.metrics()
    # maturity 1d: the 1h matured window is the slice 24 hours back; the 5m window has no matured form.
    assert sample(text, "modelwatch_maturity_seconds", model="recs") == 86400
    assert sample(text, "modelwatch_matured_window_predictions", model="recs", window="1h") == 50
    assert sample(text, "modelwatch_matured_window_outcomes", model="recs", window="1h") == 40
    assert sample(text, "modelwatch_matured_label_coverage", model="recs", window="1h") == 0.8
    assert sample(text, "modelwatch_matured_accuracy", model="recs", window="1h") == 0.75
    assert sample(text, "modelwatch_matured_window_predictions", model="recs", window="5m") is None
    # The window by label arrival mixes every age: 60 right of 120.
    assert sample(text, "modelwatch_accuracy", model="recs", window="1h") == 0.5
    # auto: the observed p90 delay (5 h) is in the bucket up to 6 h, so the slice 6 hours back.
    assert sample(text, "modelwatch_maturity_seconds", model="recs_auto") == 21600
    assert sample(text, "modelwatch_matured_window_outcomes", model="recs_auto", window="1h") == 40
    assert sample(text, "modelwatch_matured_accuracy", model="recs_auto", window="1h") == 0.25
    check = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr

    code, body = node.call("GET", "/v1/models/recs")
    matured = json.loads(body)["versions"][0]["matured_windows"]
    assert [m["window"] for m in matured] == ["1h"], matured
    assert matured[0]["predictions"] == 50 and matured[0]["metrics"]["accuracy"] == 0.75, matured

    before = {k: v for k, v in node.state_metrics().items() if "matur" in k}
    assert before
    node.stop()
    node.start()
    assert {k: v for k, v in node.state_metrics().items() if "matur" in k} == before
