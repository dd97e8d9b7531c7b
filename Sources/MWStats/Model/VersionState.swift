// SPDX-License-Identifier: Apache-2.0
// Everything kept for one version of a model: windows and counters.

/// How labels ended up (`modelwatch_labels_total{result}`).
public struct LabelCounts: Sendable, Equatable {
    public var matched: UInt64 = 0
    public var unmatched: UInt64 = 0
    public var duplicate: UInt64 = 0
    public var expired: UInt64 = 0

    public init() {}
}

/// Buckets of the label-delay histogram: one second to thirty days.
public let labelDelayBuckets: [Double] = [1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172_800,
                                          604_800, 2_592_000]

/// The state of one `(model, version)`: a sliding window per configured length, and the
/// counters and histograms exported as Prometheus counters.
struct VersionState: Sendable {
    let name: String
    var windows: [SlidingWindow<PerformanceSlice>]
    var predictions: UInt64 = 0
    var duplicatePredictions: UInt64 = 0
    var labels = LabelCounts()
    /// Classification outcomes since start (`modelwatch_outcomes_total`).
    var outcomes = ConfusionMatrix()
    var regressionOutcomes: UInt64 = 0
    var latency = BucketHistogram(upperBounds: BucketHistogram.latencySeconds)
    var labelDelay = BucketHistogram(upperBounds: labelDelayBuckets)
    /// Server time of the last prediction or label (0 before the first).
    var lastEvent: Double = 0
    /// Predictions waiting for their label.
    var pending = 0
    /// Windows of each tracked column, by the model's column index (grown on first use).
    var columns: [ColumnWindows] = []
    /// Concept drift detectors, created with the first outcome (when the task is known).
    var detectors: ConceptDetectors?
    /// Sums of the business values by the model's business name index, since start.
    var businessTotals: [Double] = []
    /// Σ |error| of regression outcomes since start (for the cost total).
    var absoluteErrorTotal = 0.0
    /// Performance per value of each segment feature.
    var segments: [SegmentTracker]
    /// When the segments were set up: outcomes of older predictions are not entered in them.
    var segmentsSince = -Double.infinity
    /// Performance by prediction time: a ring of ``ModelOptions/cohortSlice`` slices holding,
    /// for the predictions made in each, their labels and outcomes as they arrive.
    var cohorts: SlidingWindow<CohortSlice>

    init(name: String, options: ModelOptions) {
        self.name = name
        windows = options.windows.map {
            SlidingWindow(length: $0.seconds, sliceCount: options.slicesPerWindow, empty: PerformanceSlice())
        }
        cohorts = Self.cohortRing(options)
        segments = options.segments.map { SegmentTracker(name: $0, options: options) }
    }

    static func cohortRing(_ options: ModelOptions) -> SlidingWindow<CohortSlice> {
        let count = options.cohortSliceCount
        return SlidingWindow(length: Double(count) * options.cohortSlice, sliceCount: count, empty: CohortSlice())
    }
}

extension LabelCounts: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        for v in [matched, unmatched, duplicate, expired] { w.integer(v) }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        matched = try r.integer()
        unmatched = try r.integer()
        duplicate = try r.integer()
        expired = try r.integer()
    }
}

extension VersionState {
    func write(to w: inout SnapshotWriter) {
        w.string(name)
        w.array(windows) { $0.value($1) }
        w.integer(predictions)
        w.integer(duplicatePredictions)
        w.value(labels)
        w.value(outcomes)
        w.integer(regressionOutcomes)
        w.value(latency)
        w.value(labelDelay)
        w.double(lastEvent)
        w.int(pending)
        w.array(columns) { $0.value($1) }
        w.optional(detectors) { $0.value($1) }
        w.value(cohorts)
        w.doubles(businessTotals)
        w.double(absoluteErrorTotal)
        w.array(segments) { $1.write(to: &$0) }
        w.double(segmentsSince)
    }

    /// - Parameter options: when its windows differ from the snapshot's (changed in the config
    ///   across the restart), the windows start empty; counters and the rest are kept.
    init(from r: inout SnapshotReader, options: ModelOptions) throws(SnapshotError) {
        self.init(name: try r.string(), options: options)
        let windows = try r.array { (r) throws(SnapshotError) in try r.value(SlidingWindow<PerformanceSlice>.self) }
        let sameWindows = windows.map(\.length) == options.windows.map(\.seconds)
            && windows.allSatisfy { $0.sliceCount == options.slicesPerWindow }
        if sameWindows { self.windows = windows }
        predictions = try r.integer()
        duplicatePredictions = try r.integer()
        labels = try r.value()
        outcomes = try r.value()
        regressionOutcomes = try r.integer()
        latency = try r.value()
        labelDelay = try r.value()
        lastEvent = try r.double()
        pending = try r.int()
        let columns = try r.array { (r) throws(SnapshotError) in try r.value(ColumnWindows.self) }
        self.columns = sameWindows ? columns : columns.map { _ in ColumnWindows(options: options) }
        detectors = try r.optional { (r) throws(SnapshotError) in try r.value(ConceptDetectors.self) }
        if r.layout >= 2 {
            // A ring of other slices (cohort_slice, label_ttl or cohorts changed) starts over.
            let ring = try r.value(SlidingWindow<CohortSlice>.self)
            if ring.length == cohorts.length && ring.sliceCount == cohorts.sliceCount { cohorts = ring }
            businessTotals = try r.doubles()
            absoluteErrorTotal = try r.double()
            let segments = try r.array { (r) throws(SnapshotError) in try SegmentTracker(from: &r, options: options) }
            let since = try r.double()
            // Other segments configured now: they start over (the old slots mean nothing to them).
            if segments.map(\.name) == options.segments {
                self.segments = segments
                segmentsSince = since
            } else {
                segmentsSince = lastEvent + 1e-6
            }
        }
    }
}
