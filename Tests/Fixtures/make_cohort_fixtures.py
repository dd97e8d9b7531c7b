#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates cohorts.json: timed prediction and label streams, and per cohort the metrics
scikit-learn computes on the outcomes grouped by prediction time.

The model: binary with scores, cohort slices of 100 s, cohorts 0-100 s, 100-200 s and
200-300 s ago, label TTL 250 s. Predictions carry a timestamp up to 60 s before their arrival
(so prediction time and arrival fall in different slices); labels arrive 1 to 400 s after
their prediction (those after the TTL find it expired and do not count). Read at several
instants: a cohort [a, b) holds the predictions whose slice (floor(min(timestamp, arrival) /
100)) is between floor(now / 100) - b/100 + 1 and floor(now / 100) - a/100, and the outcomes
of those whose label arrived by `now` within the TTL of the prediction's arrival.

    /tmp/nm/bin/python Tests/Fixtures/make_cohort_fixtures.py   # rewrites cohorts.json (numpy, scikit-learn)
"""
import json
import math
import os

import numpy as np
from sklearn import metrics as skm

SLICE, TTL = 100.0, 250.0
COHORTS = [("0-1m40s", 0, 100), ("1m40s-3m20s", 100, 200), ("3m20s-5m", 200, 300)]
T0 = 1_700_000_000.0


def case(name, seed, n, reads):
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.uniform(0, 1000, n)).round(3) + T0
    timestamps = (arrivals - rng.uniform(0, 60, n)).round(3)
    y = (rng.random(n) < 0.4).astype(int)
    scores = np.clip(rng.normal(np.where(y == 1, 0.62, 0.4), 0.2), 0, 1).round(3)
    predicted = (scores >= 0.5).astype(int)
    labelled = rng.random(n) < 0.8
    delays = rng.uniform(1, 400, n).round(3)
    events = [{"t": float(arrivals[i]), "kind": "prediction", "id": "p%d" % i, "timestamp": float(timestamps[i]),
               "prediction": int(predicted[i]), "score": float(scores[i])} for i in range(n)]
    events += [{"t": float(arrivals[i] + delays[i]), "kind": "label", "id": "p%d" % i, "label": int(y[i])}
               for i in range(n) if labelled[i]]
    events.sort(key=lambda e: (e["t"], e["kind"] != "prediction"))
    out_reads = []
    for now in reads:
        now = T0 + now
        current = math.floor(now / SLICE)
        cohorts = {}
        for cname, lo, hi in COHORTS:
            newest, oldest = current - int(lo / SLICE), current - int(hi / SLICE) + 1
            members = [i for i in range(n) if arrivals[i] <= now and oldest <= math.floor(min(timestamps[i], arrivals[i]) / SLICE) <= newest]
            joined = [i for i in members if labelled[i] and arrivals[i] + delays[i] <= now and delays[i] < TTL]
            entry = {"predictions": len(members), "labelled": len(joined)}
            if joined:
                yt, yp, ys = y[joined], predicted[joined], scores[joined]
                entry["accuracy"] = float(skm.accuracy_score(yt, yp))
                entry["precision"] = float(skm.precision_score(yt, yp, zero_division=0))
                entry["recall"] = float(skm.recall_score(yt, yp, zero_division=0))
                entry["f1"] = float(skm.f1_score(yt, yp, zero_division=0))
                if len(set(yt)) == 2:
                    entry["roc_auc"] = float(skm.roc_auc_score(yt, ys))
            cohorts[cname] = entry
        out_reads.append({"now": now, "cohorts": cohorts})
    return {"name": name, "events": events, "reads": out_reads}


def main():
    cases = [case("steady", 1, 600, [310, 455, 640, 999.9, 1300]), case("sparse", 2, 60, [250, 700, 1000]),
             case("burst", 3, 1500, [100, 301, 550, 1200])]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cohorts.json")
    with open(path, "w") as f:
        json.dump({"slice": SLICE, "ttl": TTL, "cohorts": COHORTS, "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
