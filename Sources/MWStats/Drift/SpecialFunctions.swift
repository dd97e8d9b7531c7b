// SPDX-License-Identifier: Apache-2.0
// The distributions behind the p-values: chi-square and the two-sided Kolmogorov statistic.

import Foundation

/// Survival functions used by the drift tests.
public enum SpecialFunctions {
    /// `scipy.stats.chi2.sf(x, df)`: the regularized upper incomplete gamma Q(df/2, x/2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom df: Double) -> Double {
        guard x > 0 else { return 1 }
        return regularizedGammaQ(df / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): a series below `a + 1`, Lentz's continued fraction above
    /// (Numerical Recipes §6.2), to about 1e-15.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let logPrefix = a * Foundation.log(x) - x - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, term = 1 / a, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * Foundation.exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, Foundation.exp(logPrefix) * h)
    }

    /// `scipy.stats.kstwo.sf(x, n)`: P(Dₙ ≥ x) for the two-sided one-sample Kolmogorov statistic,
    /// which `ks_2samp(method="asymp")` evaluates at n = round(n₁n₂/(n₁+n₂)). Exact where scipy's
    /// closed forms apply (x ≥ 0.5 via Smirnov is approximated below; nx ≤ 1 and nx ≥ n − 1 are
    /// exact), the Pelz–Good expansion elsewhere: within 1e-4 of scipy for n ≥ 30, 5e-3 for n = 5.
    public static func kolmogorovSurvival(_ x: Double, n: Int) -> Double {
        guard n > 0 else { return .nan }
        if x >= 1 { return 0 }
        if x <= 0 { return 1 }
        let nd = Double(n)
        let t = nd * x
        if t <= 1 {  // Ruben–Gambino
            if t <= 0.5 { return 1 }
            var logProbability = 0.0  // log(n!/nⁿ · (2t − 1)ⁿ)
            for i in 1...n { logProbability += Foundation.log(Double(i) / nd * (2 * t - 1)) }
            return 1 - Foundation.exp(logProbability)
        }
        if t >= nd - 1 { return 2 * pow(1 - x, nd) }
        if nd * x * x >= 370 { return 0 }
        return min(1, max(0, 1 - pelzGoodCDF(n: nd, x: x)))
    }

    /// The Pelz–Good (1976) approximation of P(Dₙ ≤ x), as scipy's `_kolmogn_PelzGood`.
    static func pelzGoodCDF(n: Double, x: Double) -> Double {
        let z = n.squareRoot() * x
        let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
        let pi2 = Double.pi * Double.pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2
        let qlog = -pi2 / 8 / z2
        if qlog < -708 { return 0 }
        var q = Foundation.exp(qlog)
        let k1a = -z2, k1b = pi2 / 4
        let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16
        let k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16
        let k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * z4 * z4
        var k = [0.0, 0.0, 0.0, 0.0]
        let maxK = Int((16 * z / Double.pi).rounded(.up))
        if maxK >= 1 {
            for kk in stride(from: maxK, through: 1, by: -1) {
                let m = Double(2 * kk - 1)
                let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
                let qpower = pow(q, Double(8 * kk))
                let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
                for i in 0..<4 { k[i] = k[i] * qpower + coefficients[i] }
            }
        }
        let sqrt2pi = (2 * Double.pi).squareRoot()
        let divisors = [z, 6 * z4, 72 * z4 * z3, 6480 * z4 * z6]
        for i in 0..<4 { k[i] = k[i] * q * sqrt2pi / divisors[i] }
        q = Foundation.exp(-pi2 / 2 / z2)
        var k2extra = 0.0, k3extra = 0.0
        let sqrt3z = 3.0.squareRoot() * z
        if maxK >= 1 {
            for kk in 1...maxK {
                let ks = Double(kk), ks2 = ks * ks
                let qp = pow(q, ks2)
                k2extra += ks2 * qp
                k3extra += (sqrt3z + Double.pi * ks) * (sqrt3z - Double.pi * ks) * ks2 * qp
            }
        }
        k[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
        k[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
        return k[0] + k[1] / n.squareRoot() + k[2] / n + k[3] / (n * n.squareRoot())
    }
}
