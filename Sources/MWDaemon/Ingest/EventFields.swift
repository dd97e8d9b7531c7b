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
                default: try fields.unknown(&s, key, known: "id, version, timestamp, features, prediction, score, scores, latency_ms, label")
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        if let problem = fields.problem { return .failure(problem) }
        if event.prediction == nil && requirePrediction {
            return .failure(EventRejection(field: "prediction", reason: "missing_field", message: "prediction is required"))
        }
        if event.score != nil && event.scores != nil {
            return .failure(EventRejection(field: "scores", reason: "conflicting_fields",
                                           message: "send score (binary) or scores (multiclass), not both"))
        }
        return .success(event)
    }

    /// Decodes one label object.
    static func label(_ s: inout JSONScanner, _ limits: EventLimits) throws(JSONSyntaxError) -> Result<LabelEvent, EventRejection> {
        var id: String?, label: TargetValue?, timestamp: Double?, version: String?
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
                default: try fields.unknown(&s, key, known: "id, label, timestamp, version")
                }
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "}"), "',' or '}'")
        }
        if let problem = fields.problem { return .failure(problem) }
        guard let id else { return .failure(EventRejection(field: "id", reason: "missing_field", message: "id is required to join a label to its prediction")) }
        guard let label else { return .failure(EventRejection(field: "label", reason: "missing_field", message: "label is required")) }
        return .success(LabelEvent(id: id, label: label, timestamp: timestamp, version: version))
    }
}

/// Reads typed fields and remembers the first problem of the event.
struct FieldReader {
    let limits: EventLimits
    private(set) var problem: EventRejection?
    private var seen: UInt32 = 0

    init(limits: EventLimits) { self.limits = limits }

    /// `features.<name>`, built only when an error needs it.
    private static func featureField(_ name: String) -> String { "features." + String(name.prefix(128)) }

    private mutating func fail(_ field: String, _ reason: String, _ message: String) {
        if problem == nil { problem = EventRejection(field: field, reason: reason, message: message) }
    }

    /// False (and a problem) when the field appeared before.
    private mutating func first(_ key: String, _ bit: UInt32) -> Bool {
        if seen & (1 << bit) != 0 {
            fail(key, "duplicate_field", "\(key) appears twice in one event")
            return false
        }
        seen |= 1 << bit
        return true
    }

    private func kind(_ value: JSONScalar) -> String {
        switch value {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .compound(let what): return what
        }
    }

    /// A finite number, or nil with a problem recorded.
    private mutating func finite(_ number: JSONNumber, _ field: @autoclosure () -> String) -> Double? {
        switch number {
        case .finite(let x) where x.isFinite: return x
        case .finite: fail(field(), "out_of_range", "\(field()) is out of the range of a double"); return nil
        case .notFinite(let word): fail(field(), "not_finite", "\(field()) is \(word); only finite numbers are accepted"); return nil
        }
    }

    mutating func unknown(_ s: inout JSONScanner, _ key: String, known: String) throws(JSONSyntaxError) {
        try s.skipValue(depth: limits.maxDepth - 2)
        fail(key, "unknown_field", "unknown field \(key); an event has \(known)")
    }

    mutating func id(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> String? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        guard case .string(let id) = value else { fail(key, "invalid_type", "id must be a string, got \(kind(value))"); return nil }
        guard (1...EventLimits.maxIDBytes).contains(id.utf8.count) else {
            fail(key, "invalid_id", "id must be 1 to \(EventLimits.maxIDBytes) bytes, got \(id.utf8.count)")
            return nil
        }
        return id
    }

    mutating func version(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> String? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        guard case .string(let version) = value else { fail(key, "invalid_type", "version must be a string, got \(kind(value))"); return nil }
        guard Names.isValidModelName(version) else {
            fail(key, "invalid_name", "version must match \(Names.modelNameRule)")
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
                fail(key, "invalid_timestamp", "timestamp \(text.prefix(64)) is not RFC 3339 (e.g. 2024-11-24T06:33:20Z)")
                return nil
            }
            seconds = x
        case .null:
            return nil
        default:
            fail(key, "invalid_type", "timestamp must be unix seconds or an RFC 3339 string, got \(kind(value))")
            return nil
        }
        guard seconds >= 0 && seconds <= EventLimits.maxTimestamp else {
            fail(key, "out_of_range", "timestamp \(seconds) is outside 1970…9999")
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
                fail(key, "string_too_long", "\(key) is \(text.utf8.count) bytes; the limit is \(limits.maxStringBytes) (limits.max_string_bytes)")
                return nil
            }
            return .string(text)
        case .bool(let b): return .bool(b)
        case .number(let n): return finite(n, key).map { .number($0) }
        case .null: return nil
        case .compound:
            fail(key, "invalid_type", "\(key) must be a string, boolean or number, got \(kind(value))")
            return nil
        }
    }

    mutating func probability(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> Double? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        if case .null = value { return nil }
        guard case .number(let n) = value else { fail(key, "invalid_type", "\(key) must be a number in [0, 1], got \(kind(value))"); return nil }
        guard let p = finite(n, key) else { return nil }
        guard p >= 0 && p <= 1 else { fail(key, "out_of_range", "\(key) \(p) is outside [0, 1]"); return nil }
        return p
    }

    mutating func latency(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> Double? {
        let value = try s.scalar(depth: limits.maxDepth - 2)
        guard first(key, bit) else { return nil }
        if case .null = value { return nil }
        guard case .number(let n) = value else { fail(key, "invalid_type", "latency_ms must be a number, got \(kind(value))"); return nil }
        guard let ms = finite(n, key) else { return nil }
        guard ms >= 0 else { fail(key, "out_of_range", "latency_ms \(ms) is negative"); return nil }
        return ms
    }

    mutating func scores(_ s: inout JSONScanner, _ key: String, bit: UInt32) throws(JSONSyntaxError) -> [ClassScore]? {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return nil }
        s.skipWhitespace()
        if s.peek == UInt8(ascii: "n") { _ = try s.literal(); return nil }
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            fail(key, "invalid_type", "scores must be an object of class probabilities, got \(kind(value))")
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
            guard name.utf8.count <= limits.maxStringBytes else { fail(field, "string_too_long", "class name longer than \(limits.maxStringBytes) bytes"); continue }
            guard case .number(let n) = value else { fail(field, "invalid_type", "\(field) must be a number in [0, 1], got \(kind(value))"); continue }
            guard let p = finite(n, field) else { continue }
            guard p >= 0 && p <= 1 else { fail(field, "out_of_range", "\(field) \(p) is outside [0, 1]"); continue }
            if out.contains(where: { $0.className == name }) { fail(field, "duplicate_field", "class \(name) appears twice in scores"); continue }
            out.append(ClassScore(className: name, probability: p))
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in scores")
        if out.count > limits.maxClasses {
            fail(key, "too_many_classes", "scores has \(out.count) classes; the limit is \(limits.maxClasses) (limits.max_classes)")
        }
        return out
    }

    mutating func features(_ s: inout JSONScanner, _ key: String, bit: UInt32,
                           previous: inout FeatureNameCache) throws(JSONSyntaxError) -> [Feature] {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return [] }
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            if case .null = value { return [] }
            fail(key, "invalid_type", "features must be an object of name: value, got \(kind(value))")
            return []
        }
        try s.expect(UInt8(ascii: "{"), "'{'")
        var out: [Feature] = []
        if s.consume(UInt8(ascii: "}")) { return out }
        var names: NameTable? = nil
        // While every name equals the previous event's at its position, names are neither
        // re-validated nor checked for duplicates: that event passed both checks.
        var matching = true
        repeat {
            let name: String
            let position = out.count
            if matching, position < previous.names.count, s.consumeString(equalTo: previous.bytes[position]) {
                name = previous.names[position]
            } else {
                matching = false
                name = try s.string()
            }
            try s.expect(UInt8(ascii: ":"), "':' after \"\(name)\"")
            let value = try s.scalar(depth: limits.maxDepth - 3)
            guard problem == nil else { continue }  // the event is refused anyway: just read on
            guard out.count < limits.maxFeatures else {
                fail(key, "too_many_features", "more than \(limits.maxFeatures) features (limits.max_features_per_event)")
                continue
            }
            guard matching || Names.isValidFeatureName(name) else {
                fail(Self.featureField(name), "invalid_name", "feature name \(name.prefix(128)) must match \(Names.featureNameRule)")
                continue
            }
            // Duplicate names: a linear scan while small, a hash table beyond.
            var duplicate = false
            if matching {
                // a prefix of a checked event's names: no duplicates
            } else if out.count < 16 {
                duplicate = out.contains(where: { $0.name == name })
            } else {
                if names == nil {
                    names = NameTable()
                    for f in out { _ = names!.insert(f.name, at: names!.count, in: out) }
                }
                // Every path below appends the feature or stops the checks (a problem), so
                // `out.count` is where this name lands.
                duplicate = !names!.insert(name, at: out.count, in: out)
            }
            if duplicate { fail(Self.featureField(name), "duplicate_field", "feature \(name) appears twice"); continue }
            switch value {
            case .number(let n):
                guard let x = finite(n, Self.featureField(name)) else { continue }
                out.append(Feature(name: name, value: .number(x)))
            case .string(let text):
                guard text.utf8.count <= limits.maxStringBytes else {
                    fail(Self.featureField(name), "string_too_long",
                         "\(Self.featureField(name)) is \(text.utf8.count) bytes; the limit is \(limits.maxStringBytes) (limits.max_string_bytes)")
                    continue
                }
                out.append(Feature(name: name, value: .category(text)))
            case .bool(let b): out.append(Feature(name: name, value: .category(b ? "true" : "false")))
            case .null: out.append(Feature(name: name, value: .missing))
            case .compound:
                fail(Self.featureField(name), "invalid_type", "\(Self.featureField(name)) must be a number, string, boolean or null, got \(kind(value))")
            }
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in features")
        if problem == nil && (!matching || out.count != previous.names.count) { previous.remember(out) }
        return out
    }
}

/// The feature names of the last accepted event of a body, as strings and as raw bytes: the
/// events of one batch usually list the same features in the same order, so the next event's
/// names are matched byte for byte and reused (no validation, string creation or duplicate check).
struct FeatureNameCache {
    private(set) var names: [String] = []
    private(set) var bytes: [[UInt8]] = []

    mutating func remember(_ features: [Feature]) {
        names = features.map(\.name)
        bytes = names.map { Array($0.utf8) }
    }
}

/// A set of feature names held as indices into the event's feature list: FNV-1a over the
/// name's bytes into open addressing, a string comparison only on equal hashes — several times
/// cheaper than `Set<String>` (SipHash, resizing) for the few dozen names of a wide event.
struct NameTable {
    private var slots = [Int32](repeating: -1, count: 64)
    private var hashes = [UInt32](repeating: 0, count: 64)
    private(set) var count = 0

    static func hash(_ name: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in name.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// Adds `name`, which is (or will be) `features[index].name`; false when an equal name is
    /// already in.
    mutating func insert(_ name: String, at index: Int, in features: [Feature]) -> Bool {
        if 2 * (count + 1) > slots.count { grow(features) }
        let h = Self.hash(name)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while slots[i] >= 0 {
            if hashes[i] == h && features[Int(slots[i])].name == name { return false }
            i = (i + 1) & mask
        }
        slots[i] = Int32(index)
        hashes[i] = h
        count += 1
        return true
    }

    private mutating func grow(_ features: [Feature]) {
        let old = zip(slots, hashes).filter { $0.0 >= 0 }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        hashes = [UInt32](repeating: 0, count: slots.count)
        let mask = slots.count - 1
        for (slot, h) in old {
            var i = Int(h) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = slot
            hashes[i] = h
        }
    }
}
