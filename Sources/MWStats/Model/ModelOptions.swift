// SPDX-License-Identifier: Apache-2.0
// What the statistics core needs to know about a model and the daemon's windows.

/// What a model predicts.
public enum ModelTask: String, Sendable, CaseIterable {
    case binary, multiclass, regression
}

/// A sliding window: its label value (`5m`) and length in seconds.
public struct WindowSpec: Sendable, Equatable {
    public let name: String
    public let seconds: Double

    public init(name: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
    }
}

/// The settings of one model as the statistics core uses them (the daemon maps its
/// configuration onto this).
public struct ModelOptions: Sendable, Equatable {
    /// nil: inferred from the first prediction (see ``ModelState``).
    public var task: ModelTask?
    /// Binary: the class `score` is the probability of. nil: `"1"`, or `"true"` for boolean classes.
    public var positiveClass: String?
    /// Declared classes: others are rejected. nil: classes are learnt as they arrive.
    public var classes: [String]?
    /// Seconds a prediction waits for its label (and is remembered to spot duplicates).
    public var labelTTL: Double = 7 * 86400
    /// Seconds a label whose prediction has not arrived is held before it counts `unmatched`.
    public var labelGrace: Double = 600
    /// Outcomes a window needs before it reports performance.
    public var minSamples: Int = 30
    /// Bound on the join table (pending predictions, and labelled ones kept for duplicate detection).
    public var maxPending: Int = 1_000_000
    public var maxClasses: Int = 100
    public var maxVersions: Int = 100
    public var windows: [WindowSpec] = [WindowSpec(name: "5m", seconds: 300), WindowSpec(name: "1h", seconds: 3600),
                                        WindowSpec(name: "24h", seconds: 86400)]
    /// Slices per window ring.
    public var slicesPerWindow: Int = 60
    /// Declared feature types (and fixed PSI bin edges); others come from the reference or
    /// the first value seen.
    public var features: [String: FeatureSettings] = [:]
    public var drift = DriftSettings()
    public var reference: ReferenceSource = .upload
    /// Categories kept per feature in a reference; the rest count as `__other__`.
    public var maxCategories: Int = 1_000
    /// Distinct features tracked per model; values of further features are counted, not tracked.
    public var maxFeatures: Int = 1_000
    /// The daemon-wide allowance for exact drift statistics (nil: no limit).
    public var exactDriftBudget: ExactDriftBudget?
    /// Seconds per slice of the cohort ring (performance by prediction time).
    public var cohortSlice: Double = 3600
    /// The exported cohorts, by age (each bound a multiple of `cohortSlice`).
    public var cohorts: [CohortSpec] = CohortSpec.defaults
    /// Matured windows: only predictions older than this count (nil: none).
    public var maturity: Maturity?
    /// The label a prediction gets when its TTL runs out unlabelled (implicit feedback: no
    /// click is a "no"); nil: it is counted expired and nothing else.
    public var labelOnExpiry: TargetValue?
    /// The version every other one is compared with (canaries), nil: none.
    public var baseline: String?
    /// The cost of mistakes (nil: no cost metrics).
    public var costs: Costs?
    /// Distinct business value names a model tracks; an event naming one more is rejected.
    public var maxBusinessNames = 32
    /// Categorical features whose values split performance (at most ``maxSegments``).
    public var segments: [String] = []
    /// Values exported per segment (the top by volume), the rest as `__other__`.
    public var segmentValues = 20
    /// Slices of a segment's windows (fewer than a model window's: there are many of them).
    public var segmentSlices = 12
    public static let maxSegments = 4
    /// Features whose drift is measured per segment value as well (the prediction's always is),
    /// at most ``maxSegmentDrift``.
    public var segmentDrift: [String] = []
    public static let maxSegmentDrift = 8

    /// Values a segment keeps in memory: twice the exported ones (at most 250 slots).
    public var trackedSegmentValues: Int { min(2 * segmentValues, 250) }

    public init() {}

    /// Slices of the cohort ring: the label TTL and one slice more (so that cohorts whose
    /// labels can no longer arrive are kept), the oldest cohort, and with maturity the
    /// longest window beyond it; plus the current slice. At most ``maxCohortSlices`` (a label
    /// TTL longer than that many slices leaves the oldest predictions out of the ring).
    public var cohortSliceCount: Int {
        let matured = maturity == nil ? 0 : windows.map(\.seconds).max() ?? 0
        let span = max(labelTTL + cohortSlice, cohorts.last?.upper ?? 0) + matured
        return min(Int(min((span / cohortSlice).rounded(.up), 1e9)) + 1, Self.maxCohortSlices)
    }

    /// The cohort ring's cap: 2,000 slices and the current one (83 days of 1-hour slices; an idle
    /// slice costs about 200 bytes, a busy binary one 4 KB).
    public static let maxCohortSlices = 2_001

    /// Slices a feature's windows hold at most: every window's ring and the pending slice.
    public var slicesPerFeature: Int { windows.count * slicesPerWindow + 1 }
}
