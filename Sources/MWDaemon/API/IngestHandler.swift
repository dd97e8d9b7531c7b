// SPDX-License-Identifier: Apache-2.0
// POST /v1/models/{model}/predictions and /labels.

import MWHTTP
import MWSockets
import MWStats

/// Decodes a batch outside any lock, then applies it under the model's lock, so that the
/// accepted events are visible to the very next request (read-your-writes), and logs the
/// request in the same step (the log's order is the model's); answers once the log says so.
struct IngestHandler: Sendable {
    let store: ModelStore
    let limits: LiveLimits
    let clock: @Sendable () -> Double
    let journal: Journal
    /// Per-event errors listed in a response; the counts stay exact beyond it.
    static let maxListedErrors = 1_000

    func predictions(_ context: RequestContext) {
        handle(context, .predictions) { box, body, ndjson, limits throws(BodyError) in
            // Start from the model's last names, and leave this body's for the next.
            let seed = box.recentNames.withLock { $0 }
            var names = FeatureNameCache(known: seed)
            let batch = try EventDecoder.predictions(body, ndjson: ndjson, limits: limits, names: &names)
            if let known = names.known, known !== seed { box.recentNames.withLock { $0 = known } }
            return batch
        } apply: { state, events, now in state.ingest(predictions: events, now: now) }
    }

    func labels(_ context: RequestContext) {
        handle(context, .labels) { _, body, ndjson, limits throws(BodyError) in try EventDecoder.labels(body, ndjson: ndjson, limits: limits) }
            apply: { state, events, now in state.ingest(labels: events, now: now) }
    }

    private func handle<E>(_ context: RequestContext, _ kind: LogRecord.Kind,
                           decode: (ModelBox, [UInt8], Bool, EventLimits) throws(BodyError) -> DecodedBatch<E>,
                           apply: (inout ModelState, [(index: Int, event: E)], Double) -> IngestResult) {
        if let refusal = journal.refusal() { return context.respond(refusal) }
        let request = context.request
        let name = request.pathParameters["model"] ?? ""
        guard let ndjson = Self.isNDJSON(request) else { return context.respond(Self.unsupportedMediaType(request)) }
        let box: ModelBox
        do { box = try store.model(name, create: true) } catch { return context.respond(error.response) }
        let now = clock()
        let batch: DecodedBatch<E>
        do { batch = try decode(box, request.body, ndjson, limits.current) } catch {
            // Logged all the same: the request created the model, and replay must too.
            let sequence = box.state.withLock { _ in journal.append(kind, time: now, box: box, model: name, ndjson: ndjson, body: request.body) }
            return journal.respond(after: sequence, error.response, to: context)
        }

        var decodeReasons: [String: UInt64] = [:]
        for e in batch.errors { decodeReasons[e.rejection.reason.rawValue, default: 0] += 1 }
        var sequence: UInt64?
        var result = box.state.withLock { state in
            for (reason, count) in decodeReasons { state.countRejected(reason: reason, count: count) }
            let result = apply(&state, batch.events, now)
            sequence = journal.append(kind, time: now, box: box, model: name, ndjson: ndjson, body: request.body)
            return result
        }
        result.errors.append(contentsOf: batch.errors)
        result.errors.sort { $0.index < $1.index }
        journal.respond(after: sequence, Self.response(result), to: context)
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
            JSONString.append(e.rejection.reason.rawValue, to: &out)
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
