#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates comparison.json: a canary against its baseline, the tests as statsmodels and scipy
compute them.

- accuracy: statsmodels' proportions_ztest (pooled, two-sided) and
  confint_proportions_2indep(method="newcomb"), on counts from tiny to large, near 0, 0.5 and 1;
- mean absolute error: scipy.stats.ttest_ind(equal_var=False) on absolute errors, with its 95 %
  confidence interval, given to the Swift side as count, mean and sum of squares;
- ROC AUC: sklearn's AUC of each sample and the Hanley-McNeil (1982) standard errors written out
  here from the paper (no library has them), for the z-test of the difference.

    /tmp/nm/bin/python Tests/Fixtures/make_comparison_fixtures.py   # numpy, scipy, statsmodels, scikit-learn
"""
import json
import math
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest


def proportions():
    out = []
    for x1, n1, x2, n2 in [(45, 50, 40, 50), (9000, 10000, 9100, 10000), (1, 20, 0, 25), (19, 20, 25, 25), (500, 1000, 500, 1000),
                           (7, 30, 12, 31), (180, 200, 150, 180), (99_000, 100_000, 98_700, 100_000), (3, 3, 2, 5)]:
        z, p = proportions_ztest([x1, x2], [n1, n2])
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        out.append({"x1": x1, "n1": n1, "x2": x2, "n2": n2, "z": float(z), "p": float(p), "low": float(low), "high": float(high)})
    return out


def welch():
    rng = np.random.default_rng(3)
    out = []
    for n1, n2, s1, s2, shift in [(50, 60, 1.0, 1.5, 0.0), (1000, 900, 2.0, 2.0, 0.1), (5, 7, 1, 3, 1.0), (20_000, 20_000, 3, 3, 0.05),
                                  (2, 3, 1, 1, 0.5)]:
        a = np.abs(rng.normal(shift, s1, n1))
        b = np.abs(rng.normal(0, s2, n2))
        r = stats.ttest_ind(a, b, equal_var=False)
        ci = r.confidence_interval(0.95)
        out.append({"n1": n1, "mean1": float(a.mean()), "ss1": float((a * a).sum()),
                    "n2": n2, "mean2": float(b.mean()), "ss2": float((b * b).sum()),
                    "t": float(r.statistic), "p": float(r.pvalue), "low": float(ci.low), "high": float(ci.high)})
    return out


def hanley_mcneil(a, npos, nneg):
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    return (a * (1 - a) + (npos - 1) * (q1 - a * a) + (nneg - 1) * (q2 - a * a)) / (npos * nneg)


def auc():
    rng = np.random.default_rng(5)
    out = []
    for n, sep1, sep2 in [(400, 1.0, 1.0), (2000, 1.2, 0.9), (100, 2.0, 0.5)]:
        def sample(sep):
            y = rng.random(n) < 0.3
            s = rng.normal(np.where(y, sep, 0), 1)
            return roc_auc_score(y, s), int(y.sum()), int((~y).sum())
        a1, p1, q1 = sample(sep1)
        a2, p2, q2 = sample(sep2)
        se = math.sqrt(hanley_mcneil(a1, p1, q1) + hanley_mcneil(a2, p2, q2))
        d = a1 - a2
        out.append({"auc1": a1, "pos1": p1, "neg1": q1, "auc2": a2, "pos2": p2, "neg2": q2, "z": d / se,
                    "p": float(2 * stats.norm.sf(abs(d / se))), "low": d - 1.959963984540054 * se, "high": d + 1.959963984540054 * se})
    return out


def t_quantiles():
    return [{"df": df, "q": float(stats.t.ppf(0.975, df))} for df in [1, 2, 3.5, 10, 30, 117.3, 1000, 1e6]]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "comparison.json")
    with open(path, "w") as f:
        json.dump({"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "proportions": proportions(),
                   "welch": welch(), "auc": auc(), "t_quantiles": t_quantiles()}, f, indent=1)


if __name__ == "__main__":
    main()
