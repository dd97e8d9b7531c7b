// SPDX-License-Identifier: Apache-2.0
// Per-model settings: task, classes, features, drift thresholds, reference, label TTL.

public import MWStats

/// A model's settings (`PUT /v1/models/{model}` or `models:` in the config file).
/// Unset fields take the daemon-wide defaults.
public struct ModelSettings: Sendable, Equatable {
    public var task: ModelTask?
    public var positiveClass: String?
    public var classes: [String]?
    public var features: [String: FeatureSettings] = [:]
    public var drift = DriftSettings()
    public var reference: ReferenceSource = .upload
    /// Seconds a prediction waits for its label.
    public var labelTTL: Double = 7 * 86400
    /// Seconds a label whose prediction has not arrived yet is held before counting `unmatched`.
    public var labelGrace: Double = 600
    public var minSamples: Int?
    public var maxPending: Int = 1_000_000
    /// Thresholds of the shipped alert rules, exported as `modelwatch_alert_threshold`.
    public var alerts = AlertThresholds()
    /// Seconds per slice of the cohort ring (`cohort_slice`).
    public var cohortSlice: Double = 3600
    /// Upper age bounds of the exported cohorts (`cohorts: [1d, 2d, 7d]` → 0-1d, 1d-2d, 2d-7d).
    public var cohortBounds: [Double] = [86400, 172_800, 604_800]
    /// `maturity`: a delay, or `auto` (nil: no matured windows).
    public var maturity: Maturity?
    /// `label_on_expiry`: the label of a prediction whose TTL runs out unlabelled.
    public var labelOnExpiry: TargetValue?
    /// `baseline`: the version the others are compared with (canaries).
    public var baseline: String?
    /// `costs`: what mistakes cost (binary false positive/negative, a matrix, or per unit of error).
    public var costs: Costs?
    /// `segments`: categorical features whose values split performance; `segment_values`: how
    /// many values each exports (the top by volume, then `__other__`).
    public var segments: [String] = []
    public var segmentValues = 20
    /// `segment_drift`: features whose drift is also measured per segment value (the
    /// prediction's always is).
    public var segmentDrift: [String] = []

    public init() {}

    /// The cohorts the bounds name.
    public var cohorts: [CohortSpec] {
        zip([0] + cohortBounds, cohortBounds).map { lower, upper in
            CohortSpec(name: (lower == 0 ? "0" : DurationParser.format(lower)) + "-" + DurationParser.format(upper), lower: lower, upper: upper)
        }
    }
}

extension ModelSettings {
    /// The statistics core's view of these settings under the daemon-wide `configuration`.
    public func options(under configuration: Configuration, exactDriftBudget: ExactDriftBudget? = nil) -> ModelOptions {
        var o = ModelOptions()
        o.exactDriftBudget = exactDriftBudget
        o.task = task
        o.positiveClass = positiveClass
        o.classes = classes
        o.labelTTL = labelTTL
        o.labelGrace = labelGrace
        o.minSamples = minSamples ?? configuration.minSamples
        o.maxPending = maxPending
        o.maxClasses = configuration.limits.maxClasses
        o.maxVersions = configuration.limits.maxVersions
        o.windows = configuration.windows
        o.features = features
        o.drift = drift
        o.reference = reference
        o.maxCategories = configuration.limits.maxCategories
        o.maxFeatures = configuration.limits.maxFeaturesPerEvent
        o.cohortSlice = cohortSlice
        o.cohorts = cohorts
        o.maturity = maturity
        o.labelOnExpiry = labelOnExpiry
        o.baseline = baseline
        o.costs = costs
        o.segments = segments
        o.segmentValues = segmentValues
        o.segmentDrift = segmentDrift
        return o
    }
}
