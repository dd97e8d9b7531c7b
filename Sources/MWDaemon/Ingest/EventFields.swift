// SPDX-License-Identifier: Apache-2.0
// The fields of prediction and label events (SPEC section 3), checked as they are read.

import MWStats

extension EventDecoder {
    /// Decodes one prediction object. Syntax errors throw; field errors are returned, the rest of
    /// the object still being read so that the next event can be decoded.
    static func prediction(_ s: inout JSONScanner, _ limits: EventLimits, requirePrediction: Bool = true,
                           names: inout FeatureNameCache) throws(JSONSyntaxError) -> Result<PredictionEvent, EventRejection> {
        var event = PredictionEvent()
        var fields = FieldReader(limits: limits)
        try s.expect(UInt8(ascii: "{"), "'{'")
        if !s.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try s.string()
                try s.expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
                switch key {
                case "id": event.id = try fields.id(&s, key, bit: 0)
                case "version": event.version = try fields.version(&s, key, bit: 1)
                case "timestamp": event.timestamp = try fields.timestamp(&s, key, bit: 2)
                case "features": event.features = try fields.features(&s, key, bit: 3, previous: &names)
                case "prediction": event.prediction = try fields.target(&s, key, bit: 4)
                case "score": event.score = try fields.probability(&s, key, bit: 5)
                case "scores": event.scores = try fields.scores(&s, key, bit: 6)
                case "latency_ms": event.latencyMs = try fields.latency(&s, key, bit: 7)
                case "label": event.label = try fields.target(&s, key, bit: 8)
                case "business": event.business = try fields.business(&s, key, bit: 9)
                case "tags": event.tags = try fields.tags(&s, key, bit: 10)
                default: try fields.unknown(&s, key, known: "id, version, timestamp, features, prediction, score, scores, latency_ms, label, business, tags")
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        if let problem = fields.problem { return .failure(problem) }
        if event.prediction == nil && requirePrediction {
            return .failure(EventRejection(field: "prediction", reason: .missingField, message: "prediction is required"))
        }
        if event.score != nil && event.scores != nil {
            return .failure(EventRejection(field: "scores", reason: .conflictingFields,
                                           message: "send score (binary) or scores (multiclass), not both"))
        }
        return .success(event)
    }

    /// Decodes one label object.
    static func label(_ s: inout JSONScanner, _ limits: EventLimits) throws(JSONSyntaxError) -> Result<LabelEvent, EventRejection> {
        var id: String?, label: TargetValue?, timestamp: Double?, version: String?, business: [BusinessValue] = []
        var fields = FieldReader(limits: limits)
        try s.expect(UInt8(ascii: "{"), "'{'")
        if !s.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try s.string()
                try s.expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
                switch key {
                case "id": id = try fields.id(&s, key, bit: 0)
                case "label": label = try fields.target(&s, key, bit: 1)
                case "timestamp": timestamp = try fields.timestamp(&s, key, bit: 2)
                case "version": version = try fields.version(&s, key, bit: 3)
                case "business": business = try fields.business(&s, key, bit: 4)
                default: try fields.unknown(&s, key, known: "id, label, timestamp, version, business")
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        if let problem = fields.problem { return .failure(problem) }
        guard let id else { return .failure(EventRejection(field: "id", reason: .missingField, message: "id is required to join a label to its prediction")) }
        guard let label else { return .failure(EventRejection(field: "label", reason: .missingField, message: "label is required")) }
        return .success(LabelEvent(id: id, label: label, timestamp: timestamp, version: version, business: business))
    }
}

/// Reads typed fields and remembers the first problem of the event.
struct FieldReader {
    let limits: EventLimits
    private(set) var problem: EventRejection?
    private var seen: UInt32 = 0

    init(limits: EventLimits) { self.limits = limits }

    /// `features.<name>`, built only when an error needs it.
    static func featureField(_ name: String) -> String { "features." + String(name.prefix(128)) }

    mutating func fail(_ field: String, _ reason: RejectionReason, _ message: String) {
        if problem == nil { problem = EventRejection(field: field, reason: reason, message: message) }
    }

    /// False (and a problem) when the field appeared before.
    mutating func first(_ key: String, _ bit: UInt32) -> Bool {
        if seen & (1 << bit) != 0 {
            fail(key, .duplicateField, "\(key) appears twice in one event")
            return false
        }
        seen |= 1 << bit
        return true
    }

    func kind(_ value: JSONScalar) -> String {
        switch value {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .compound(let what): return what
        }
    }

    /// A finite number, or nil with a problem recorded.
    mutating func finite(_ number: JSONNumber, _ field: @autoclosure () -> String) -> Double? {
        switch number {
        case .finite(let x) where x.isFinite: return x
        case .finite: fail(field(), .outOfRange, "\(field()) is out of the range of a double"); return nil
        case .notFinite(let word): fail(field(), .notFinite, "\(field()) is \(word); only finite numbers are accepted"); return nil
        }
    }

    mutating func unknown(_ s: inout JSONScanner, _ key: String, known: String) throws(JSONSyntaxError) {
        try s.skipValue(depth: limits.maxDepth - 2)
        fail(key, .unknownField, "unknown field \(key); an event has \(known)")
    }

    mutating func id(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> String? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        guard case .string(let id) = value else { fail(key, .invalidType, "id must be a string, got \(kind(value))"); return nil }
        guard (1...EventLimits.maxIDBytes).contains(id.utf8.count) else {
            fail(key, .invalidID, "id must be 1 to \(EventLimits.maxIDBytes) bytes, got \(id.utf8.count)")
            return nil
        }
        return id
    }

    mutating func version(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> String? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        guard case .string(let version) = value else { fail(key, .invalidType, "version must be a string, got \(kind(value))"); return nil }
        guard Names.isValidModelName(version) else {
            fail(key, .invalidName, "version must match \(Names.modelNameRule)")
            return nil
        }
        return version
    }

    mutating func timestamp(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> Double? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        let seconds: Double
        switch value {
        case .number(let n):
            guard let x = finite(n, key) else { return nil }
            seconds = x
        case .string(let text):
            guard let x = RFC3339.parse(text) else {
                fail(key, .invalidTimestamp, "timestamp \(text.prefix(64)) is not RFC 3339 (e.g. 2024-11-24T06:33:20Z)")
                return nil
            }
            seconds = x
        case .null:
            return nil
        default:
            fail(key, .invalidType, "timestamp must be unix seconds or an RFC 3339 string, got \(kind(value))")
            return nil
        }
        guard seconds >= 0 && seconds <= EventLimits.maxTimestamp else {
            fail(key, .outOfRange, "timestamp \(seconds) is outside 1970…9999")
            return nil
        }
        return seconds
    }

    /// `prediction` or `label`: a class (string, boolean, integer) or a number; null is absent.
    mutating func target(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> TargetValue? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        switch value {
        case .string(let text):
            guard text.utf8.count <= limits.maxStringBytes else {
                fail(key, .stringTooLong, "\(key) is \(text.utf8.count) bytes; the limit is \(limits.maxStringBytes) (limits.max_string_bytes)")
                return nil
            }
            return .string(text)
        case .bool(let b): return .bool(b)
        case .number(let n): return finite(n, key).map { .number($0) }
        case .null: return nil
        case .compound:
            fail(key, .invalidType, "\(key) must be a string, boolean or number, got \(kind(value))")
            return nil
        }
    }

    mutating func probability(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> Double? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        if case .null = value { return nil }
        guard case .number(let n) = value else { fail(key, .invalidType, "\(key) must be a number in [0, 1], got \(kind(value))"); return nil }
        guard let p = finite(n, key) else { return nil }
        guard p >= 0 && p <= 1 else { fail(key, .outOfRange, "\(key) \(p) is outside [0, 1]"); return nil }
        return p
    }

    mutating func latency(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> Double? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        if case .null = value { return nil }
        guard case .number(let n) = value else { fail(key, .invalidType, "latency_ms must be a number, got \(kind(value))"); return nil }
        guard let ms = finite(n, key) else { return nil }
        guard ms >= 0 else { fail(key, .outOfRange, "latency_ms \(ms) is negative"); return nil }
        return ms
    }

    /// An object of named scalars (`business`, `tags`), null meaning none: each name checked
    /// against the feature-name rule and for duplicates, each value turned into an entry by
    /// `convert` (nil: refused, the problem noted), at most `limit` entries.
    /// - Parameters:
    ///   - example: the shape the message shows, e.g. `named numbers, e.g. {"revenue": 12.5}`.
    ///   - names: what the names are called in messages (`business value`, `tag`).
    private mutating func namedObject<T>(_ s: inout JSONScanner, _ key: String, bit: UInt32, example: String, names: String,
                                         limit: Int, tooMany: RejectionReason, entries: String,
                                         _ convert: (inout FieldReader, String, String, JSONScalar) -> T?) throws(JSONSyntaxError) -> [T] {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return [] }
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "n") { _ = try s.literal(); return [] }
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            fail(key, .invalidType, "\(key) must be an object of \(example); got \(kind(value))")
            return []
        }
        try s.expect(UInt8(ascii: "{"), "'{'")
        var out: [T] = [], seen: [String] = []
        if s.consume(UInt8(ascii: "}")) { return out }
        repeat {
            let name = try s.string()
            try s.expect(UInt8(ascii: ":"), "':' after \"\(name)\"")
            let value = try s.scalar(depth: limits.maxDepth - 3)
            let field = "\(key).\(name.prefix(64))"
            guard Names.isValidFeatureName(name) else { fail(field, .invalidName, "\(names) names must match \(Names.featureNameRule)"); continue }
            guard let entry = convert(&self, name, field, value) else { continue }
            if seen.contains(name) { fail(field, .duplicateField, "\(name) appears twice in \(key)"); continue }
            seen.append(name)
            out.append(entry)
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in \(key)")
        if out.count > limit { fail(key, tooMany, "\(key) has \(out.count) \(entries); an event may carry \(limit)") }
        return out
    }

    /// `business`: an object of named finite numbers, names as feature names, at most
    /// ``EventLimits/maxBusinessValues``.
    mutating func business(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> [BusinessValue] {
        try namedObject(&s, key, bit: bit, example: "named numbers, e.g. {\"revenue\": 12.5}", names: "business value",
                        limit: EventLimits.maxBusinessValues, tooMany: .tooManyBusinessValues, entries: "values") { reader, name, field, value in
            guard case .number(let n) = value else { reader.fail(field, .invalidType, "\(field) must be a number, got \(reader.kind(value))"); return nil }
            return reader.finite(n, field).map { BusinessValue(name: name, value: $0) }
        }
    }

    /// `tags`: an object of named strings (a number or boolean counts as its text), names as
    /// feature names, values up to ``EventLimits/maxTagBytes``, at most ``EventLimits/maxTags``;
    /// a null tag is absent.
    mutating func tags(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> [EventTag] {
        try namedObject(&s, key, bit: bit, example: "named strings, e.g. {\"region\": \"eu\"}", names: "tag",
                        limit: EventLimits.maxTags, tooMany: .tooManyTags, entries: "entries") { reader, name, field, value in
            let text: String
            switch value {
            case .null: return nil
            case .string(let v): text = v
            case .bool(let b): text = b ? "true" : "false"
            case .number(let n):
                guard let x = reader.finite(n, field) else { return nil }
                text = FeatureValue.categoryName(x)
            case .compound:
                reader.fail(field, .invalidType, "\(field) must be a string, got \(reader.kind(value))")
                return nil
            }
            guard text.utf8.count <= EventLimits.maxTagBytes else {
                reader.fail(field, .stringTooLong, "\(field) is \(text.utf8.count) bytes; a tag value may have \(EventLimits.maxTagBytes)")
                return nil
            }
            return EventTag(name: name, value: text)
        }
    }

    mutating func scores(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> [ClassScore]? {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return nil }
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "n") { _ = try s.literal(); return nil }
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            fail(key, .invalidType, "scores must be an object of class probabilities, got \(kind(value))")
            return nil
        }
        try s.expect(UInt8(ascii: "{"), "'{'")
        var out: [ClassScore] = []
        if s.consume(UInt8(ascii: "}")) { return out }
        repeat {
            let name = try s.string()
            try s.expect(UInt8(ascii: ":"), "':' after \"\(name)\"")
            let value = try s.scalar(depth: limits.maxDepth - 3)
            let field = "scores.\(name.prefix(64))"
            guard name.utf8.count <= limits.maxStringBytes else { fail(field, .stringTooLong, "class name longer than \(limits.maxStringBytes) bytes"); continue }
            guard case .number(let n) = value else { fail(field, .invalidType, "\(field) must be a number in [0, 1], got \(kind(value))"); continue }
            guard let p = finite(n, field) else { continue }
            guard p >= 0 && p <= 1 else { fail(field, .outOfRange, "\(field) \(p) is outside [0, 1]"); continue }
            if out.contains(where: { $0.className == name }) { fail(field, .duplicateField, "class \(name) appears twice in scores"); continue }
            out.append(ClassScore(className: name, probability: p))
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in scores")
        if out.count > limits.maxClasses {
            fail(key, .tooManyClasses, "scores has \(out.count) classes; the limit is \(limits.maxClasses) (limits.max_classes)")
        }
        return out
    }
}
