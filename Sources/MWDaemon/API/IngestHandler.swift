// SPDX-License-Identifier: Apache-2.0
// POST /v1/models/{model}/predictions and /labels.

import MWHTTP
import MWStats
import Synchronization

/// Decodes a batch outside any lock, then applies it under the model's lock, so that the
/// accepted events are visible to the very next request (read-your-writes).
struct IngestHandler: Sendable {
    let store: ModelStore
    let limits: EventLimits
    let clock: @Sendable () -> Double
    /// Per-event errors listed in a response; the counts stay exact beyond it.
    static let maxListedErrors = 1_000

    func predictions(_ request: HTTPRequest) -> HTTPResponse {
        handle(request) { box, body, ndjson, limits throws(BodyError) in
            // Start from the model's last names, and leave this body's for the next.
            let seed = box.recentNames.withLock { $0 }
            var names = FeatureNameCache(known: seed)
            let batch = try EventDecoder.predictions(body, ndjson: ndjson, limits: limits, names: &names)
            if let known = names.known, known !== seed { box.recentNames.withLock { $0 = known } }
            return batch
        } apply: { state, events, now in state.ingest(predictions: events, now: now) }
    }

    func labels(_ request: HTTPRequest) -> HTTPResponse {
        handle(request) { _, body, ndjson, limits throws(BodyError) in try EventDecoder.labels(body, ndjson: ndjson, limits: limits) }
            apply: { state, events, now in state.ingest(labels: events, now: now) }
    }

    private func handle<E>(_ request: HTTPRequest,
                           decode: (ModelBox, [UInt8], Bool, EventLimits) throws(BodyError) -> DecodedBatch<E>,
                           apply: (inout ModelState, [(index: Int, event: E)], Double) -> IngestResult) -> HTTPResponse {
        let name = request.pathParameters["model"] ?? ""
        guard let ndjson = Self.isNDJSON(request) else { return Self.unsupportedMediaType(request) }
        let box: ModelBox
        do { box = try store.model(name, create: true) } catch { return error.response }
        let batch: DecodedBatch<E>
        do { batch = try decode(box, request.body, ndjson, limits) } catch { return error.response }

        var decodeReasons: [String: UInt64] = [:]
        for e in batch.errors { decodeReasons[e.rejection.reason, default: 0] += 1 }
        let now = clock()
        var result = box.state.withLock { state in
            for (reason, count) in decodeReasons { state.countRejected(reason: reason, count: count) }
            return apply(&state, batch.events, now)
        }
        result.errors.append(contentsOf: batch.errors)
        result.errors.sort { $0.index < $1.index }
        return Self.response(result)
    }

    /// `202 {"accepted","duplicates","rejected","errors"}`, or 422 with the same body when any event was refused.
    static func response(_ result: IngestResult) -> HTTPResponse {
        var out = "{\"accepted\":\(result.accepted),\"duplicates\":\(result.duplicates),\"rejected\":\(result.errors.count),\"errors\":["
        out += listedErrors(result.errors).joined(separator: ",")
        out += "]"
        if result.errors.count > maxListedErrors { out += ",\"errors_truncated\":true" }
        out += "}"
        return .json(Array(out.utf8), status: result.errors.isEmpty ? .accepted : .unprocessableContent)
    }

    /// `{"index","field","reason","message"}` for each of the first ``maxListedErrors`` errors.
    static func listedErrors(_ errors: [(index: Int, rejection: EventRejection)]) -> [String] {
        errors.prefix(maxListedErrors).map { e in
            var out = "{\"index\":\(e.index),\"field\":"
            JSONString.append(e.rejection.field, to: &out)
            out += ",\"reason\":"
            JSONString.append(e.rejection.reason, to: &out)
            out += ",\"message\":"
            JSONString.append(e.rejection.message, to: &out)
            return out + "}"
        }
    }

    /// Whether a body is NDJSON (true) or JSON (false); nil for a type neither accepts.
    static func isNDJSON(_ request: HTTPRequest) -> Bool? {
        switch mediaType(request.headers["Content-Type"]) {
        case .json: false
        case .ndjson: true
        case .other: nil
        }
    }

    /// 415 for a body type that is neither JSON nor NDJSON.
    static func unsupportedMediaType(_ request: HTTPRequest) -> HTTPResponse {
        var type = request.headers["Content-Type"] ?? ""
        if case .other(let parsed) = mediaType(type) { type = parsed }
        return .error(.unsupportedMediaType, code: "unsupported_media_type",
                      message: "Content-Type \(type) is not accepted; send application/json or application/x-ndjson")
    }

    enum MediaType: Equatable {
        case json, ndjson
        case other(String)
    }

    /// JSON unless the type says NDJSON; absent or `text/plain` is read as JSON (curl's default
    /// `-d` type, `application/x-www-form-urlencoded`, too: the body decides).
    static func mediaType(_ header: String?) -> MediaType {
        guard let header else { return .json }
        let type = header.split(separator: ";").first.map { HTTPHeaders.trimOWS($0).lowercased() } ?? ""
        switch type {
        case "application/json", "text/json", "text/plain", "application/x-www-form-urlencoded", "": return .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines":
            return .ndjson
        default:
            return type.hasSuffix("+json") ? .json : .other(type)
        }
    }
}
