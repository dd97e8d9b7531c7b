// SPDX-License-Identifier: Apache-2.0
// The distributions behind the comparison tests: normal and Student's t.

import Foundation

extension SpecialFunctions {
    /// `scipy.stats.norm.sf(x)`.
    public static func normalSurvival(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }

    /// The two-sided p-value of a standard normal statistic.
    public static func normalTwoSided(_ z: Double) -> Double { min(1, erfc(abs(z) / 2.0.squareRoot())) }

    /// The two-sided p-value of Student's t with `df` degrees of freedom:
    /// `2 · scipy.stats.t.sf(|t|, df)` = I_{df/(df+t²)}(df/2, 1/2).
    public static func studentTTwoSided(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        guard df > 0 else { return .nan }
        return min(1, regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t)))
    }

    /// I_x(a, b), the regularized incomplete beta function: Lentz's continued fraction
    /// (Numerical Recipes §6.4), on the side where it converges fast, to about 1e-15.
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let logFront = logBeta + logPowers
        if x < (a + 1) / (a + b + 2) {
            return Foundation.exp(logFront) * betaContinuedFraction(a, b, x) / a
        }
        return 1 - Foundation.exp(logFront) * betaContinuedFraction(b, a, 1 - x) / b
    }

    private static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
