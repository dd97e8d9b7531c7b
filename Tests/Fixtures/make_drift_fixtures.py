#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates drift.json: reference and window columns, and the drift statistics scipy computes.

SPEC section 4 definitions, computed here with numpy and scipy on the raw values:
- PSI on 10 reference-quantile bins (unique np.quantile at 0.1…0.9, linear; a value's bin is
  searchsorted(edges, v, side="right"); empty proportions replaced by 0.0001), or on the
  reference's categories plus __other__;
- scipy.stats.ks_2samp statistic and asymptotic p-value;
- scipy.stats.wasserstein_distance divided by np.std(reference) (ddof 0);
- scipy.spatial.distance.jensenshannon(base=2) on the raw bin proportions;
- scipy.stats.chisquare of the window's counts over the reference's categories against the
  reference proportions scaled to the window's count;
- share of unseen categories, of values outside the reference range, of missing values.

    python3 Tests/Fixtures/make_drift_fixtures.py    # rewrites drift.json (needs numpy, scipy)
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon


def psi(p, q):
    p = np.where(p == 0, 0.0001, p)
    q = np.where(q == 0, 0.0001, q)
    return float(np.sum((q - p) * np.log(q / p)))


def numeric_case(name, ref, cur):
    ref = np.asarray(ref, dtype=float)
    present = np.array([v for v in cur if v is not None], dtype=float)
    edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    rb = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    cb = np.bincount(np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1) / len(present)
    ks = stats.ks_2samp(ref, present, method="asymp")
    std = np.std(ref)
    return {
        "name": name, "type": "numeric", "reference": ref.tolist(), "window": list(cur),
        "expected": {
            "psi": psi(rb, cb),
            "ks_statistic": float(ks.statistic),
            "ks_p_value": float(ks.pvalue),
            "wasserstein": float(stats.wasserstein_distance(ref, present) / std) if std > 0 else None,
            "jensenshannon": float(jensenshannon(rb, cb, base=2)),
            "out_of_range_ratio": float(np.mean((present < ref.min()) | (present > ref.max()))),
            "missing_ratio": 1 - len(present) / len(cur),
            "mean": float(np.mean(present)),
            "median": float(np.quantile(present, 0.5)),
            "p95": float(np.quantile(present, 0.95)),
        },
    }


def categorical_case(name, ref, cur):
    cats = sorted(set(ref), key=lambda c: (-ref.count(c), c))
    present = [v for v in cur if v is not None]
    rp = np.array([ref.count(c) for c in cats] + [0], dtype=float) / len(ref)
    unseen = sum(1 for v in present if v not in cats)
    cp = np.array([present.count(c) for c in cats] + [unseen], dtype=float) / len(present)
    obs = np.array([present.count(c) for c in cats], dtype=float)
    exp = np.array([ref.count(c) for c in cats], dtype=float) / len(ref) * obs.sum()
    chi = stats.chisquare(obs, exp) if len(cats) >= 2 and obs.sum() > 0 else None
    return {
        "name": name, "type": "categorical", "reference": ref, "window": list(cur),
        "expected": {
            "psi": psi(rp, cp),
            "jensenshannon": float(jensenshannon(rp, cp, base=2)),
            "chi2": float(chi.statistic) if chi else None,
            "chi2_p_value": float(chi.pvalue) if chi else None,
            "unseen_ratio": unseen / len(present),
            "missing_ratio": 1 - len(present) / len(cur),
        },
    }


def main():
    rng = np.random.default_rng(424242)
    r = lambda a: [round(float(x), 6) for x in a]
    cases = [
        numeric_case("no_drift", r(rng.normal(50, 10, 5000)), r(rng.normal(50, 10, 1000))),
        numeric_case("mean_shift", r(rng.normal(50, 10, 5000)), r(rng.normal(56, 10, 1000))),
        numeric_case("variance_change", r(rng.normal(0, 1, 3000)), r(rng.normal(0, 2.5, 800))),
        numeric_case("small_reference", r(rng.exponential(2, 400)), r(rng.exponential(2.6, 300))),
        numeric_case("integers_with_ties", [int(x) for x in rng.poisson(4, 2000)], [int(x) for x in rng.poisson(5, 600)]),
        numeric_case("missing_values", r(rng.uniform(0, 1, 2000)),
                     [None if rng.random() < 0.2 else round(float(rng.uniform(0, 1.2)), 6) for _ in range(700)]),
        numeric_case("tiny_window", r(rng.normal(0, 1, 1000)), r(rng.normal(0.5, 1, 3))),
        numeric_case("constant_reference", [7.0] * 500, [7.0] * 40 + [8.0] * 10),
        numeric_case("constant_window", r(rng.normal(10, 2, 1000)), [10.5] * 200),
        numeric_case("large_reference", r(rng.lognormal(3, 0.7, 20000)), r(rng.lognormal(3.1, 0.7, 5000))),
        categorical_case("categorical_no_drift", list(rng.choice(["ES", "FR", "DE", "IT"], 3000, p=[0.4, 0.3, 0.2, 0.1])),
                         list(rng.choice(["ES", "FR", "DE", "IT"], 600, p=[0.4, 0.3, 0.2, 0.1]))),
        categorical_case("categorical_shift", list(rng.choice(["a", "b", "c"], 2000, p=[0.6, 0.3, 0.1])),
                         list(rng.choice(["a", "b", "c"], 500, p=[0.3, 0.3, 0.4]))),
        categorical_case("new_categories", list(rng.choice(["x", "y"], 1000, p=[0.5, 0.5])),
                         list(rng.choice(["x", "y", "z", "w"], 400, p=[0.3, 0.3, 0.2, 0.2]))),
        categorical_case("categorical_missing", list(rng.choice(["p", "q", "s"], 900)),
                         [None if rng.random() < 0.3 else str(rng.choice(["p", "q", "s"])) for _ in range(300)]),
    ]
    for c in cases:
        c["reference"] = [str(x) if isinstance(x, np.str_) else x for x in c["reference"]]
        c["window"] = [str(x) if isinstance(x, np.str_) else x for x in c["window"]]
    out = {"generator": "Tests/Fixtures/make_drift_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__,
           "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
