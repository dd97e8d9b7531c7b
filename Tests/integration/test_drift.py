# SPDX-License-Identifier: Apache-2.0
"""Drift, data quality and concept drift end to end: references over HTTP, metrics against
numpy/scipy computed here on the same raw values, detectors, promtool."""

import json
import math
import random
import subprocess
import threading

import numpy as np
from scipy import stats
from scipy.spatial import distance

from api_client import Client, gz, series, value

NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(rows):
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def psi_numpy(ref, cur):
    """SPEC section 4: 10 reference-quantile bins, searchsorted right, 0.0001 for empty bins."""
    edges = np.unique(np.quantile(ref, [i / 10 for i in range(1, 10)]))
    p = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    q = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
    js = distance.jensenshannon(p, q, base=2)
    p, q = np.where(p == 0, 0.0001, p), np.where(q == 0, 0.0001, q)
    return float(np.sum((q - p) * np.log(q / p))), float(js)


def make_rows(n, rng, mean=100.0, sd=15.0, countries=("fr", "de", "es"), missing=0.0):
    rows = []
    for _ in range(n):
        amount = None if rng.random() < missing else round(rng.gauss(mean, sd), 4)
        rows.append({"features": {"amount": amount, "country": rng.choice(countries)},
                     "prediction": 1, "score": round(rng.random(), 6)})
    return rows


def test_reference_upload_and_drift_match_scipy(daemon):
    c = Client(daemon.port)
    rng = random.Random(7)
    reference = make_rows(800, rng)
    status, body = c.put("/v1/models/fraud/reference", gz(ndjson(reference)),
                         headers={**NDJSON, "Content-Encoding": "gzip"})
    assert status == 200, body
    assert body["rows"] == 800 and body["generation"] == 0
    assert body["features"]["amount"]["type"] == "numeric"
    assert body["features"]["country"]["type"] == "categorical"
    assert body["prediction"]["type"] == "numeric"  # the score of a binary model

    live = make_rows(400, rng, mean=112.0, sd=15.0, countries=("fr", "de", "it"), missing=0.1)
    for i, e in enumerate(live):
        e["id"] = "e%d" % i
    status, body = c.post("/v1/models/fraud/predictions", live)
    assert status == 202, body

    m = c.metrics()
    labels = dict(model="fraud", version="default", window="5m")
    ref_amount = np.array([r["features"]["amount"] for r in reference])
    cur_amount = np.array([e["features"]["amount"] for e in live if e["features"]["amount"] is not None])

    psi, js = psi_numpy(ref_amount, cur_amount)
    got = lambda method: value(m, "modelwatch_drift_score", feature="amount", method=method, **labels)
    assert abs(got("psi") - psi) < 1e-6
    assert abs(got("jensenshannon") - js) < 1e-6
    ks = stats.ks_2samp(ref_amount, cur_amount, method="exact")
    assert abs(got("ks") - ks.statistic) <= 0.01
    ks_asymp = stats.ks_2samp(ref_amount, cur_amount, method="asymp")
    assert ks_asymp.pvalue < 0.05 and value(m, "modelwatch_drift_p_value", feature="amount", method="ks", **labels) < 0.05
    w = stats.wasserstein_distance(ref_amount, cur_amount) / np.std(ref_amount)
    assert abs(got("wasserstein") - w) <= max(0.02 * w, 0.002)
    assert value(m, "modelwatch_feature_drifted", feature="amount", **labels) == 1
    assert abs(value(m, "modelwatch_feature_missing_ratio", feature="amount", **labels) - (1 - len(cur_amount) / 400)) < 1e-12
    assert abs(value(m, "modelwatch_feature_mean", feature="amount", **labels) - cur_amount.mean()) < 1e-9
    outside = np.mean((cur_amount < ref_amount.min()) | (cur_amount > ref_amount.max()))
    assert abs(value(m, "modelwatch_feature_out_of_range_ratio", feature="amount", **labels) - outside) < 1e-12
    median = value(m, "modelwatch_feature_quantile", feature="amount", quantile="0.5", **labels)
    assert abs(median - np.median(cur_amount)) < 0.05 * np.std(ref_amount)

    # Categorical: chi-square over the reference's categories, unseen share.
    ref_c = [r["features"]["country"] for r in reference]
    cur_c = [e["features"]["country"] for e in live]
    cats = sorted(set(ref_c), key=lambda k: (-ref_c.count(k), k))
    observed = np.array([cur_c.count(k) for k in cats], dtype=float)
    expected = np.array([ref_c.count(k) for k in cats], dtype=float) / len(ref_c) * observed.sum()
    chi = stats.chisquare(observed, expected)
    assert abs(value(m, "modelwatch_drift_score", feature="country", method="chi2", **labels) - chi.statistic) < 1e-6 * max(1, chi.statistic)
    assert abs(value(m, "modelwatch_drift_p_value", feature="country", method="chi2", **labels) - chi.pvalue) < 1e-6
    unseen = sum(1 for k in cur_c if k not in cats) / len(cur_c)
    assert abs(value(m, "modelwatch_feature_unseen_category_ratio", feature="country", **labels) - unseen) < 1e-12
    assert value(m, "modelwatch_feature_drifted", feature="country", **labels) == 1
    assert value(m, "modelwatch_drifted_features_share", **labels) == 1

    # Prediction drift on the score; no labels yet, so no label drift.
    assert series(m, "modelwatch_prediction_drift_score", **labels)
    assert not series(m, "modelwatch_label_drift_score", **labels)
    # Counters per reference bin add up to the values seen since the reference.
    bins = series(m, "modelwatch_feature_values_total", model="fraud", version="default", feature="amount")
    assert len(bins) == 10 and sum(bins.values()) == len(cur_amount)
    assert value(m, "modelwatch_reference_rows", model="fraud") == 800

    # The JSON status: per-feature drift, worst first.
    status, detail = c.get("/v1/models/fraud")
    window = detail["versions"][0]["windows"][0]
    features = window["drift"]["features"]
    assert [f["feature"] for f in features] == sorted((f["feature"] for f in features),
                                                      key=lambda n: -next(f["scores"]["psi"] for f in features if f["feature"] == n))
    assert all(f["drifted"] for f in features) and window["drift"]["data_drift"] is True
    assert detail["reference"] == {"rows": 800, "generation": 0}


def test_invalid_reference_is_refused_whole_and_keeps_the_old_one(make_daemon):
    d = make_daemon(config="models:\n  loans: {features: {income: {type: numeric}}}\n")
    c = Client(d.port)
    rng = random.Random(3)
    good = [{"features": {"income": rng.uniform(1, 9)}, "prediction": 1.5} for _ in range(100)]
    assert c.put("/v1/models/loans/reference", good)[0] == 200

    bad_rows = good[:5] + [{"features": {"income": "NaN"}, "prediction": 1.5}] + good[5:]
    status, body = c.put("/v1/models/loans/reference", ndjson(bad_rows), headers=NDJSON)
    assert status == 422, body
    assert body["error"]["code"] == "invalid_reference"
    assert "income" in body["error"]["message"] and "not replaced" in body["error"]["message"]

    bad_value = good + [{"features": {"income": float("nan")}}]
    status, body = c.put("/v1/models/loans/reference", json.dumps(bad_value))
    assert status == 400 or status == 422

    status, body = c.put("/v1/models/loans/reference", json.dumps(good[:10] + [{"features": {"income": 5}, "score": 2}]))
    assert status == 422 and body["error"]["details"][0]["index"] == 10 and body["error"]["details"][0]["field"] == "score"

    status, ref = c.get("/v1/models/loans/reference")
    assert status == 200 and ref["generation"] == 0 and ref["rows"] == 100

    assert c.put("/v1/models/loans/reference", "[]")[0] == 422
    assert c.put("/v1/models/loans/reference", "{", headers={"Content-Type": "application/json"})[0] == 400
    assert c.put("/v1/models/loans/reference", "a,b\n1,2\n", headers={"Content-Type": "text/csv"})[0] == 415
    assert c.get("/v1/models/nobody/reference")[0] == 404
    status, body = c.put("/v1/models/newmodel/reference", good)
    assert status == 200
    assert c.get("/v1/models/newmodel/reference")[1]["rows"] == 100


def test_reference_replaced_while_traffic_flows(daemon):
    c = Client(daemon.port)
    rng = random.Random(11)
    failures = []
    stop = threading.Event()
    sent = [0]

    def traffic():
        tc = Client(daemon.port)
        i = 0
        while not stop.is_set():
            batch = [{"id": "t%d" % (i + k), "features": {"x": rng.gauss(0, 1), "c": rng.choice("abc")}, "prediction": 0.5 + k}
                     for k in range(50)]
            i += 50
            status, body = tc.post("/v1/models/live/predictions", batch)
            if status != 202:
                failures.append((status, body))
            sent[0] += 50

    t = threading.Thread(target=traffic)
    t.start()
    try:
        for g in range(6):
            mean = 0 if g % 2 == 0 else 5
            rows = [{"features": {"x": rng.gauss(mean, 1), "c": rng.choice("abc")}, "prediction": 1.0} for _ in range(2000)]
            status, body = c.put("/v1/models/live/reference", rows)
            assert status == 200, body
            assert body["generation"] == g
            m = c.metrics()
            assert value(m, "modelwatch_reference_rows", model="live") == 2000
    finally:
        stop.set()
        t.join()
    assert not failures
    # The last reference is centred on 5 and traffic on 0: once values arrive after it, x drifts.
    c.post("/v1/models/live/predictions", [{"features": {"x": rng.gauss(0, 1), "c": "a"}, "prediction": 1.0} for _ in range(300)])
    m = c.metrics()
    labels = dict(model="live", version="default", window="5m", feature="x")
    assert value(m, "modelwatch_feature_drifted", **labels) == 1
    assert value(m, "modelwatch_drift_score", method="wasserstein", **labels) > 3
    assert value(m, "modelwatch_window_predictions", model="live", version="default", window="5m") == sent[0] + 300
    assert value(m, "modelwatch_feature_missing_ratio", **labels) == 0


def test_first_events_become_the_reference(make_daemon):
    d = make_daemon(config="models:\n  churn: {reference: {source: first, events: 200}}\n")
    c = Client(d.port)
    rng = random.Random(5)
    events = [{"id": "c%d" % i, "features": {"tenure": rng.uniform(0, 10), "plan": rng.choice(["a", "b"])},
               "prediction": rng.choice(["stay", "leave"])} for i in range(260)]
    assert c.get("/v1/models/churn/reference")[0] == 404
    assert c.post("/v1/models/churn/predictions", events[:150])[0] == 202
    assert c.get("/v1/models/churn/reference")[0] == 404
    assert c.post("/v1/models/churn/predictions", events[150:])[0] == 202
    status, ref = c.get("/v1/models/churn/reference")
    assert status == 200 and ref["rows"] == 200
    assert ref["prediction"]["type"] == "categorical"  # multiclass: the predicted class
    m = c.metrics()
    labels = dict(model="churn", version="default", window="5m", feature="tenure")
    assert series(m, "modelwatch_drift_score", **labels)
    bins = series(m, "modelwatch_feature_values_total", model="churn", version="default", feature="plan")
    assert sum(bins.values()) == 60


def test_label_drift_and_concept_drift_detectors(daemon):
    c = Client(daemon.port)
    rng = random.Random(2)
    reference = [{"features": {"x": rng.random()}, "prediction": int(rng.random() < 0.5), "label": int(rng.random() < 0.5)}
                 for _ in range(1000)]
    assert c.put("/v1/models/clf/reference", reference)[0] == 200
    preds, labels = [], []
    errors = []
    for i in range(2400):
        p = int(rng.random() < 0.5)
        wrong = rng.random() < (0.1 if i < 1200 else 0.6)
        preds.append({"id": "q%d" % i, "features": {"x": rng.random()}, "prediction": p})
        labels.append({"id": "q%d" % i, "label": 1 - p if wrong else p})
        errors.append(1 if wrong else 0)
    assert c.post("/v1/models/clf/predictions", preds)[0] == 202
    assert c.post("/v1/models/clf/labels", labels)[0] == 202
    m = c.metrics()
    mv = dict(model="clf", version="default")
    states = series(m, "modelwatch_concept_drift_state", **mv)
    assert {dict(k)["detector"] for k in states} == {"ddm", "page_hinkley", "adwin"}
    assert all(v in (0, 1, 2) for v in states.values())
    assert value(m, "modelwatch_concept_drift_detections_total", detector="ddm", **mv) >= 1
    assert value(m, "modelwatch_concept_drift_detections_total", detector="adwin", **mv) >= 1
    assert series(m, "modelwatch_label_drift_score", window="5m", **mv)

    try:
        from river import drift
    except ImportError:
        return
    ddm = drift.binary.DDM()
    count = 0
    for e in errors:
        ddm.update(e)
        count += ddm.drift_detected
    assert value(m, "modelwatch_concept_drift_detections_total", detector="ddm", **mv) == count


def test_promtool_accepts_a_scrape_with_drift(daemon):
    c = Client(daemon.port)
    rng = random.Random(9)
    c.put("/v1/models/p/reference", make_rows(300, rng))
    c.post("/v1/models/p/predictions", [dict(e, id="i%d" % k) for k, e in enumerate(make_rows(100, rng, mean=90))])
    status, scrape = c.get("/metrics")
    check = subprocess.run(["promtool", "check", "metrics"], input=scrape, capture_output=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"modelwatch_drift_score{" in scrape


def test_real_data_with_small_samples_matches_scipy_exactly(daemon):
    """Issue 15's regime over HTTP: scikit-learn's breast cancer, wine and diabetes columns
    (Tests/Fixtures/small_samples.json) as references of 100-341 rows and windows of 30-228
    values, shifted and not: KS statistic and p-value, Wasserstein/std and the quantiles of the
    5m window equal scipy's and numpy's on the same values."""
    import os
    path = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "small_samples.json")
    with open(path) as f:
        cases = [c for c in json.load(f)["cases"] if len(c["window"]) <= 256 and len(c["reference"]) <= 1000]
    assert len(cases) >= 6
    c = Client(daemon.port)
    for i, case in enumerate(cases):
        model = "small%d" % i
        rows = [{"features": {"x": v}, "prediction": 0.0} for v in case["reference"]]
        assert c.put("/v1/models/%s/reference" % model, ndjson(rows), headers=NDJSON)[0] == 200
        events = [{"id": "w%d" % j, "features": {"x": v}, "prediction": 0.0} for j, v in enumerate(case["window"])]
        assert c.post("/v1/models/%s/predictions" % model, ndjson(events), headers=NDJSON)[0] == 202
    m = c.metrics()
    for i, case in enumerate(cases):
        labels = dict(model="small%d" % i, version="default", window="5m", feature="x")
        ref, win = np.array(case["reference"]), np.array(case["window"])
        ks = stats.ks_2samp(ref, win, method="asymp")
        assert abs(value(m, "modelwatch_drift_score", method="ks", **labels) - ks.statistic) < 1e-9, case["name"]
        # the asymptotic p-value from the same statistic (docs/drift.md: within 1e-4 of scipy's for n >= 30)
        assert abs(value(m, "modelwatch_drift_p_value", method="ks", **labels) - ks.pvalue) < 1e-4, case["name"]
        w = stats.wasserstein_distance(ref, win) / np.std(ref)
        assert abs(value(m, "modelwatch_drift_score", method="wasserstein", **labels) - w) < 1e-9 * max(1, w), case["name"]
        for q in (0.5, 0.95):
            got = value(m, "modelwatch_feature_quantile", quantile=str(q), **labels)
            assert abs(got - np.quantile(win, q)) <= 1e-12 * abs(got), (case["name"], q)
        assert abs(case["expected"]["ks_statistic"] - ks.statistic) < 1e-12  # the fixture is what scipy says
