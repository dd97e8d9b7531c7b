#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates small_samples.json: drift of real features with small references and windows.

Columns of scikit-learn's bundled datasets (breast cancer, wine, diabetes; no download) as
references of 100-3,000 rows and windows of 30-5,000 values, unshifted (other rows of the same
data) and shifted (scaled by 1.3, or moved by half a standard deviation). Windows and references
larger than a dataset are drawn from its rows with replacement. Expected values from scipy on the
raw values: ks_2samp's statistic and asymptotic p-value (and its default method="auto" p-value,
to document the difference), wasserstein_distance / std (ddof 0), numpy's quantiles.

    python3 Tests/Fixtures/make_small_sample_fixtures.py   # rewrites small_samples.json
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn import datasets

SEED = 20261201


def case(name, ref, win):
    ref = np.asarray(ref, dtype=float)
    win = np.asarray(win, dtype=float)
    asymp = stats.ks_2samp(ref, win, method="asymp")
    auto = stats.ks_2samp(ref, win)
    return {
        "name": name, "reference": ref.tolist(), "window": win.tolist(),
        "expected": {
            "ks_statistic": float(asymp.statistic),
            "ks_p_value": float(asymp.pvalue),
            "ks_p_value_auto": float(auto.pvalue),
            "wasserstein": float(stats.wasserstein_distance(ref, win) / np.std(ref)),
            "median": float(np.quantile(win, 0.5)),
            "p95": float(np.quantile(win, 0.95)),
        },
    }


def main():
    rng = np.random.default_rng(SEED)
    sources = {
        "breast_cancer": datasets.load_breast_cancer().data,
        "wine": datasets.load_wine().data,
        "diabetes": datasets.load_diabetes().data,
    }
    plan = [  # dataset, feature, reference rows, window values, shift
        ("breast_cancer", 0, 341, 228, "scale"), ("breast_cancer", 3, 341, 228, "none"),
        ("breast_cancer", 7, 341, 30, "scale"), ("breast_cancer", 21, 100, 60, "shift"),
        ("breast_cancer", 27, 1000, 500, "none"), ("breast_cancer", 12, 569, 5000, "scale"),
        ("breast_cancer", 1, 3000, 2000, "shift"), ("breast_cancer", 24, 3000, 300, "none"),
        ("wine", 0, 120, 58, "shift"), ("wine", 4, 178, 400, "none"), ("wine", 9, 150, 1200, "scale"),
        ("wine", 12, 100, 30, "none"),
        ("diabetes", 2, 300, 142, "scale"), ("diabetes", 8, 442, 3000, "shift"), ("diabetes", 0, 250, 4000, "none"),
        ("diabetes", 5, 2500, 5000, "shift"),
    ]
    cases = []
    for dataset, feature, n_ref, n_win, shift in plan:
        column = sources[dataset][:, feature]
        order = rng.permutation(len(column))
        if n_ref <= len(column) // 2 and n_win <= len(column) - n_ref:
            ref, win = column[order[:n_ref]], column[order[n_ref:n_ref + n_win]]
        else:  # more rows than the dataset has: drawn with replacement
            ref = column[rng.integers(0, len(column), n_ref)]
            win = column[rng.integers(0, len(column), n_win)]
        if shift == "scale":
            win = win * 1.3
        elif shift == "shift":
            win = win + 0.5 * np.std(column)
        cases.append(case("%s[%d] ref %d window %d %s" % (dataset, feature, n_ref, n_win, shift), ref, win))
    out = {"generator": "make_small_sample_fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__,
           "scikit-learn": sklearn.__version__, "seed": SEED, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "small_samples.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
