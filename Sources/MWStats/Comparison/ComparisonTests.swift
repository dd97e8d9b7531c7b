// SPDX-License-Identifier: Apache-2.0
// The significance tests of a canary against its baseline, from the counts a window keeps.

/// A difference between a candidate and its baseline, with its two-sided test and 95 %
/// confidence interval (candidate − baseline).
public struct Difference: Sendable, Equatable {
    public let difference: Double
    /// The test statistic (z or t).
    public let statistic: Double
    public let pValue: Double
    public let low: Double
    public let high: Double
}

/// Tests on two independent samples, as statsmodels and scipy compute them.
public enum ComparisonTests {
    /// z of the 95 % two-sided intervals (`scipy.stats.norm.ppf(0.975)`).
    public static let z95 = 1.959963984540054

    /// Accuracy: `correct₁` of `n₁` (candidate) against `correct₂` of `n₂` (baseline). The test
    /// is statsmodels' `proportions_ztest` (pooled variance, two-sided); the interval Newcombe's
    /// hybrid score interval (`confint_proportions_2indep(method="newcomb")`), which stays
    /// inside [−1, 1] and behaves near 0 and 1 where the Wald interval does not. nil with an
    /// empty sample, or when both proportions are 0 or both 1 (no variance: no test).
    public static func proportions(_ correct1: Double, _ n1: Double, _ correct2: Double, _ n2: Double) -> Difference? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = correct1 / n1, p2 = correct2 / n2
        let pooled = (correct1 + correct2) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else { return nil }
        let z = (p1 - p2) / variance.squareRoot()
        let (l1, u1) = wilson(p1, n1), (l2, u2) = wilson(p2, n2)
        let d = p1 - p2
        return Difference(difference: d, statistic: z, pValue: SpecialFunctions.normalTwoSided(z),
                          low: d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot(),
                          high: d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot())
    }

    /// The Wilson score interval of a proportion (`proportion_confint(method="wilson")`).
    public static func wilson(_ p: Double, _ n: Double) -> (low: Double, high: Double) {
        let z2 = z95 * z95
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z95 * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return (centre - half, centre + half)
    }

    /// Mean absolute error: Welch's t-test on the absolute errors (`scipy.stats.ttest_ind(
    /// equal_var=False)`), from each sample's count, mean and sum of squares; the interval
    /// uses the Welch–Satterthwaite degrees of freedom. nil below 2 outcomes a side or with no
    /// variance.
    public static func welch(mean1: Double, sumSquares1: Double, n1: Double,
                             mean2: Double, sumSquares2: Double, n2: Double) -> Difference? {
        guard n1 >= 2, n2 >= 2 else { return nil }
        let v1 = max(0, (sumSquares1 - n1 * mean1 * mean1) / (n1 - 1)), v2 = max(0, (sumSquares2 - n2 * mean2 * mean2) / (n2 - 1))
        let s1 = v1 / n1, s2 = v2 / n2
        guard s1 + s2 > 0 else { return nil }
        let se = (s1 + s2).squareRoot()
        let t = (mean1 - mean2) / se
        let df = (s1 + s2) * (s1 + s2) / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1))
        let q = studentTQuantile975(df)
        let d = mean1 - mean2
        return Difference(difference: d, statistic: t, pValue: SpecialFunctions.studentTTwoSided(t, degreesOfFreedom: df),
                          low: d - q * se, high: d + q * se)
    }

    /// ROC AUC: the Hanley–McNeil standard error of each (from the AUC and the numbers of
    /// positives and negatives), a z-test of their difference as independent samples.
    public static func rocAUC(_ auc1: Double, positives1: Double, negatives1: Double,
                              _ auc2: Double, positives2: Double, negatives2: Double) -> Difference? {
        guard positives1 > 0, negatives1 > 0, positives2 > 0, negatives2 > 0 else { return nil }
        let se2 = hanleyMcNeilVariance(auc1, positives1, negatives1) + hanleyMcNeilVariance(auc2, positives2, negatives2)
        guard se2 > 0 else { return nil }
        let se = se2.squareRoot()
        let d = auc1 - auc2, z = d / se
        return Difference(difference: d, statistic: z, pValue: SpecialFunctions.normalTwoSided(z), low: d - z95 * se, high: d + z95 * se)
    }

    /// Hanley & McNeil (1982): Var(A) = (A(1−A) + (n₊−1)(Q₁−A²) + (n₋−1)(Q₂−A²)) / (n₊n₋),
    /// Q₁ = A/(2−A), Q₂ = 2A²/(1+A).
    public static func hanleyMcNeilVariance(_ a: Double, _ positives: Double, _ negatives: Double) -> Double {
        let q1 = a / (2 - a), q2 = 2 * a * a / (1 + a)
        return (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives)
    }

    /// `scipy.stats.t.ppf(0.975, df)`: bisection on the two-sided p-value (to 1e-12).
    static func studentTQuantile975(_ df: Double) -> Double {
        guard df.isFinite, df < 1e7 else { return z95 }
        var lo = 0.0, hi = 1000.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if SpecialFunctions.studentTTwoSided(mid, degreesOfFreedom: df) > 0.05 { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return (lo + hi) / 2
    }
}
