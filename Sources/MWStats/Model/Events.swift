// SPDX-License-Identifier: Apache-2.0
// Decoded events as the server hands them to the statistics core.

/// A `prediction` or `label` value as sent: a class (string, boolean, integer) or a number.
public enum TargetValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case number(Double)
}

/// A feature value: numbers are numeric, strings and booleans categorical, `null` missing.
public enum FeatureValue: Sendable, Equatable {
    case number(Double)
    case category(String)
    case missing
}

/// One named feature of an event.
public struct Feature: Sendable, Equatable {
    public var name: String
    public var value: FeatureValue

    public init(name: String, value: FeatureValue) {
        self.name = name
        self.value = value
    }
}

/// One class probability of a multiclass `scores` object.
public struct ClassScore: Sendable, Equatable {
    public var className: String
    public var probability: Double

    public init(className: String, probability: Double) {
        self.className = className
        self.probability = probability
    }
}

/// A prediction event (SPEC section 3), already checked for syntax, types, ranges and limits.
public struct PredictionEvent: Sendable, Equatable {
    public var id: String?
    public var version: String?
    /// Unix seconds; nil means the arrival time.
    public var timestamp: Double?
    public var features = Features()
    public var prediction: TargetValue?
    public var score: Double?
    public var scores: [ClassScore]?
    public var latencyMs: Double?
    /// Ground truth known at prediction time: an outcome at once.
    public var label: TargetValue?
    /// Named business values (`"business": {"revenue": 12.5}`), summed per window.
    public var business: [BusinessValue] = []
    /// Named strings about the event that are not model inputs (`"tags": {"region": "eu"}`):
    /// not tracked for drift or data quality; a segment `tag:<name>` splits by one.
    public var tags: [EventTag] = []

    public init() {}
}

/// One tag of a prediction: a name (as a feature name) and a string value.
public struct EventTag: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One named business value of an event: money, clicks, whatever the model is judged by.
public struct BusinessValue: Sendable, Equatable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// A label event: ground truth for an earlier (or later) prediction with the same id.
public struct LabelEvent: Sendable, Equatable {
    public var id: String
    public var label: TargetValue
    public var timestamp: Double?
    /// Used only to attribute a label that never meets its prediction.
    public var version: String?
    /// Business values known when the outcome is (a purchase's amount), summed at arrival.
    public var business: [BusinessValue] = []

    public init(id: String, label: TargetValue, timestamp: Double? = nil, version: String? = nil, business: [BusinessValue] = []) {
        self.id = id
        self.label = label
        self.timestamp = timestamp
        self.version = version
        self.business = business
    }
}

/// Why one event of a batch was not accepted: the field, a stable reason code (the `reason`
/// label of `modelwatch_events_rejected_total`) and a message a user can act on.
public struct EventRejection: Error, Sendable, Equatable {
    public var field: String
    public var reason: RejectionReason
    public var message: String

    public init(field: String, reason: RejectionReason, message: String) {
        self.field = field
        self.reason = reason
        self.message = message
    }
}

/// What ingesting a batch did.
public struct IngestResult: Sendable, Equatable {
    public var accepted = 0
    public var duplicates = 0
    /// Rejected events by their index in the request.
    public var errors: [(index: Int, rejection: EventRejection)] = []

    public init() {}

    public static func == (a: IngestResult, b: IngestResult) -> Bool {
        a.accepted == b.accepted && a.duplicates == b.duplicates && a.errors.map(\.index) == b.errors.map(\.index)
            && a.errors.map(\.rejection) == b.errors.map(\.rejection)
    }
}
