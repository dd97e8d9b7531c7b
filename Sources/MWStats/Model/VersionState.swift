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

    init(name: String, options: ModelOptions) {
        self.name = name
        windows = options.windows.map {
            SlidingWindow(length: $0.seconds, sliceCount: options.slicesPerWindow, empty: PerformanceSlice())
        }
    }
}
