// SPDX-License-Identifier: Apache-2.0
// PUT, GET and DELETE of /v1/models/{model}, and GET /v1/models.

import Logging
import MWHTTP
import MWSockets
import MWStats

/// The model administration and status routes.
struct ModelHandlers: Sendable {
    let store: ModelStore
    let clock: @Sendable () -> Double
    let logger: Logger
    /// Settings changes and deletions are logged and acknowledged through it.
    let journal: Journal

    func list(_ context: RequestContext) -> HTTPResponse {
        let now = clock()
        let models = store.all().map { box in
            StatusJSON.summary(box.state.withLock { state in
                state.expire(now: now)  // pending counts as of now
                return state.summary
            })
        }
        return .json(StatusJSON.encode(["models": models]))
    }

    /// `GET /`: the HTML status page, every model with its health.
    func page(_ context: RequestContext) -> HTTPResponse {
        let now = clock()
        let rows = store.all().map { box -> StatusPage.Row in
            let (report, summary) = box.state.withLock { ($0.report(now: now), $0.summary) }
            return StatusPage.Row(summary: summary, health: ModelHealth(report, thresholds: box.settings.withLock { $0.alerts }))
        }
        return .text(StatusPage.html(rows, now: now), contentType: "text/html; charset=utf-8")
    }

    func get(_ context: RequestContext) -> HTTPResponse {
        let name = context.request.pathParameters["model"] ?? ""
        guard let box = store.existing(name) else { return ModelStoreError.unknownModel(name).response }
        return .json(StatusJSON.encode(detail(box)))
    }

    func put(_ context: RequestContext) {
        if let refusal = journal.refusal() { return context.respond(refusal) }
        var sequence: UInt64?
        let response = put(context.request) { box in
            sequence = journal.append(.putModel, time: clock(), box: box, model: box.name, ndjson: false, body: context.request.body)
        }
        journal.respond(after: sequence, response, to: context)
    }

    func delete(_ context: RequestContext) {
        if let refusal = journal.refusal() { return context.respond(refusal) }
        var sequence: UInt64?
        let response = delete(context.request) {
            sequence = journal.append(.deleteModel, time: clock(), box: nil, model: context.request.pathParameters["model"] ?? "", ndjson: false, body: [])
        }
        journal.respond(after: sequence, response, to: context)
    }

    private func put(_ request: HTTPRequest, whileLocked: (ModelBox) -> Void) -> HTTPResponse {
        let name = request.pathParameters["model"] ?? ""
        guard let text = String(validating: request.body, as: UTF8.self) else {
            return .error(.badRequest, code: "invalid_json", message: "the body is not UTF-8")
        }
        let settings: ModelSettings
        do {
            settings = try ConfigurationLoader.decodeModelSettings(text)
        } catch {
            return .error(.badRequest, code: "invalid_settings", message: error.description,
                          details: [JSONString.quoted(error.key)])
        }
        let created: Bool
        do {
            created = try store.put(name, settings: settings, whileLocked: whileLocked)
        } catch {
            logger.audit(principal: request.principal, client: request.remoteAddress, action: "put", model: name, outcome: "refused: \(error)")
            return error.response
        }
        logger.audit(principal: request.principal, client: request.remoteAddress, action: "put", model: name, outcome: created ? "created" : "updated")
        guard let box = store.existing(name) else { return ModelStoreError.unknownModel(name).response }
        return .json(StatusJSON.encode(detail(box)), status: created ? .created : .ok)
    }

    private func delete(_ request: HTTPRequest, whileLocked: () -> Void) -> HTTPResponse {
        let name = request.pathParameters["model"] ?? ""
        guard store.delete(name, whileLocked: whileLocked) else {
            logger.audit(principal: request.principal, client: request.remoteAddress, action: "delete", model: name, outcome: "unknown model")
            return ModelStoreError.unknownModel(name).response
        }
        logger.audit(principal: request.principal, client: request.remoteAddress, action: "delete", model: name, outcome: "deleted")
        return .json(StatusJSON.encode(["deleted": name]))
    }

    private func detail(_ box: ModelBox) -> [String: Any] {
        let now = clock()
        let (report, summary, options) = box.state.withLock { ($0.report(now: now), $0.summary, $0.options) }
        return StatusJSON.detail(report, summary: summary, settings: box.settings.withLock { $0 }, options: options)
    }

}
