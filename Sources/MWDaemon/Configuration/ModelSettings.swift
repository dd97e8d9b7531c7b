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

    public init() {}
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
        return o
    }
}
