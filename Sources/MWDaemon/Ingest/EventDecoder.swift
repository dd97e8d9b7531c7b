// SPDX-License-Identifier: Apache-2.0
// Request bodies to decoded events: one object, an array, or NDJSON; per-event errors.

public import MWStats
#if canImport(Glibc)
import Glibc
#endif

/// The limits of SPEC section 3 that apply while decoding.
public struct EventLimits: Sendable {
    public var maxEvents = 100_000
    public var maxFeatures = 1_000
    public var maxStringBytes = 1_024
    public var maxDepth = 32
    public var maxClasses = 100
    static let maxIDBytes = 128
    /// Business values one event may carry.
    public static let maxBusinessValues = 16
    /// Tags one prediction may carry, and the longest tag value.
    public static let maxTags = 16
    public static let maxTagBytes = 256
    /// Latest accepted timestamp: 9999-12-31T23:59:59Z.
    static let maxTimestamp = 253_402_300_799.0

    public init() {}

    public init(_ limits: Limits) {
        maxEvents = limits.maxEventsPerRequest
        maxFeatures = limits.maxFeaturesPerEvent
        maxStringBytes = limits.maxStringBytes
        maxDepth = limits.maxJSONDepth
        maxClasses = limits.maxClasses
    }
}

/// Why a whole body was refused; nothing of it is accepted.
public enum BodyError: Error, Equatable {
    case empty
    /// Unparseable; `line` is the NDJSON line (1-based) when known.
    case syntax(JSONSyntaxError, line: Int?)
    case tooManyEvents(limit: Int)
}

/// The events of one body, with the index of each in the request and the per-event errors.
public struct DecodedBatch<Event> {
    public var events: [(index: Int, event: Event)] = []
    public var errors: [(index: Int, rejection: EventRejection)] = []
}

/// Decodes request bodies straight from bytes into events (no intermediate JSON tree).
///
/// Body shapes: a JSON object (one event), a JSON array of objects, or NDJSON (one object per
/// line; also recognised without the `application/x-ndjson` type when a second object follows
/// the first). An array or a single object that does not parse is refused whole (400); in NDJSON
/// each line stands alone, so a broken line is a per-event error unless every line is broken.
/// Event indices count array elements, or non-blank NDJSON lines, from 0.
public enum EventDecoder {
    typealias One<E> = (inout JSONScanner, EventLimits) throws(JSONSyntaxError) -> Result<E, EventRejection>

    public static func predictions(_ body: [UInt8], ndjson: Bool, limits: EventLimits) throws(BodyError) -> DecodedBatch<PredictionEvent> {
        var names = FeatureNameCache()
        return try predictions(body, ndjson: ndjson, limits: limits, names: &names)
    }

    /// As ``predictions(_:ndjson:limits:)``, starting from (and leaving in `names`) the
    /// feature names of the last accepted event.
    public static func predictions(_ body: [UInt8], ndjson: Bool, limits: EventLimits,
                                   names: inout FeatureNameCache) throws(BodyError) -> DecodedBatch<PredictionEvent> {
        try decode(body, ndjson: ndjson, limits: limits) { (s: inout JSONScanner, l: EventLimits) throws(JSONSyntaxError) in
            try prediction(&s, l, names: &names)
        }
    }

    /// Reference rows: shaped like prediction events, `prediction` optional (SPEC section 3).
    public static func referenceRows(_ body: [UInt8], ndjson: Bool, limits: EventLimits) throws(BodyError) -> DecodedBatch<PredictionEvent> {
        var names = FeatureNameCache()
        return try decode(body, ndjson: ndjson, limits: limits) { (s: inout JSONScanner, l: EventLimits) throws(JSONSyntaxError) in
            try prediction(&s, l, requirePrediction: false, names: &names)
        }
    }

    public static func labels(_ body: [UInt8], ndjson: Bool, limits: EventLimits) throws(BodyError) -> DecodedBatch<LabelEvent> {
        try decode(body, ndjson: ndjson, limits: limits, one: label)
    }

    static func decode<E>(_ body: [UInt8], ndjson: Bool, limits: EventLimits, one: One<E>) throws(BodyError) -> DecodedBatch<E> {
        let result: Result<DecodedBatch<E>, BodyError> = body.withUnsafeBytes { raw in
            var s = JSONScanner(raw)
            s.skipWhitespace()
            if s.atEnd { return .failure(.empty) }
            do throws(BodyError) {
                if s.peek == UInt8(ascii: "[") && !ndjson { return .success(try array(&s, limits, one)) }
                if !ndjson {
                    guard s.peek == UInt8(ascii: "{") else {
                        return .failure(.syntax(s.error("the body must be a JSON object, an array of objects, or NDJSON"), line: nil))
                    }
                    // One object, unless another follows: then it is NDJSON sent without its type.
                    var batch = DecodedBatch<E>()
                    do throws(JSONSyntaxError) {
                        add(try one(&s, limits), at: 0, to: &batch)
                    } catch {
                        return .failure(.syntax(error, line: nil))
                    }
                    s.skipWhitespace()
                    if s.atEnd { return .success(batch) }
                    if s.peek != UInt8(ascii: "{") {
                        return .failure(.syntax(s.error("unexpected data after the event object"), line: nil))
                    }
                }
                return .success(try lines(raw, limits, one))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func add<E>(_ decoded: Result<E, EventRejection>, at index: Int, to batch: inout DecodedBatch<E>) {
        switch decoded {
        case .success(let event): batch.events.append((index, event))
        case .failure(let rejection): batch.errors.append((index, rejection))
        }
    }

    private static func array<E>(_ s: inout JSONScanner, _ limits: EventLimits, _ one: One<E>) throws(BodyError) -> DecodedBatch<E> {
        var batch = DecodedBatch<E>()
        let complete: Bool
        do throws(JSONSyntaxError) {
            complete = try elements(&s, limits, one, into: &batch)
        } catch {
            throw .syntax(error, line: nil)
        }
        guard complete else { throw .tooManyEvents(limit: limits.maxEvents) }
        return batch
    }

    /// Reads the array's events into `batch`; false when it holds more than the event limit.
    private static func elements<E>(_ s: inout JSONScanner, _ limits: EventLimits, _ one: One<E>,
                                    into batch: inout DecodedBatch<E>) throws(JSONSyntaxError) -> Bool {
        try s.expect(UInt8(ascii: "["), "'['")
        var index = 0
        if !s.consume(UInt8(ascii: "]")) {
            repeat {
                guard index < limits.maxEvents else { return false }
                s.skipWhitespace()
                if s.peek == UInt8(ascii: "{") {
                    add(try one(&s, limits), at: index, to: &batch)
                } else {
                    try s.skipValue(depth: limits.maxDepth - 1)
                    batch.errors.append((index, EventRejection(field: "", reason: .notAnObject,
                                                               message: "each event must be a JSON object")))
                }
                index += 1
            } while s.consume(UInt8(ascii: ","))
            try s.expect(UInt8(ascii: "]"), "',' or ']' in the array of events")
        }
        s.skipWhitespace()
        guard s.atEnd else { throw s.error("unexpected data after the array") }
        return true
    }

    private static func lines<E>(_ raw: UnsafeRawBufferPointer, _ limits: EventLimits, _ one: One<E>) throws(BodyError) -> DecodedBatch<E> {
        var batch = DecodedBatch<E>()
        var firstError: (JSONSyntaxError, Int)?
        var index = 0, lineNumber = 0, start = 0
        let count = raw.count
        while start < count {
            // memchr: the vectorised search for the line's end, not a loop over every byte.
            let newline = memchr(raw.baseAddress! + start, 0x0a, count - start)
            let end = newline.map { raw.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? count
            lineNumber += 1
            var s = JSONScanner(raw, from: start, to: end)
            s.skipWhitespace()
            if !s.atEnd {
                guard index < limits.maxEvents else { throw .tooManyEvents(limit: limits.maxEvents) }
                do throws(JSONSyntaxError) {
                    guard s.peek == UInt8(ascii: "{") else { throw s.error("each NDJSON line must be one JSON object") }
                    let decoded = try one(&s, limits)
                    s.skipWhitespace()
                    guard s.atEnd else { throw s.error("unexpected data after the object") }
                    add(decoded, at: index, to: &batch)
                } catch {
                    if firstError == nil { firstError = (error, lineNumber) }
                    batch.errors.append((index, EventRejection(
                        field: "", reason: .invalidJSON,
                        message: "line \(lineNumber): \(error.message) at byte \(error.offset - start + 1)")))
                }
                index += 1
            }
            start = end + 1
        }
        if batch.events.isEmpty, let (error, line) = firstError, batch.errors.allSatisfy({ $0.rejection.reason == .invalidJSON }) {
            throw .syntax(error, line: line)
        }
        return batch
    }
}
