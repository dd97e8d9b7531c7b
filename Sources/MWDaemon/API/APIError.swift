// SPDX-License-Identifier: Apache-2.0
// API failures as responses: status, stable code, a message to act on, details.

import MWHTTP

extension ModelStoreError {
    /// The error response of SPEC section 3.
    var response: HTTPResponse {
        switch self {
        case .invalidName(let name):
            return .error(.badRequest, code: "invalid_model_name",
                          message: "model name \(name.prefix(80)) must match \(Names.modelNameRule)")
        case .unknownModel(let name):
            return .error(.notFound, code: "unknown_model",
                          message: "no model named \(name); create it with PUT /v1/models/\(name) (allow_unknown_models is off)")
        case .tooManyModels(let limit):
            return .error(.conflict, code: "too_many_models",
                          message: "the daemon already tracks \(limit) models (limits.max_models); DELETE one or raise the limit")
        case let .conflict(field, message):
            return .error(.conflict, code: "settings_conflict", message: message, details: [JSONString.quoted(field)])
        }
    }
}

extension BodyError {
    /// 400 for an unparseable body, 413 for too many events.
    var response: HTTPResponse {
        switch self {
        case .empty:
            return .error(.badRequest, code: "empty_body", message: "the body is empty; send a JSON object, an array of objects, or NDJSON")
        case let .syntax(error, line):
            let place = line.map { "line \($0)" } ?? "byte \(error.offset + 1)"
            return .error(.badRequest, code: "invalid_json", message: "cannot parse the body at \(place): \(error.message); nothing was accepted")
        case .tooManyEvents(let limit):
            return .error(.payloadTooLarge, code: "too_many_events",
                          message: "more than \(limit) events in one request (limits.max_events_per_request); split the batch; nothing was accepted")
        }
    }
}

extension HTTPResponse {
    /// The body as text (for logs).
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
