#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates segments.json: predictions of a 3-class model with two segment features (country,
device) and their labels, and scikit-learn's accuracy and macro precision, recall and F1 on the
rows of each segment value (labels: those present among the value's actual or predicted
classes, as scikit-learn infers them).

    /tmp/nm/bin/python Tests/Fixtures/make_segment_fixtures.py   # numpy, scikit-learn
"""
import json
import os

import numpy as np
from sklearn import metrics as skm


def main():
    rng = np.random.default_rng(17)
    n = 3000
    classes = np.array(["a", "b", "c"])
    countries = rng.choice(["ES", "FR", "DE", "IT", "PT"], size=n, p=[0.4, 0.25, 0.2, 0.1, 0.05])
    devices = rng.choice(["ios", "android", "web"], size=n)
    y = rng.integers(0, 3, n)
    # accuracy differs by country: PT is where the model fails
    skill = {"ES": 0.85, "FR": 0.8, "DE": 0.75, "IT": 0.7, "PT": 0.35}
    correct = rng.random(n) < np.array([skill[c] for c in countries])
    p = np.where(correct, y, (y + rng.integers(1, 3, n)) % 3)
    rows = [{"country": str(countries[i]), "device": str(devices[i]), "prediction": str(classes[p[i]]), "label": str(classes[y[i]])}
            for i in range(n)]
    expected = {}
    for segment, values in (("country", countries), ("device", devices)):
        expected[segment] = {}
        for v in sorted(set(values)):
            mask = values == v
            yt, yp = classes[y[mask]], classes[p[mask]]
            expected[segment][str(v)] = {
                "count": int(mask.sum()), "accuracy": float(skm.accuracy_score(yt, yp)),
                "precision_macro": float(skm.precision_score(yt, yp, average="macro", zero_division=0)),
                "recall_macro": float(skm.recall_score(yt, yp, average="macro", zero_division=0)),
                "f1_macro": float(skm.f1_score(yt, yp, average="macro", zero_division=0))}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "segments.json")
    with open(path, "w") as f:
        json.dump({"rows": rows, "expected": expected}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
