// SPDX-License-Identifier: Apache-2.0
// A read-only picture of a model at one instant: what /metrics and /v1/models show.

/// One window of one version, merged at the report's instant.
public struct WindowReport: Sendable {
    public let window: WindowSpec
    /// The window's predictions, the outcomes whose label arrived in it, and their metrics.
    public let performance: PerformanceSummary
    /// Performance estimated from the calibrated scores of the window's predictions, before
    /// their labels arrive; nil without a calibrated reference or below `min_samples`
    /// estimated predictions.
    public let estimated: EstimatedMetrics?
    /// Sums of the business values that arrived in the window, by name.
    public let business: [(name: String, sum: Double)]
    /// The cost of the window's outcomes under the model's `costs`, and the expected cost of
    /// its estimated predictions; nil without costs, outcomes or estimates.
    public let cost: Double?
    public let expectedCost: Double?
    /// Drift and data quality of the window's features, prediction and label.
    public let drift: WindowDrift
}

/// Counters and windows of one `(model, version)`.
public struct VersionReport: Sendable {
    public let name: String
    public let predictions: UInt64
    public let duplicatePredictions: UInt64
    public let labels: LabelCounts
    /// Outcomes since start by class index (classification).
    public let outcomes: [(actual: Int, predicted: Int, count: UInt64)]
    public let regressionOutcomes: UInt64
    public let latency: BucketHistogram
    public let labelDelay: BucketHistogram
    /// Server time of the last event, 0 before the first.
    public let lastEvent: Double
    public let pendingLabels: Int
    public let windows: [WindowReport]
    /// Concept drift detectors (none before the first outcome).
    public let detectors: [DetectorReport]
    /// Values per reference bin of each feature (`modelwatch_feature_values_total`).
    public let featureBins: [FeatureBins]
    /// Business value sums since start, by name.
    public let businessTotals: [(name: String, sum: Double)]
    /// The cost of every outcome since start under the model's `costs` (nil without).
    public let costTotal: Double?
    /// Performance by prediction time: the configured cohorts, and the matured windows.
    public let cohorts: [CohortReport]
    public let matured: [CohortReport]
    /// How the labels come in.
    public let labelProfile: LabelProfile
    /// Performance per segment value, per segment and window.
    public let segments: [SegmentReport]
}

/// A model's report.
public struct ModelReport: Sendable {
    public let name: String
    public let task: ModelTask?
    public let classNames: [String]
    public let positiveClass: String?
    public let versions: [VersionReport]
    /// Events refused, by reason.
    public let rejected: [(reason: String, count: UInt64)]
    /// Rows of the reference in force (0 without one) and its generation (−1 before the first).
    public let referenceRows: Int
    public let referenceGeneration: Int32
    /// The reference's proportion per bin of each input feature (empty without a reference).
    public let referenceBins: [FeatureBinRatios]
    /// Feature values not tracked: the model already tracks `max_features_per_event` features.
    public let untrackedFeatureValues: UInt64
    /// The reference's calibration of scores (estimated performance), if any.
    public let calibration: ScoreCalibration?
    /// Every version against the `baseline` setting's, per window.
    public let comparisons: [VersionComparison]
}

extension ModelState {
    /// Expires what is due at `now` and reports every version and window, reusing each
    /// window's merge of its older slices between calls within the same slice.
    public mutating func report(now: Double) -> ModelReport {
        expire(now: now)
        var merged: [[PerformanceSlice]] = []
        var sketches: [[[FeatureSketch]]] = []  // [version][window][column]
        var segments: [[[SegmentMerge]]] = []  // [version][segment][window]
        for v in versionStates.indices {
            merged.append(options.windows.indices.map { w in mergeWindow(version: v, window: w, now: now) })
            sketches.append(options.windows.indices.map { w in
                columns.indices.map { c in mergeColumn(version: v, column: c, window: w, now: now) }
            })
            segments.append(versionStates[v].segments.indices.map { s in
                options.windows.indices.map { w in mergeSegment(version: v, segment: s, window: w, now: now) }
            })
        }
        return makeReport(now: now, merge: { v, w in merged[v][w] }, sketch: { v, w, c in sketches[v][w][c] },
                          segment: { v, s, w in segments[v][s][w] })
    }

    /// The report at `now` without expiring or caching (for read-only callers).
    public func snapshotReport(now: Double) -> ModelReport {
        makeReport(now: now, merge: { v, w in versionStates[v].windows[w].merged(at: now) }, sketch: { v, w, c in
            c < versionStates[v].columns.count ? versionStates[v].columns[c].windows.merged(window: w, at: now) : FeatureSketch()
        }, segment: { v, s, w in versionStates[v].segments[s].merged(window: w, at: now) })
    }

    private func makeReport(now: Double, merge: (Int, Int) -> PerformanceSlice, sketch: (Int, Int, Int) -> FeatureSketch,
                            segment: (Int, Int, Int) -> SegmentMerge) -> ModelReport {
        let minSamples = UInt64(max(1, options.minSamples))
        let binary = task == .binary
        let versionReports = versionStates.indices.map { v -> VersionReport in
            let state = versionStates[v]
            let windows = options.windows.indices.map { w -> WindowReport in
                let spec = options.windows[w]
                let slice = merge(v, w)
                return WindowReport(
                    window: spec, performance: PerformanceSummary(slice, task: task, binaryScores: binary, minSamples: minSamples),
                    estimated: slice.estimated.count >= minSamples ? EstimatedMetrics(slice.estimated) : nil,
                    business: zip(businessNames.names, slice.business).map { ($0, $1) },
                    cost: options.costs?.realised(slice, classes: classes.names, positive: positiveClassName),
                    expectedCost: slice.estimated.count >= minSamples
                        ? options.costs?.expected(slice.estimated, classes: classes.names, positive: positiveClassName) : nil,
                    drift: windowDrift(version: v, window: w, predictions: slice.predictions) { c in sketch(v, w, c) })
            }
            return VersionReport(
                name: state.name, predictions: state.predictions, duplicatePredictions: state.duplicatePredictions,
                labels: state.labels, outcomes: state.outcomes.nonZeroCells, regressionOutcomes: state.regressionOutcomes,
                latency: state.latency, labelDelay: state.labelDelay, lastEvent: state.lastEvent,
                pendingLabels: state.pending, windows: windows,
                detectors: state.detectors?.reports ?? [],
                featureBins: featureBins(version: v),
                businessTotals: zip(businessNames.names, state.businessTotals).map { ($0, $1) },
                costTotal: costTotal(version: v),
                cohorts: cohortReports(version: v, now: now), matured: maturedReports(version: v, now: now),
                labelProfile: labelProfile(version: v, now: now),
                segments: segmentReports(version: v) { s, w in segment(v, s, w) })
        }
        return ModelReport(name: name, task: task, classNames: classes.names,
                           positiveClass: task == .binary ? positiveClassName : nil,
                           versions: versionReports,
                           rejected: rejected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                           referenceRows: referenceRows, referenceGeneration: referenceGeneration,
                           referenceBins: referenceBinRatios, untrackedFeatureValues: untrackedFeatureValues,
                           calibration: calibration, comparisons: baselineComparisons(merge: merge, sketch: sketch))
    }
}

extension ModelState {
    /// The cost of version `v`'s outcomes since start: its confusion counters, or its summed
    /// absolute error (regression).
    func costTotal(version v: Int) -> Double? {
        guard let costs = options.costs else { return nil }
        let state = versionStates[v]
        if case .absoluteError(let perUnit) = costs { return state.regressionOutcomes > 0 ? perUnit * state.absoluteErrorTotal : nil }
        var slice = PerformanceSlice()
        slice.classification.confusion = state.outcomes
        return costs.realised(slice, classes: classes.names, positive: positiveClassName)
    }
}

/// The few numbers `GET /v1/models` lists per model, without merging any window.
public struct ModelSummary: Sendable {
    public let name: String
    public let task: ModelTask?
    public let versions: [String]
    public let predictions: UInt64
    public let pendingLabels: Int
    /// Server time of the last event, 0 before the first.
    public let lastEvent: Double
}

extension ModelState {
    public var summary: ModelSummary {
        ModelSummary(name: name, task: task, versions: versionStates.map(\.name),
                     predictions: versionStates.reduce(0) { $0 + $1.predictions }, pendingLabels: pendingLabels,
                     lastEvent: versionStates.map(\.lastEvent).max() ?? 0)
    }
}
