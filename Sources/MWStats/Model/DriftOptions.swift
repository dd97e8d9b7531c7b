// SPDX-License-Identifier: Apache-2.0
// How a model's features, drift decisions and reference are configured.

/// The declared type of a feature.
public enum FeatureType: String, Sendable, CaseIterable {
    case numeric, categorical
}

/// How a feature's drift is decided.
public enum DriftMethod: String, Sendable, CaseIterable {
    case auto, psi, ks, wasserstein, jensenshannon, chi2
}

/// A declared feature: its type and optional fixed bin edges (numeric).
public struct FeatureSettings: Sendable, Equatable {
    public var type: FeatureType
    public var bins: [Double]?

    public init(type: FeatureType, bins: [Double]? = nil) {
        self.type = type
        self.bins = bins
    }
}

/// Drift decision settings.
public struct DriftSettings: Sendable, Equatable {
    public var method: DriftMethod = .auto
    public var psiThreshold: Double = 0.2
    public var pValue: Double = 0.05
    public init() {}
}

/// Where a model's reference data comes from.
public enum ReferenceSource: Sendable, Equatable {
    /// Uploaded with `PUT /v1/models/{model}/reference`.
    case upload
    /// The first `events` prediction events become the reference.
    case first(events: Int)
}

