#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates segment_drift.json: reference rows and live predictions of a binary model with a
score, a segment feature (country), a numeric feature (amount, with nulls) and a categorical one
(channel), where the live traffic of one country drifts; and numpy's PSI of the score, of amount
and of channel for each country's live rows against the reference rows of the same country,
binned as the whole reference bins them (numeric: numpy.quantile at 0.1...0.9, unique,
searchsorted side="right"; categorical: each reference category, then one bin for the rest;
zero proportions replaced by 1e-4).

    python3 Tests/Fixtures/make_segment_drift_fixtures.py   # numpy
"""
import json
import os

import numpy as np


def rows(rng, n, drifted):
    countries = rng.choice(["ES", "FR", "DE", "PT"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    amount = np.round(rng.lognormal(3.5, 0.7, n), 2)
    channel = rng.choice(["web", "app", "shop"], size=n, p=[0.5, 0.3, 0.2])
    if drifted:
        # FR drifts: larger amounts, more through the app, a new channel; others stay
        fr = countries == "FR"
        amount[fr] = np.round(amount[fr] * 2.5, 2)
        channel[fr] = rng.choice(["web", "app", "kiosk"], size=fr.sum(), p=[0.2, 0.6, 0.2])
    score = np.round(1 / (1 + np.exp(-(np.log(amount) - 3.5) * 1.5 + rng.normal(0, 0.5, n))), 4)
    out = []
    for i in range(n):
        features = {"country": str(countries[i]), "amount": float(amount[i]), "channel": str(channel[i])}
        if i % 37 == 0:
            features["amount"] = None  # missing: counted nowhere
        out.append({"features": features, "score": float(score[i]), "prediction": int(score[i] >= 0.5)})
    return out


def psi(p, q):
    p = np.where(p == 0, 1e-4, p)
    q = np.where(q == 0, 1e-4, q)
    return float(np.sum((q - p) * np.log(q / p)))


def proportions(counts):
    counts = np.asarray(counts, dtype=float)
    return counts / counts.sum()


def main():
    rng = np.random.default_rng(23)
    reference = rows(rng, 2500, drifted=False)
    live = rows(rng, 2000, drifted=True)

    def numeric_bins(values_all):
        return np.unique(np.quantile(np.asarray(values_all), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]))

    amount_edges = numeric_bins([r["features"]["amount"] for r in reference if r["features"]["amount"] is not None])
    score_edges = numeric_bins([r["score"] for r in reference])
    channels = sorted({r["features"]["channel"] for r in reference})

    def counts(rs, column):
        if column == "channel":
            c = np.zeros(len(channels) + 1)
            for r in rs:
                v = r["features"]["channel"]
                c[channels.index(v) if v in channels else len(channels)] += 1
            return c
        values = [r["score"] if column == "prediction" else r["features"]["amount"] for r in rs]
        values = np.array([v for v in values if v is not None])
        edges = score_edges if column == "prediction" else amount_edges
        return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1).astype(float)

    expected = {}
    for country in ("ES", "FR", "DE", "PT"):
        ref = [r for r in reference if r["features"]["country"] == country]
        cur = [r for r in live if r["features"]["country"] == country]
        expected[country] = {}
        for column in ("prediction", "amount", "channel"):
            p, q = counts(ref, column), counts(cur, column)
            expected[country][column] = {"psi": psi(proportions(p), proportions(q)), "count": int(q.sum()),
                                         "reference_count": int(p.sum())}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "segment_drift.json")
    with open(path, "w") as f:
        json.dump({"reference": reference, "live": live, "expected": expected}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
