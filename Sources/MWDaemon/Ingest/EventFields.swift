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
    private static func featureField(_ name: String) -> String { "features." + String(name.prefix(128)) }

    private mutating func fail(_ field: String, _ reason: RejectionReason, _ message: String) {
        if problem == nil { problem = EventRejection(field: field, reason: reason, message: message) }
    }

    /// False (and a problem) when the field appeared before.
    private mutating func first(_ key: String, _ bit: UInt32) -> Bool {
        if seen & (1 << bit) != 0 {
            fail(key, .duplicateField, "\(key) appears twice in one event")
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

    /// `features`: an object of name: value. While the names equal the previous event's of the
    /// body, position by position, they are neither re-read nor re-validated nor checked for
    /// duplicates (that event passed every check), and the event shares the previous event's
    /// ``FeatureNames``; the first different name switches to the full checks.
    mutating func features(_ s: inout JSONScanner, _ key: String, bit: UInt32,
                           previous: inout FeatureNameCache) throws(JSONSyntaxError) -> Features {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return Features() }
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            if case .null = value { return Features() }
            fail(key, .invalidType, "features must be an object of name: value, got \(kind(value))")
            return Features()
        }
        try s.expect(UInt8(ascii: "{"), "'{'")
        if s.consume(UInt8(ascii: "}")) { return Features() }
        var values: [PackedValue] = []
        var position = 0
        var diverged = true
        if let known = previous.known, known.count > 0, known.count <= limits.maxFeatures {  // (the limit may have changed since)
            diverged = false
            // The common compact shape in one tight loop, writing straight into the values'
            // storage; the loop below takes over wherever it stops (whitespace, another kind of
            // value, an error to report, another name).
            var compact = (position: 0, closed: false)
            values = [PackedValue](unsafeUninitializedCapacity: known.count) { buffer, initialized in
                compact = s.compactKnownFeatures(from: 0, known, maxString: limits.maxStringBytes,
                                                 values: buffer.baseAddress!, strings: &previous.strings)
                initialized = compact.position
            }
            position = compact.position
            while !compact.closed {
                guard position < known.count, known.isLiteral(position),
                      s.consumeString(equalTo: known.start(position), count: known.length(position)) else {
                    diverged = true  // this name is read again below
                    break
                }
                try s.expect(UInt8(ascii: ":"), "':' after \"\(known.names.names[position])\"")
                if problem == nil {
                    if let value = try featureValue(&s, name: known.names.names[position], strings: &previous.strings) {
                        values.append(value)
                    }
                } else {
                    try s.skipValue(depth: limits.maxDepth - 3)  // the event is refused anyway: just read on
                }
                position += 1
                guard s.consume(UInt8(ascii: ",")) else { break }
            }
            if !diverged {
                try s.expect(UInt8(ascii: "}"), "',' or '}' in features")
                guard problem == nil else { return Features() }
                if position == known.count { return Features(names: known.names, packed: values, categories: previous.strings.table) }
                let names = Array(known.names.names.prefix(position))
                previous.remember(names)
                return Features(names: previous.known!.names, packed: values, categories: previous.strings.table)
            }
        }
        // Names read and checked one by one: duplicates by a linear scan while few, a hash table beyond.
        var names = previous.known.map { Array($0.names.names.prefix(position)) } ?? []
        var table: StringTable? = nil
        repeat {
            let name = try s.string()
            try s.expect(UInt8(ascii: ":"), "':' after \"\(name)\"")
            guard problem == nil else { try s.skipValue(depth: limits.maxDepth - 3); continue }
            guard names.count < limits.maxFeatures else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(key, .tooManyFeatures, "more than \(limits.maxFeatures) features (limits.max_features_per_event)")
                continue
            }
            guard Names.isValidFeatureName(name) else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(Self.featureField(name), .invalidName, "feature name \(name.prefix(128)) must match \(Names.featureNameRule)")
                continue
            }
            let duplicate: Bool
            if names.count < 16 {
                duplicate = names.contains(name)
            } else {
                if table == nil { table = StringTable(names) }
                duplicate = !table!.insert(name, at: names.count, in: names)  // compares existing names only
            }
            guard !duplicate else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(Self.featureField(name), .duplicateField, "feature \(name) appears twice")
                continue
            }
            guard let value = try featureValue(&s, name: name, strings: &previous.strings) else { continue }
            names.append(name)
            values.append(value)
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in features")
        guard problem == nil else { return Features() }
        previous.remember(names)
        return Features(names: previous.known!.names, packed: values, categories: previous.strings.table)
    }

    /// One feature value: a number, a category (string or boolean) or missing (null); nil with
    /// a problem recorded for anything else.
    @inline(__always)
    private mutating func featureValue(_ s: inout JSONScanner, name: @autoclosure () -> String,
                                       strings: inout ShortStrings) throws(JSONSyntaxError) -> PackedValue? {
        s.skipWhitespace()
        switch s.peek {
        case UInt8(ascii: "\""):
            if let bytes = s.plainASCIIString() {
                guard bytes.count <= limits.maxStringBytes else {
                    tooLong(name(), bytes.count)
                    return nil
                }
                return strings.category(bytes)
            }
            let text = try s.string()
            guard text.utf8.count <= limits.maxStringBytes else {
                tooLong(name(), text.utf8.count)
                return nil
            }
            return strings.category(text)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard let b = try s.literal() else { return .missing }
            return strings.category(b ? "true" : "false")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let value = try s.scalar(depth: limits.maxDepth - 3)
            fail(Self.featureField(name()), .invalidType, "\(Self.featureField(name())) must be a number, string, boolean or null, got \(kind(value))")
            return nil
        default:
            let number = try s.number()
            return finite(number, Self.featureField(name())).map { PackedValue(number: $0) }
        }
    }

    private mutating func tooLong(_ name: String, _ count: Int) {
        fail(Self.featureField(name), .stringTooLong,
             "\(Self.featureField(name)) is \(count) bytes; the limit is \(limits.maxStringBytes) (limits.max_string_bytes)")
    }
}

/// What decoding a body remembers from event to event: the last accepted feature names (the
/// events of a batch usually list the same names in the same order, so the next event's names
/// are matched byte for byte and shared) and the short category strings already made.
///
/// `known` may be seeded with the names of an earlier body (the model's last one): single-event
/// requests from one producer then share one name list too. The category strings are the
/// body's own.
public struct FeatureNameCache {
    public private(set) var known: KnownNames?
    var strings = ShortStrings()

    public init(known: KnownNames? = nil) { self.known = known }

    mutating func remember(_ names: [String]) { known = KnownNames(names) }
}

/// Feature names with their bytes laid end to end, compared in place by the scanner.
/// Immutable once made, so bodies decoded on different threads may share one.
///
/// Each name is kept as the bytes a compact body spells it with, `"name":`, and its first 8
/// bytes (masked to the pattern's length) and last 8 as words: a pattern of up to 16 bytes is
/// recognised with one or two word comparisons. A name JSON must escape (a quote, a backslash,
/// a control character) is never spelt by its own bytes, so it never matches in place and is
/// always read by the general code.
public final class KnownNames: @unchecked Sendable {
    let names: FeatureNames
    let count: Int
    /// `"name":` for each name, end to end.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    private let words: UnsafeMutablePointer<PatternWords>

    struct PatternWords {
        var head: UInt64
        var headMask: UInt64
        var tail: UInt64
        /// The pattern's length; `unmatchable` for a name that needs escaping.
        var length: Int
    }

    /// Longer than any body: ``matches(_:at:)`` is never reached for such a name.
    static let unmatchable = Int.max >> 2

    init(_ names: [String]) {
        self.names = FeatureNames(names)
        count = names.count
        let total = names.reduce(0) { $0 + $1.utf8.count + 3 }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: count + 1)
        words = .allocate(capacity: max(count, 1))
        var at = 0
        for (i, name) in names.enumerated() {
            starts[i] = at
            let pattern = [UInt8(ascii: "\"")] + Array(name.utf8) + [UInt8(ascii: "\""), UInt8(ascii: ":")]
            for b in pattern { bytes[at] = b; at += 1 }
            let literal = !name.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
            var head: UInt64 = 0, tail: UInt64 = 0
            for (k, b) in pattern.prefix(8).enumerated() { head |= UInt64(b) << (8 * k) }
            for (k, b) in pattern.suffix(8).enumerated() { tail |= UInt64(b) << (8 * k) }
            let mask: UInt64 = pattern.count >= 8 ? ~0 : (1 << (8 * UInt64(pattern.count))) - 1
            words[i] = PatternWords(head: head, headMask: mask, tail: tail, length: literal ? pattern.count : Self.unmatchable)
        }
        starts[count] = at
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        words.deallocate()
    }

    /// Name `i`'s bytes, without the quotes.
    @inline(__always) func start(_ i: Int) -> UnsafePointer<UInt8> { UnsafePointer(bytes + starts[i] + 1) }
    /// Name `i`'s length in bytes.
    @inline(__always) func length(_ i: Int) -> Int { starts[i + 1] - starts[i] - 3 }
    /// Whether name `i` can be matched by its own bytes (it needs no escape).
    @inline(__always) func isLiteral(_ i: Int) -> Bool { words[i].length != Self.unmatchable }
    /// The length of `"name":` for name `i` (``unmatchable`` when it needs escaping).
    @inline(__always) func patternLength(_ i: Int) -> Int { words[i].length }

    /// Whether the bytes at `s` start with `"name":` for name `i`, a literal name; at least
    /// `max(8, patternLength(i))` bytes must be readable there.
    @inline(__always)
    func matches(_ i: Int, at s: UnsafePointer<UInt8>) -> Bool {
        let w = words[i], raw = UnsafeRawPointer(s)
        guard (raw.loadUnaligned(as: UInt64.self) ^ w.head) & w.headMask == 0 else { return false }
        if w.length <= 8 { return true }
        guard raw.loadUnaligned(fromByteOffset: w.length - 8, as: UInt64.self) == w.tail else { return false }
        if w.length <= 16 { return true }
        return JSONScanner.bytesEqual(s + 8, bytes + starts[i] + 8, count: w.length - 16)
    }
}

/// The category strings of one body's events (see ``CategoryStrings``), with those of up to
/// 7 ASCII bytes entered once: a direct-mapped table keyed by the bytes packed into a word
/// (a category such as "ES" or "mobile" repeats on every line).
struct ShortStrings {
    let table = CategoryStrings()
    private var keys = [UInt64](repeating: 0, count: 64)
    private var indices = [Int](repeating: 0, count: 64)

    /// The value of the category spelt by `bytes` (plain ASCII).
    @inline(__always)
    mutating func category(_ bytes: UnsafeBufferPointer<UInt8>) -> PackedValue {
        let n = bytes.count
        guard n <= 7 else { return PackedValue(category: table.append(String(decoding: bytes, as: UTF8.self))) }
        var key: UInt64 = 0
        for j in 0..<n { key |= UInt64(bytes[j]) << (8 * j) }
        return category(bytes, key: Self.key(word: key, count: n))
    }

    /// The key of a string of `n` ≤ 7 bytes held in the low lanes of `word` (others zero).
    @inline(__always)
    static func key(word: UInt64, count n: Int) -> UInt64 { word | UInt64(n &+ 1) << 56 }  // never 0: an empty slot never matches

    /// The value of the category spelt by `bytes` (plain ASCII, at most 7), whose ``key(word:count:)`` is `key`.
    @inline(__always)
    mutating func category(_ bytes: UnsafeBufferPointer<UInt8>, key: UInt64) -> PackedValue {
        let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 58)
        if keys[slot] == key { return PackedValue(category: indices[slot]) }
        let index = table.append(String(decoding: bytes, as: UTF8.self))
        keys[slot] = key
        indices[slot] = index
        return PackedValue(category: index)
    }

    /// The value of category `text`.
    mutating func category(_ text: String) -> PackedValue { PackedValue(category: table.append(text)) }
}
