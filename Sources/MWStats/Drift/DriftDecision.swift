// SPDX-License-Identifier: Apache-2.0
// Whether a column has drifted: the `auto` rule of SPEC section 4, or one configured method.

/// Decides drift from a window's statistics under a model's ``DriftSettings``.
///
/// `auto` (Evidently's convention): numeric → KS p-value < `p_value` when the reference has
/// ≤ 1,000 rows, else normalised Wasserstein > 0.1; categorical → chi-square p-value <
/// `p_value` when ≤ 1,000 rows, else Jensen–Shannon > 0.1. A configured method decides alone:
/// `psi` > `psi_threshold`, `ks` and `chi2` p-value < `p_value`, `wasserstein` and
/// `jensenshannon` > 0.1. Where a method does not apply — `chi2` to a numeric column, `ks` or
/// `wasserstein` to a categorical one, Wasserstein against a constant reference, chi-square
/// with one reference category — the column's `auto` test, else Jensen–Shannon, decides.
public enum DriftDecision {
    /// Evidently's threshold for the distance methods.
    public static let distanceThreshold = 0.1
    /// Reference rows up to which `auto` uses a statistical test rather than a distance.
    public static let smallReference = 1_000

    public static func numeric(_ d: NumericDrift, referenceCount: Int, settings: DriftSettings) -> (method: DriftMethod, drifted: Bool) {
        switch settings.method {
        case .psi: return (.psi, d.psi > settings.psiThreshold)
        case .jensenshannon: return (.jensenshannon, d.jensenShannon > distanceThreshold)
        case .ks, .chi2: return (.ks, d.ksPValue < settings.pValue)
        case .wasserstein:
            if let w = d.wasserstein { return (.wasserstein, w > distanceThreshold) }
            return (.jensenshannon, d.jensenShannon > distanceThreshold)
        case .auto:
            if referenceCount <= smallReference { return (.ks, d.ksPValue < settings.pValue) }
            if let w = d.wasserstein { return (.wasserstein, w > distanceThreshold) }
            return (.jensenshannon, d.jensenShannon > distanceThreshold)
        }
    }

    public static func categorical(_ d: CategoricalDrift, referenceCount: Int, settings: DriftSettings) -> (method: DriftMethod, drifted: Bool) {
        switch settings.method {
        case .psi: return (.psi, d.psi > settings.psiThreshold)
        case .jensenshannon: return (.jensenshannon, d.jensenShannon > distanceThreshold)
        case .chi2, .ks, .wasserstein, .auto:
            let test = settings.method != .auto || referenceCount <= smallReference
            if test, let p = d.chiSquarePValue { return (.chi2, p < settings.pValue) }
            return (.jensenshannon, d.jensenShannon > distanceThreshold)
        }
    }
}
