#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates cbpe.json: reference and analysis rows, and NannyML's CBPE estimates per chunk.

Binary and multiclass models whose scores are miscalibrated (so NannyML calibrates them) and
one whose scores are calibrated (so it does not); analysis data in chunks of 1,000 rows whose
score distribution shifts chunk by chunk (covariate shift, no concept drift: CBPE's premise).
Per chunk: NannyML's estimated accuracy, precision, recall, F1 and ROC AUC (binary: of the
positive class 1; multiclass: macro, one-vs-rest), and whether it calibrated each class; and
the same estimates with calibration off (`NoopCalibrator`), for the borderline case where
NannyML's random held-out split and modelwatch's fixed one decide differently.

    python3 -m venv /tmp/nm && /tmp/nm/bin/pip install nannyml statsmodels
    /tmp/nm/bin/python Tests/Fixtures/make_cbpe_fixtures.py   # rewrites cbpe.json
"""
import json
import os
import warnings

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")  # no telemetry calls (and no waiting on them offline)
import numpy as np
import pandas as pd
import nannyml as nml
from nannyml.calibration import IsotonicCalibrator, NoopCalibrator, needs_calibration

warnings.filterwarnings("ignore")
METRICS = ["accuracy", "precision", "recall", "f1", "roc_auc"]


def binary_case(name, rng, distort, n_reference=5000, chunks=4, chunk_size=1000):
    def rows(n, shift):
        x = rng.normal(shift, 1.0, n)
        p_true = 1 / (1 + np.exp(-1.5 * x))
        y = (rng.random(n) < p_true).astype(int)
        score = p_true ** distort  # distort != 1: miscalibrated but rank-preserving
        return score, y
    ref_s, ref_y = rows(n_reference, 0.0)
    ref_pred = (ref_s >= 0.5).astype(int)
    analysis = [rows(chunk_size, shift) for shift in np.linspace(0.0, -1.2, chunks)]
    an_s = np.concatenate([a[0] for a in analysis])
    an_y = np.concatenate([a[1] for a in analysis])
    an_pred = (an_s >= 0.5).astype(int)
    ref = pd.DataFrame({"score": ref_s, "pred": ref_pred, "y": ref_y})
    ana = pd.DataFrame({"score": an_s, "pred": an_pred})
    def estimate(**kwargs):
        est = nml.CBPE(y_pred_proba="score", y_pred="pred", y_true="y", problem_type="classification_binary",
                       metrics=METRICS, chunk_size=chunk_size, **kwargs)
        est.fit(ref.copy())
        return est, est.estimate(ana.copy()).filter(period="analysis").to_df()
    est, result = estimate()
    _, raw = estimate(calibrator=NoopCalibrator())
    out_chunks = []
    for i in range(chunks):
        out_chunks.append({m: float(result[(m, "value")].iloc[i]) for m in METRICS})
        out_chunks[-1]["uncalibrated"] = {m: float(raw[(m, "value")].iloc[i]) for m in METRICS}
        out_chunks[-1]["realised_accuracy"] = float(np.mean(an_pred[i * chunk_size:(i + 1) * chunk_size] == an_y[i * chunk_size:(i + 1) * chunk_size]))
    return {"name": name, "task": "binary", "chunk_size": chunk_size, "calibrated": [bool(est.needs_calibration)],
            "reference": {"score": ref_s.round(6).tolist(), "prediction": ref_pred.tolist(), "label": ref_y.tolist()},
            "analysis": {"score": an_s.round(6).tolist(), "prediction": an_pred.tolist()},
            "chunks": out_chunks}


def multiclass_case(name, rng, temperature, n_reference=6000, chunks=4, chunk_size=1000):
    classes = ["a", "b", "c"]
    centres = np.array([[0, 0], [2, 0], [0, 2]])

    def rows(n, shift):
        k = rng.choice(3, size=n, p=shift)
        x = centres[k] + rng.normal(0, 1.2, (n, 2))
        logits = -((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2) / 2
        p = np.exp(logits / temperature)
        p /= p.sum(axis=1, keepdims=True)
        return p, k
    ref_p, ref_k = rows(n_reference, [1 / 3, 1 / 3, 1 / 3])
    shifts = [[1 / 3, 1 / 3, 1 / 3], [0.5, 0.3, 0.2], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]][:chunks]
    analysis = [rows(chunk_size, s) for s in shifts]
    an_p = np.concatenate([a[0] for a in analysis])
    ref_p, an_p = ref_p.round(6), an_p.round(6)
    ref_pred = np.array(classes)[ref_p.argmax(axis=1)]
    an_pred = np.array(classes)[an_p.argmax(axis=1)]
    ref = pd.DataFrame({"p_" + c: ref_p[:, j] for j, c in enumerate(classes)})
    ref["pred"], ref["y"] = ref_pred, np.array(classes)[ref_k]
    ana = pd.DataFrame({"p_" + c: an_p[:, j] for j, c in enumerate(classes)})
    ana["pred"] = an_pred
    def estimate(**kwargs):
        est = nml.CBPE(y_pred_proba={c: "p_" + c for c in classes}, y_pred="pred", y_true="y",
                       problem_type="classification_multiclass", metrics=METRICS, chunk_size=chunk_size, **kwargs)
        est.fit(ref.copy())
        return est.estimate(ana.copy()).filter(period="analysis").to_df()
    result = estimate()
    raw = estimate(calibrator=NoopCalibrator())
    calibrated = [bool(needs_calibration(np.asarray(ref["y"] == c).astype(int), ref["p_" + c].to_numpy(), IsotonicCalibrator()))
                  for c in classes]
    return {"name": name, "task": "multiclass", "classes": classes, "chunk_size": chunk_size, "calibrated": calibrated,
            "reference": {"scores": ref_p.tolist(), "prediction": ref_pred.tolist(), "label": np.array(classes)[ref_k].tolist()},
            "analysis": {"scores": an_p.tolist(), "prediction": an_pred.tolist()},
            "chunks": [dict({m: float(result[(m, "value")].iloc[i]) for m in METRICS},
                            uncalibrated={m: float(raw[(m, "value")].iloc[i]) for m in METRICS}) for i in range(chunks)]}


def main():
    rng = np.random.default_rng(13)
    cases = [binary_case("binary_overconfident", rng, 0.5), binary_case("binary_underconfident", rng, 2.0),
             binary_case("binary_calibrated", rng, 1.0),
             multiclass_case("multiclass_overconfident", rng, 0.5), multiclass_case("multiclass_soft", rng, 2.0)]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cbpe.json")
    with open(path, "w") as f:
        json.dump({"nannyml": nml.__version__, "cases": cases}, f, separators=(",", ":"))
    for c in cases:
        print(c["name"], "calibrated", c["calibrated"], c["chunks"][0])


if __name__ == "__main__":
    main()
