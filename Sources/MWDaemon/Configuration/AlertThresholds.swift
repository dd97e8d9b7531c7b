// SPDX-License-Identifier: Apache-2.0
// Per-model alert thresholds, exported as gauges so one alert rule serves every model.

/// The thresholds a model's alerts compare against (`alerts:` in its settings), exported as
/// `modelwatch_alert_threshold{model, metric}`. The shipped rules join each metric to its
/// threshold on `model`, so one rule serves every model with its own value; a key the settings
/// leave out exports its default. See `docs/monitoring.md` for what each one guards.
public struct AlertThresholds: Sendable, Equatable {
    /// Every threshold: its name (the `metric` label and the settings key), default and meaning.
    public static let catalogue: [(name: String, defaultValue: Double, meaning: String)] = [
        ("accuracy", 0.8, "floor of accuracy on the alert window"),
        ("roc_auc_drop", 0.05, "largest fall of ROC AUC from the baseline window to the alert window"),
        ("f1_drop", 0.05, "largest fall of macro F1 from the baseline window to the alert window"),
        ("error_increase", 0.2, "largest relative rise of MAE or RMSE over the baseline window (regression)"),
        ("drifted_features_share", 0.5, "share of drifted input features at which data drift pages"),
        ("prediction_psi", 0.2, "PSI of the prediction or the label above which they drifted"),
        ("missing_ratio_increase", 0.1, "largest rise of a feature's missing ratio over the baseline window"),
        ("out_of_range_ratio_increase", 0.1, "largest rise of a feature's out-of-range ratio over the baseline window"),
        ("unseen_category_ratio_increase", 0.1, "largest rise of a feature's unseen-category ratio over the baseline window"),
        ("label_coverage", 0.5, "floor of the labelled share of the coverage window's predictions"),
        ("expired_ratio", 0.1, "largest share of predictions expiring without a label"),
        ("latency_p99_seconds", 0.5, "ceiling of the model's p99 inference latency"),
        ("rejected_ratio", 0.05, "largest share of events rejected"),
        ("estimation_gap", 0.1, "largest gap between the realised and the estimated accuracy of the same predictions (the divergence cohort)"),
        ("cohort_coverage_ratio", 0.5, "share of the expected final label coverage the coverage cohort's predictions must have reached"),
        ("cost_increase", 0.5, "largest relative rise of the cost per outcome over the baseline window (with costs set)"),
        ("canary_p_value", 0.01, "p-value below which a canary's difference from its baseline is significant"),
        ("min_outcomes", 100, "outcomes a window needs before performance alerts may fire"),
        // Drift statistics of a few hundred values are noisy (Wasserstein/std of two samples of
        // one distribution reaches 0.1 at n ≈ 200): 500 keeps a quiet model from paging.
        ("min_predictions", 500, "predictions a window needs before drift and data-quality alerts may fire"),
    ]

    /// The values set in the settings, by name; the rest take their defaults.
    public private(set) var overrides: [String: Double] = [:]

    public init() {}

    /// Sets `name` (one of ``catalogue``); false for an unknown name.
    public mutating func set(_ name: String, _ value: Double) -> Bool {
        guard Self.catalogue.contains(where: { $0.name == name }) else { return false }
        overrides[name] = value
        return true
    }

    /// The value of threshold `name` in force (its override, else its default).
    public func value(_ name: String) -> Double? {
        overrides[name] ?? Self.catalogue.first { $0.name == name }?.defaultValue
    }

    /// Equal when every threshold in force is: a default set explicitly equals one left out.
    public static func == (a: Self, b: Self) -> Bool {
        catalogue.allSatisfy { a.value($0.name) == b.value($0.name) }
    }

    /// Every threshold in force, in catalogue order; `psi` is the model's drift PSI threshold,
    /// so the feature-PSI alert and the drift decision never disagree.
    public func effective(psiThreshold: Double) -> [(name: String, value: Double)] {
        [("psi", psiThreshold)] + Self.catalogue.map { ($0.name, overrides[$0.name] ?? $0.defaultValue) }
    }
}
