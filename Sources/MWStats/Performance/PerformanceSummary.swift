// SPDX-License-Identifier: Apache-2.0
// What any span of predictions says about performance: volume, label coverage, metrics.

/// The performance of a span of predictions (a window, a cohort, a matured window, a segment
/// value's window): how many predictions, how many of them have their label, the outcomes, and
/// the metrics those give once there are `min_samples` of them.
public struct PerformanceSummary: Sendable {
    public let predictions: UInt64
    /// Predictions whose label has arrived.
    public let labelled: UInt64
    /// Outcomes counted (windows: whose label arrived in the window; cohorts: of the cohort's
    /// predictions, with `label_on_expiry` the expired ones too).
    public let outcomes: UInt64
    /// nil below `min_samples` outcomes, or for the other kind of task.
    public let classification: ClassificationMetrics?
    public let regression: RegressionMetrics?

    /// `labelled / predictions`; nil without predictions.
    public var labelCoverage: Double? { predictions > 0 ? Double(labelled) / Double(predictions) : nil }

    /// Summarises `slice` for a model of `task` (nil while no event has said: classification).
    /// - Parameters:
    ///   - binaryScores: the score histograms hold the positive class only (binary AUC, Brier).
    ///   - minSamples: the outcomes below which no metric is given.
    init(_ slice: PerformanceSlice, task: ModelTask?, binaryScores: Bool, minSamples: UInt64) {
        predictions = slice.predictions
        labelled = slice.labelled
        outcomes = slice.classification.confusion.total + slice.regression.count
        let enough = outcomes >= max(1, minSamples)
        classification = enough && task != .regression ? ClassificationMetrics(slice.classification, binary: binaryScores) : nil
        regression = enough && task == .regression ? RegressionMetrics(slice.regression) : nil
    }
}
