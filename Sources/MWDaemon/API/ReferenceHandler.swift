// SPDX-License-Identifier: Apache-2.0
// PUT and GET /v1/models/{model}/reference.

import Logging
import MWHTTP
import MWSockets
import MWStats

/// Reference uploads: rows shaped like prediction events (array or NDJSON, gzip allowed).
/// The rows are decoded and summarised outside the model's lock; the summary then replaces
/// the previous reference in one step, so ingestion never sees half a reference. Any invalid
/// row refuses the whole upload and leaves the reference in force untouched.
struct ReferenceHandler: Sendable {
    let store: ModelStore
    let limits: LiveLimits
    let logger: Logger
    /// Uploads are logged (with the model's lock held while installing) and acknowledged through it.
    let journal: Journal
    let clock: @Sendable () -> Double

    func put(_ context: RequestContext) {
        if let refusal = journal.refusal() { return context.respond(refusal) }
        let request = context.request
        let name = request.pathParameters["model"] ?? ""
        guard let ndjson = IngestHandler.isNDJSON(request) else { return context.respond(IngestHandler.unsupportedMediaType(request)) }
        let box: ModelBox
        do { box = try store.model(name, create: true) } catch { return context.respond(error.response) }
        var sequence: UInt64?
        let log = { sequence = journal.append(.putReference, time: clock(), box: box, model: name, ndjson: ndjson, body: request.body) }
        let response = put(request, name: name, ndjson: ndjson, box: box, log: log)
        journal.respond(after: sequence, response, to: context)
    }

    /// Installs the reference, running `log` under the model's lock when it is installed, and
    /// outside it when the upload is refused (it created the model all the same).
    private func put(_ request: HTTPRequest, name: String, ndjson: Bool, box: ModelBox, log: () -> Void) -> HTTPResponse {
        let batch: DecodedBatch<PredictionEvent>
        do { batch = try EventDecoder.referenceRows(request.body, ndjson: ndjson, limits: limits.current) } catch {
            log()
            return error.response
        }
        guard batch.errors.isEmpty else {
            log()
            logger.audit(principal: request.principal, client: request.remoteAddress, action: "put_reference", model: name, outcome: "refused: \(batch.errors.count) invalid rows")
            return .error(.unprocessableContent, code: "invalid_reference",
                          message: "\(batch.errors.count) of \(batch.errors.count + batch.events.count) reference rows are invalid (first: row \(batch.errors[0].index), \(batch.errors[0].rejection.message)); the reference was not replaced",
                          details: IngestHandler.listedErrors(batch.errors))
        }
        var rows = ReferenceBuilder()
        for (_, event) in batch.events { rows.add(event) }

        // Summarise outside the lock against the model as it is now; redo it under the lock in
        // the rare case its task or settings changed meanwhile.
        let (task, options, positive) = box.state.withLock { ($0.task, $0.options, $0.positiveClassName) }
        let prebuilt = Result { () throws(ReferenceError) in try rows.build(task: task, options: options, strict: true, positiveClass: positive) }
        typealias Installed = (rows: Int, generation: Int32, columns: [(name: String, role: String, reference: ColumnReference)])
        let outcome: Result<Installed, ReferenceError> = box.state.withLock { state in
            Result { () throws(ReferenceError) in
                var reference = try prebuilt.get()
                if state.task != task || state.options != options || state.positiveClassName != positive {
                    reference = try rows.build(task: state.task, options: state.options, strict: true, positiveClass: state.positiveClassName)
                }
                state.install(reference: reference)
                log()
                return (reference.rows, state.referenceGeneration, state.referenceColumns)
            }
        }
        switch outcome {
        case .failure(let error):
            log()
            logger.audit(principal: request.principal, client: request.remoteAddress, action: "put_reference", model: name, outcome: "refused: \(error.message)")
            return .error(.unprocessableContent, code: "invalid_reference",
                          message: "\(error.message); the reference was not replaced", details: [JSONString.quoted(error.field)])
        case .success(let installed):
            logger.audit(principal: request.principal, client: request.remoteAddress, action: "put_reference", model: name,
                         outcome: "replaced: \(installed.rows) rows, generation \(installed.generation)")
            return .json(StatusJSON.encode(StatusJSON.reference(model: name, rows: installed.rows, generation: installed.generation,
                                                                columns: installed.columns)))
        }
    }

    func get(_ context: RequestContext) -> HTTPResponse {
        let name = context.request.pathParameters["model"] ?? ""
        guard let box = store.existing(name) else { return ModelStoreError.unknownModel(name).response }
        let (rows, generation, columns) = box.state.withLock { ($0.referenceRows, $0.referenceGeneration, $0.referenceColumns) }
        guard generation >= 0 else {
            return .error(.notFound, code: "no_reference",
                          message: "model \(name) has no reference yet; upload one with PUT /v1/models/\(name)/reference")
        }
        return .json(StatusJSON.encode(StatusJSON.reference(model: name, rows: rows, generation: generation, columns: columns)))
    }
}
