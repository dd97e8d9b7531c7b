// SPDX-License-Identifier: Apache-2.0
// GET /v1/models/{model}/compare: a canary against its baseline, with the tests.

import MWHTTP
import MWSockets
import MWStats

/// `GET /v1/models/{model}/compare?baseline=a&candidate=b&window=1h`. `baseline` defaults to
/// the model's `baseline` setting, `candidate` to the only other version, `window` to the
/// shortest. Unknown model, version or window: 404 with the names that exist; a missing
/// parameter that has no default: 400.
struct CompareHandler: Sendable {
    let store: ModelStore
    let clock: @Sendable () -> Double

    func compare(_ context: RequestContext) -> HTTPResponse {
        let request = context.request
        let name = request.pathParameters["model"] ?? ""
        guard let box = store.existing(name) else { return ModelStoreError.unknownModel(name).response }
        let now = clock()
        let (versions, windows, setting) = box.state.withLock { ($0.summary.versions, $0.options.windows.map(\.name), $0.options.baseline) }
        guard let baseline = request.queryValue("baseline") ?? setting else {
            return .error(.badRequest, code: "missing_parameter",
                          message: "name the baseline version: ?baseline=VERSION (or set baseline in the model's settings); versions: \(versions.joined(separator: ", "))",
                          details: [JSONString.quoted("baseline")])
        }
        let others = versions.filter { $0 != baseline }
        guard let candidate = request.queryValue("candidate") ?? (others.count == 1 ? others[0] : nil) else {
            return .error(.badRequest, code: "missing_parameter",
                          message: "name the candidate version: ?candidate=VERSION; versions besides \(baseline): \(others.joined(separator: ", "))",
                          details: [JSONString.quoted("candidate")])
        }
        let window = request.queryValue("window") ?? windows.first ?? ""
        for (field, value, known) in [("baseline", baseline, versions), ("candidate", candidate, versions), ("window", window, windows)]
            where !known.contains(value) {
            return .error(.notFound, code: "unknown_\(field == "window" ? "window" : "version")",
                          message: "model \(name) has no \(field == "window" ? "window" : "version") \(value); it has \(known.joined(separator: ", "))",
                          details: [JSONString.quoted(field)])
        }
        guard baseline != candidate else {
            return .error(.badRequest, code: "same_version", message: "baseline and candidate are both \(baseline): compare two versions",
                          details: [JSONString.quoted("candidate")])
        }
        guard let c = box.state.withLock({ $0.compare(candidate: candidate, baseline: baseline, window: window, now: now) }) else {
            return ModelStoreError.unknownModel(name).response
        }
        return .json(StatusJSON.encode(StatusJSON.comparison(model: name, c)))
    }
}
