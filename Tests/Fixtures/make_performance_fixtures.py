#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates performance.json: event streams and the metrics scikit-learn computes on them.

Each case is a stream of timed prediction/label events replayed through ModelState with an
injected clock, the instant `now` at which to read, and per window the expected metrics
computed by scikit-learn on exactly the outcomes the window should hold (SPEC section 4:
windows of 60 half-open slices; an outcome counts at its label's arrival).

    python3 Tests/Fixtures/make_performance_fixtures.py   # rewrites performance.json

Needs numpy and scikit-learn; the output is committed so the Swift tests need neither.
"""
import json
import math
import os

import numpy as np
import sklearn
from sklearn import metrics as skm

WINDOWS = {"5m": 300.0, "1h": 3600.0}
SLICES = 60
T0 = 1_700_000_000.0


def target(v):
    if isinstance(v, (bool, np.bool_)):
        return {"b": bool(v)}
    if isinstance(v, str):
        return {"s": v}
    return {"n": float(v)}


def in_window(t, now, length):
    w = length / SLICES
    cur = math.floor(now / w)
    s = math.floor(t / w)
    return cur - SLICES + 1 <= s <= cur


def classification_expected(outcomes, task, positive, classes):
    """outcomes: list of (actual, predicted, score or None, scores dict or None)."""
    y_true = [o[0] for o in outcomes]
    y_pred = [o[1] for o in outcomes]
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    out = {
        "outcomes": len(outcomes),
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "precision": dict(zip(labels, map(float, p))),
        "recall": dict(zip(labels, map(float, r))),
        "f1": dict(zip(labels, map(float, f))),
        "precision_macro": skm.precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_weighted": skm.f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "roc_auc": None, "log_loss": None, "brier": None,
    }
    if task == "binary":
        yb = np.array([1 if a == positive else 0 for a in y_true])
        sc = np.array([o[2] for o in outcomes])
        if len(set(yb)) == 2:
            out["roc_auc"] = skm.roc_auc_score(yb, sc)
        out["log_loss"] = skm.log_loss(yb, sc, labels=[0, 1])
        out["brier"] = skm.brier_score_loss(yb, sc, pos_label=1)
    else:
        matrix = np.array([[o[3].get(c, 0.0) for c in classes] for o in outcomes])
        present = sorted(set(y_true))
        out["log_loss"] = skm.log_loss(y_true, matrix, labels=classes)
        if len(present) == len(classes):
            out["roc_auc"] = skm.roc_auc_score(y_true, matrix, multi_class="ovr", average="macro", labels=classes)
        elif len(present) >= 2:
            # scikit-learn needs a column per class of y_true; one-vs-rest per occurring class.
            out["roc_auc"] = float(np.mean([skm.roc_auc_score([1 if a == c else 0 for a in y_true],
                                                              matrix[:, classes.index(c)]) for c in present]))
    return out


def regression_expected(outcomes):
    y = np.array([o[0] for o in outcomes])
    yhat = np.array([o[1] for o in outcomes])
    nz = y != 0
    return {
        "outcomes": len(outcomes),
        "mae": skm.mean_absolute_error(y, yhat),
        "rmse": skm.root_mean_squared_error(y, yhat),
        "mape": skm.mean_absolute_percentage_error(y[nz], yhat[nz]) if nz.any() else None,
        "r2": skm.r2_score(y, yhat) if np.ptp(y) > 0 else None,
    }


class Replay:
    """A reference model of the join: which outcomes exist and when they count."""

    def __init__(self, ttl=7 * 86400, grace=600, max_pending=10**9):
        self.events, self.outcomes = [], []
        self.pending = {}   # id -> (arrival, prediction tuple, labelled)
        self.orphans = {}   # id -> (arrival, label)
        self.ttl, self.grace, self.max_pending = ttl, grace, max_pending
        self.counts = {"matched": 0, "unmatched": 0, "duplicate": 0, "expired": 0, "predictions": 0,
                       "duplicate_predictions": 0}

    def _expire(self, t):
        for pid in [k for k, v in self.pending.items() if v[0] + self.ttl <= t]:
            if not self.pending[pid][2]:
                self.counts["expired"] += 1
            del self.pending[pid]
        for lid in [k for k, v in self.orphans.items() if v[0] + self.grace <= t]:
            self.counts["unmatched"] += 1
            del self.orphans[lid]

    def predict(self, t, pid, prediction, score=None, scores=None):
        ev = {"t": t, "kind": "prediction", "id": pid, "prediction": target(prediction)}
        if score is not None:
            ev["score"] = float(score)
        if scores is not None:
            ev["scores"] = [[c, float(p)] for c, p in scores.items()]
        self.events.append(ev)
        self._expire(t)
        if pid in self.pending:
            self.counts["duplicate_predictions"] += 1
            return
        self.counts["predictions"] += 1
        pred = (prediction, score, scores)
        if pid in self.orphans:
            _, label = self.orphans.pop(pid)
            self.outcomes.append((t, label, pred))
            self.counts["matched"] += 1
            self.pending[pid] = (t, pred, True)
        else:
            self.pending[pid] = (t, pred, False)
        while len(self.pending) > self.max_pending:
            oldest = min(self.pending, key=lambda k: self.pending[k][0])
            if not self.pending[oldest][2]:
                self.counts["expired"] += 1
            del self.pending[oldest]

    def label(self, t, pid, label):
        self.events.append({"t": t, "kind": "label", "id": pid, "label": target(label)})
        self._expire(t)
        if pid in self.pending:
            arrival, pred, labelled = self.pending[pid]
            if labelled:
                self.counts["duplicate"] += 1
                return
            self.pending[pid] = (arrival, pred, True)
            self.outcomes.append((t, label, pred))
            self.counts["matched"] += 1
        elif pid in self.orphans:
            self.counts["duplicate"] += 1
        else:
            self.orphans[pid] = (t, label)
            while len(self.orphans) > self.max_pending:
                del self.orphans[min(self.orphans, key=lambda k: self.orphans[k][0])]
                self.counts["unmatched"] += 1

    def finish(self, now):
        self._expire(now)
        self.counts["pending"] = sum(1 for v in self.pending.values() if not v[2])


def case(name, task, replay, now, classes=None, positive="1", min_samples=1, **options):
    expected = {}
    for wname, length in WINDOWS.items():
        outs = [o for o in replay.outcomes if in_window(o[0], now, length)]
        if len(outs) < max(1, min_samples):
            expected[wname] = None
        elif task == "regression":
            expected[wname] = regression_expected([(o[1], o[2][0]) for o in outs])
        else:
            expected[wname] = classification_expected(
                [(str(o[1]), str(o[2][0]), o[2][1], o[2][2]) for o in outs], task, positive, classes)
    replay.finish(now)
    return {"name": name, "task": task, "positive_class": positive if task == "binary" else None,
            "min_samples": min_samples, "options": options, "now": now, "events": replay.events,
            "expected": expected, "counts": replay.counts}


def binary_stream(rng, replay, n, t, spacing=0.2, label_lag=30.0, prefix="b", p_pos=0.4):
    for i in range(n):
        actual = int(rng.random() < p_pos)
        score = float(np.clip(rng.normal(0.65 if actual else 0.35, 0.2), 0, 1))
        replay.predict(t + i * spacing, f"{prefix}{i}", int(score >= 0.5), score=score)
    for i in range(n):
        pass
    return t + n * spacing + label_lag


def main():
    rng = np.random.default_rng(20261124)
    cases = []

    # Binary with scores; labels arrive within the 5m window.
    r = Replay()
    truth = {}
    t = T0
    for i in range(600):
        actual = int(rng.random() < 0.4)
        truth[i] = actual
        score = round(float(np.clip(rng.normal(0.65 if actual else 0.35, 0.2), 0, 1)), 6)
        r.predict(t + i * 0.25, f"b{i}", int(score >= 0.5), score=score)
    for i in range(600):
        r.label(t + 160 + i * 0.1, f"b{i}", truth[i])
    cases.append(case("binary_scores", "binary", r, now=t + 240))

    # Multiclass with score dicts, one class never predicted (zero division in precision).
    classes = ["bird", "cat", "dog"]
    r = Replay()
    truth = {}
    for i in range(500):
        actual = classes[rng.choice(3, p=[0.2, 0.5, 0.3])]
        alpha = np.ones(3) + 3 * np.array([c == actual for c in classes])
        probs = rng.dirichlet(alpha)
        probs = np.round(probs, 6)
        probs[-1] = round(1 - probs[0] - probs[1], 6)
        probs = np.clip(probs, 0, 1)
        pred = classes[int(np.argmax(probs))]
        if pred == "bird":
            pred = "cat"
        truth[i] = actual
        r.predict(T0 + i * 0.5, f"m{i}", pred, scores=dict(zip(classes, probs)))
    for i in range(500):
        r.label(T0 + 260 + i * 0.05, f"m{i}", truth[i])
    cases.append(case("multiclass_scores", "multiclass", r, now=T0 + 290, classes=classes))

    # Regression with some zero targets (MAPE skips them).
    r = Replay()
    truth = {}
    for i in range(400):
        y = 0.0 if i % 17 == 0 else round(float(rng.normal(50, 20)), 4)
        truth[i] = y
        r.predict(T0 + i * 0.5, f"r{i}", round(y + float(rng.normal(0, 5)), 4))
    for i in range(400):
        r.label(T0 + 210 + i * 0.1, f"r{i}", truth[i])
    cases.append(case("regression", "regression", r, now=T0 + 260))

    # A window with one class only: ROC AUC undefined, omitted.
    r = Replay()
    for i in range(50):
        score = round(float(rng.uniform(0.2, 0.9)), 6)
        r.predict(T0 + i, f"o{i}", int(score >= 0.5), score=score)
        r.label(T0 + i + 0.5, f"o{i}", 1)
    cases.append(case("one_class", "binary", r, now=T0 + 60))

    # Labels before predictions: every label waits, then joins when its prediction arrives.
    r = Replay()
    truth = {}
    for i in range(200):
        truth[i] = int(rng.random() < 0.5)
        r.label(T0 + i * 0.5, f"e{i}", truth[i])
    for i in range(200):
        score = round(float(np.clip(rng.normal(0.7 if truth[i] else 0.3, 0.2), 0, 1)), 6)
        r.predict(T0 + 120 + i * 0.5, f"e{i}", int(score >= 0.5), score=score)
    cases.append(case("labels_before_predictions", "binary", r, now=T0 + 240))

    # Duplicates: retried predictions (even with other values) and second labels are ignored.
    r = Replay()
    truth = {}
    for i in range(300):
        truth[i] = int(rng.random() < 0.5)
        score = round(float(np.clip(rng.normal(0.7 if truth[i] else 0.3, 0.25), 0, 1)), 6)
        r.predict(T0 + i * 0.5, f"d{i}", int(score >= 0.5), score=score)
        if i % 7 == 0:
            r.predict(T0 + i * 0.5 + 0.1, f"d{i}", 1 - int(score >= 0.5), score=1 - score)
    for i in range(300):
        r.label(T0 + 160 + i * 0.2, f"d{i}", truth[i])
        if i % 5 == 0:
            r.label(T0 + 160 + i * 0.2 + 0.05, f"d{i}", 1 - truth[i])
    cases.append(case("duplicates", "binary", r, now=T0 + 250))

    # TTL expiry: predictions older than label_ttl when their label comes are expired; those
    # labels then wait out the grace period and count unmatched.
    r = Replay(ttl=600, grace=120)
    truth = {}
    for i in range(200):
        truth[i] = int(rng.random() < 0.5)
        score = round(float(rng.uniform(0, 1)), 6)
        r.predict(T0 + i * 5, f"t{i}", int(score >= 0.5), score=score)
    for i in range(200):
        r.label(T0 + 1000 + i * 0.5, f"t{i}", truth[i])
    cases.append(case("ttl_expiry", "binary", r, now=T0 + 1300, label_ttl=600, label_grace=120))

    # max_pending eviction: the oldest pending predictions are dropped first.
    r = Replay(max_pending=100)
    truth = {}
    for i in range(250):
        truth[i] = int(rng.random() < 0.5)
        score = round(float(rng.uniform(0, 1)), 6)
        r.predict(T0 + i * 0.5, f"x{i}", int(score >= 0.5), score=score)
    for i in range(250):
        r.label(T0 + 130 + i * 0.2, f"x{i}", truth[i])
    cases.append(case("max_pending", "binary", r, now=T0 + 200, max_pending=100))

    # Window expiry: outcomes spread over two hours; 5m and 1h hold different subsets, read
    # exactly at a slice boundary.
    r = Replay()
    for i in range(720):
        t = T0 + i * 10
        actual = int(rng.random() < 0.5)
        score = round(float(np.clip(rng.normal(0.6 if actual else 0.4, 0.2), 0, 1)), 6)
        r.predict(t, f"w{i}", int(score >= 0.5), score=score)
        r.label(t + 3, f"w{i}", actual)
    now = math.ceil((T0 + 7200) / 60) * 60.0  # at a slice boundary, after the last event
    cases.append(case("window_expiry", "binary", r, now=now))

    # min_samples: too few outcomes, no performance.
    r = Replay()
    for i in range(10):
        r.predict(T0 + i, f"s{i}", 1, score=0.9)
        r.label(T0 + i + 1, f"s{i}", i % 2)
    cases.append(case("below_min_samples", "binary", r, now=T0 + 30, min_samples=30))

    out = {"generator": "Tests/Fixtures/make_performance_fixtures.py", "sklearn": sklearn.__version__,
           "numpy": np.__version__, "windows": WINDOWS, "slices": SLICES, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "performance.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
