// SPDX-License-Identifier: Apache-2.0
// Which cohorts of predictions a model exports, and how long it waits before trusting labels.

/// Predictions made between `lower` and `upper` seconds ago (`1d-2d`: yesterday's), as
/// whole slices of the cohort ring.
public struct CohortSpec: Sendable, Equatable {
    /// The `cohort` label value: `0-1d`, `1d-2d`, …
    public let name: String
    public let lower: Double
    public let upper: Double

    public init(name: String, lower: Double, upper: Double) {
        self.name = name
        self.lower = lower
        self.upper = upper
    }

    /// `0-1d`, `1d-2d`, `2d-7d`.
    public static let defaults = [CohortSpec(name: "0-1d", lower: 0, upper: 86400), CohortSpec(name: "1d-2d", lower: 86400, upper: 172_800),
                                  CohortSpec(name: "2d-7d", lower: 172_800, upper: 604_800)]
}

/// The delay after which a prediction's label is trusted to have arrived, if it ever does.
public enum Maturity: Sendable, Equatable {
    case fixed(Double)
    /// The observed 90th percentile of the label delay (the upper bound of the delay
    /// histogram's bucket that holds it).
    case auto
}

/// The delays the label-delay profile reports the labelled share within.
public let labelProfileDelays: [(name: String, seconds: Double)] = [("1h", 3600), ("1d", 86400), ("7d", 604_800)]
