// SPDX-License-Identifier: Apache-2.0
// The ingestion and model handlers driven through their RequestContext, without a server.

import Foundation
import Logging
@testable import MWHTTP
import Testing
@testable import MWDaemon

/// Handlers over one store, each request answered through a fresh context.
struct HandlerHarness {
    let store: ModelStore
    let ingest: IngestHandler
    let models: ModelHandlers

    init(yaml: String = "") throws {
        store = ModelStore(configuration: try ConfigurationLoader.decode(yaml: yaml))
        let limits = LiveLimits(EventLimits(store.configuration.limits))
        let clock: @Sendable () -> Double = { 1_700_000_000 }
        ingest = IngestHandler(store: store, limits: limits, clock: clock, journal: .none)
        models = ModelHandlers(store: store, clock: clock, logger: Logger(label: "test"), journal: .none)
    }

    /// Runs `handler` on a request and returns its answer (these handlers answer before they return).
    static func call(_ handler: (RequestContext) -> Void, _ method: String, model: String, body: String,
                     contentType: String? = "application/x-ndjson") throws -> (status: Int, json: [String: Any]) {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        var request = HTTPRequest(method: method, target: "/v1/models/\(model)", path: "/v1/models/\(model)", headers: headers,
                                  body: Array(body.utf8))
        request.pathParameters = ["model": model]
        let sink = ResponseSink()
        handler(RequestContext(request: request, sink: sink))
        let response = try #require(sink.detach { _ in })
        let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (Int(response.status.code), json ?? [:])
    }

    func status(_ model: String) throws -> [String: Any] {
        let (code, json) = try Self.call({ $0.respond(models.get($0)) }, "GET", model: model, body: "")
        #expect(code == 200)
        return json
    }
}

@Suite struct IngestHandlerTests {
    @Test func acceptedEventsAreVisibleToTheNextRequest() throws {
        let h = try HandlerHarness()
        let predictions = (0..<4).map { #"{"id":"p\#($0)","prediction":1,"score":0.9}"# }.joined(separator: "\n")
        let (code, body) = try HandlerHarness.call(h.ingest.predictions, "POST", model: "fraud", body: predictions)
        #expect(code == 202 && body["accepted"] as? Int == 4 && body["rejected"] as? Int == 0)
        let labels = (0..<4).map { #"{"id":"p\#($0)","label":\#($0 % 2)}"# }.joined(separator: "\n")
        #expect(try HandlerHarness.call(h.ingest.labels, "POST", model: "fraud", body: labels).status == 202)
        let versions = try #require(try h.status("fraud")["versions"] as? [[String: Any]])
        let window = try #require((versions.first?["windows"] as? [[String: Any]])?.first)
        #expect(window["predictions"] as? Int == 4 && window["outcomes"] as? Int == 4)
        #expect(window["labelled_predictions"] as? Int == 4)
    }

    @Test func aPartlyBadBatchKeepsItsGoodEventsAndNamesTheBadOnes() throws {
        let h = try HandlerHarness()
        let body = [#"{"id":"a","prediction":1}"#, #"{"id":"b"}"#, #"{"id":"c","prediction":0}"#].joined(separator: "\n")
        let (code, json) = try HandlerHarness.call(h.ingest.predictions, "POST", model: "fraud", body: body)
        #expect(code == 422 && json["accepted"] as? Int == 2 && json["rejected"] as? Int == 1)
        let error = try #require((json["errors"] as? [[String: Any]])?.first)
        #expect(error["index"] as? Int == 1 && error["field"] as? String == "prediction")
        // The same ids again are duplicates: the two good events were kept.
        let again = try HandlerHarness.call(h.ingest.predictions, "POST", model: "fraud", body: body)
        #expect(again.json["accepted"] as? Int == 0 && again.json["duplicates"] as? Int == 2)
    }

    @Test func refusalsSayWhatToSend() throws {
        let h = try HandlerHarness(yaml: "allow_unknown_models: false\nmodels:\n  fraud: {task: binary}\n")
        let xml = try HandlerHarness.call(h.ingest.predictions, "POST", model: "fraud", body: "<a/>", contentType: "application/xml")
        #expect(xml.status == 415 && (xml.json["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")
        let unknown = try HandlerHarness.call(h.ingest.predictions, "POST", model: "other", body: #"{"prediction":1}"#)
        #expect(unknown.status == 404 && (unknown.json["error"] as? [String: Any])?["code"] as? String == "unknown_model")
        #expect(h.store.existing("other") == nil)
        let broken = try HandlerHarness.call(h.ingest.predictions, "POST", model: "fraud", body: #"{"prediction":"#)
        #expect(broken.status == 400 && (broken.json["error"] as? [String: Any])?["code"] as? String == "invalid_json")
        let badName = try HandlerHarness.call(h.ingest.labels, "POST", model: "no spaces", body: #"{"id":"a","label":1}"#)
        #expect(badName.status == 400 && (badName.json["error"] as? [String: Any])?["code"] as? String == "invalid_model_name")
    }

    @Test func settingsArePutCheckedAndDeleted() throws {
        let h = try HandlerHarness()
        let created = try HandlerHarness.call(h.models.put, "PUT", model: "churn", body: #"{"task":"multiclass"}"#, contentType: "application/json")
        #expect(created.status == 201)
        #expect(try HandlerHarness.call(h.models.put, "PUT", model: "churn", body: #"{"task":"multiclass","min_samples":5}"#).status == 200)
        let bad = try HandlerHarness.call(h.models.put, "PUT", model: "churn", body: #"{"min_samples":"many"}"#)
        #expect(bad.status == 400 && (bad.json["error"] as? [String: Any])?["details"] as? [String] == ["min_samples"])
        #expect(try HandlerHarness.call(h.models.delete, "DELETE", model: "churn", body: "").status == 200)
        #expect(try HandlerHarness.call(h.models.delete, "DELETE", model: "churn", body: "").status == 404)
    }
}
