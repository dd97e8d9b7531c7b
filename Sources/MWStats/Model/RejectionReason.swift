// SPDX-License-Identifier: Apache-2.0
// Why an event (or a settings change) was refused: the `reason` of an error, as the API sends it.

/// The reasons an event or a settings change is refused. The raw value is the wire form: the
/// `reason` of each entry of an ingest response's `errors`, and the `reason` label of
/// `modelwatch_events_rejected_total`.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// The body (or an NDJSON line) is not JSON.
    case invalidJSON = "invalid_json"
    /// An event is not a JSON object.
    case notAnObject = "not_an_object"
    /// A field the event format does not have.
    case unknownField = "unknown_field"
    /// A field (or a feature, business value, tag, class) appears twice.
    case duplicateField = "duplicate_field"
    /// A required field is absent.
    case missingField = "missing_field"
    /// A field's value has the wrong JSON type.
    case invalidType = "invalid_type"
    /// A feature, business value or tag name breaks the naming rule.
    case invalidName = "invalid_name"
    /// An id that is empty, too long or not a string.
    case invalidID = "invalid_id"
    /// A timestamp that is not RFC 3339 or unix seconds in range.
    case invalidTimestamp = "invalid_timestamp"
    /// A number outside its field's range.
    case outOfRange = "out_of_range"
    /// NaN or an infinity.
    case notFinite = "not_finite"
    /// A string over its limit.
    case stringTooLong = "string_too_long"
    /// More features than `limits.max_features`.
    case tooManyFeatures = "too_many_features"
    /// More classes than the model allows.
    case tooManyClasses = "too_many_classes"
    /// More business values than an event (or a model) may carry.
    case tooManyBusinessValues = "too_many_business_values"
    /// More tags than an event may carry.
    case tooManyTags = "too_many_tags"
    /// More versions than a model keeps.
    case tooManyVersions = "too_many_versions"
    /// Fields that exclude each other (score and scores).
    case conflictingFields = "conflicting_fields"
    /// A prediction or label that does not fit the model's task.
    case taskMismatch = "task_mismatch"
    /// A class the model's declared classes do not have.
    case unknownClass = "unknown_class"
    /// Settings that change the task of a model that holds data.
    case taskChange = "task_change"
    /// Settings that change the positive class of a model that holds data.
    case positiveClassChange = "positive_class_change"
    /// Settings that drop a class that has data.
    case classRemoved = "class_removed"
}

extension RejectionReason: CustomStringConvertible {
    /// The wire form, in logs and messages as in responses.
    public var description: String { rawValue }
}
