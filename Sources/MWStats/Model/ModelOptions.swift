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

    public init() {}

    /// Slices a feature's windows hold at most: every window's ring and the pending slice.
    public var slicesPerFeature: Int { windows.count * slicesPerWindow + 1 }
}
