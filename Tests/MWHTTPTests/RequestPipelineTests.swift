// SPDX-License-Identifier: Apache-2.0
// The HTTP policy between the parser and the handler, without sockets.

import MWNative
import MWSockets
import Synchronization
import Testing
@testable import MWHTTP

/// Allows a bearer `good` as principal `alice` on routes with a scope, refuses anything else
/// there; refuses bodies that contain `forged` as sent.
private final class StubAuthorizer: RequestAuthorizer {
    let headChecks = Atomic<Int>(0)

    func authorize(head: HTTPRequest, route: Router.Route) -> AuthorizationDecision {
        headChecks.add(1, ordering: .relaxed)
        guard route.scope != nil else { return .allow(principal: nil) }
        return head.headers["Authorization"] == "Bearer good" ? .allow(principal: "alice")
            : .deny(.error(.unauthorized, code: "unauthorized", message: "no token"))
    }

    func verify(body request: HTTPRequest, route: Router.Route, principal: String?) -> HTTPResponse? {
        String(decoding: request.body, as: UTF8.self).contains("forged")
            ? .error(.unauthorized, code: "bad_signature", message: "forged") : nil
    }
}

/// What a handler saw, for the tests to read.
private final class Seen: Sendable {
    let value = Mutex<RequestContext?>(nil)
}

@Suite struct RequestPipelineTests {
    private static func pipeline(_ seen: Seen, authorizer: (any RequestAuthorizer)? = nil,
                                 offloadBodyBytes: Int = 1024) throws -> RequestPipeline {
        var router = Router()
        router.add("POST", "/v1/models/{model}/labels", scope: "ingest") { context in
            seen.value.withLock { $0 = context }
            return .text("ok")
        }
        router.add("GET", "/open") { _ in .text("open") }
        var configuration = HTTPServerConfiguration(address: try SocketAddress(parsing: "127.0.0.1:0"),
                                                    limits: HTTPParserLimits(maxHeaderBytes: 4096, maxBodyBytes: 1 << 20),
                                                    maxInflatedBodyBytes: 10_000, offloadBodyBytes: offloadBodyBytes)
        configuration.authorizer = authorizer
        return RequestPipeline(router: router, configuration: configuration)
    }

    private static func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [(String, String)] = []) -> HTTPRequest {
        var h = HTTPHeaders()
        for (name, value) in headers { h.add(name, value) }
        return HTTPRequest(method: method, target: path, path: path, headers: h, body: body)
    }

    /// Runs what `dispatch` says and returns the answer (the handler answers before it returns).
    private static func answer(_ pipeline: RequestPipeline, _ request: HTTPRequest,
                               checkedHead: RequestPipeline.CheckedHead? = nil) -> (HTTPResponse, handler: String)? {
        switch pipeline.dispatch(request, checkedHead: checkedHead) {
        case let .answer(response, handler): return (response, handler)
        case let .run(route, bound, _):
            let sink = ResponseSink()
            pipeline.run(route, bound, sink)
            let response = sink.detach { _ in }
            return response.map { ($0, route.name) }
        }
    }

    @Test func unknownPathsAndMethodsAreAnsweredWithoutAHandler() throws {
        let seen = Seen()
        let p = try Self.pipeline(seen)
        let missing = try #require(Self.answer(p, Self.request("GET", "/nope")))
        #expect(missing.0.status == .notFound && missing.handler == "not_found")
        let wrong = try #require(Self.answer(p, Self.request("GET", "/v1/models/m/labels")))
        #expect(wrong.0.status == .methodNotAllowed && wrong.0.headers["Allow"] == "POST")
        #expect(seen.value.withLock { $0 } == nil)
    }

    @Test func theHandlerGetsItsParametersPrincipalDecodedBodyAndRawBody() throws {
        let seen = Seen()
        let p = try Self.pipeline(seen, authorizer: StubAuthorizer())
        let payload = Array("{\"id\":\"a\",\"label\":1}".utf8)
        let compressed = try Gzip.compress(payload)
        let request = Self.request("POST", "/v1/models/fraud%2Dv2/labels", body: compressed,
                                   headers: [("Authorization", "Bearer good"), ("Content-Encoding", "gzip")])
        let (response, handler) = try #require(Self.answer(p, request))
        #expect(response.status == .ok && handler == "/v1/models/{model}/labels")
        let context = try #require(seen.value.withLock { $0 })
        #expect(context.request.pathParameters == ["model": "fraud-v2"])
        #expect(context.principal == "alice")
        #expect(context.request.body == payload && context.rawBody == compressed)
        #expect(context.request.headers["Content-Encoding"] == nil)
    }

    @Test func refusalsComeBeforeTheHandler() throws {
        let seen = Seen()
        let p = try Self.pipeline(seen, authorizer: StubAuthorizer())
        let anonymous = try #require(Self.answer(p, Self.request("POST", "/v1/models/m/labels")))
        #expect(anonymous.0.status == .unauthorized)
        let forged = try #require(Self.answer(p, Self.request("POST", "/v1/models/m/labels", body: Array("forged".utf8),
                                                               headers: [("Authorization", "Bearer good")])))
        #expect(forged.0.status == .unauthorized && forged.0.body == HTTPResponse.error(.unauthorized, code: "bad_signature", message: "forged").body)
        let brotli = try #require(Self.answer(p, Self.request("POST", "/v1/models/m/labels", body: [1, 2],
                                                               headers: [("Authorization", "Bearer good"), ("Content-Encoding", "br")])))
        #expect(brotli.0.status == .unsupportedMediaType)
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 20_000))
        let tooLarge = try #require(Self.answer(p, Self.request("POST", "/v1/models/m/labels", body: bomb,
                                                                 headers: [("Authorization", "Bearer good"), ("Content-Encoding", "gzip")])))
        #expect(tooLarge.0.status == .payloadTooLarge)
        let garbage = try #require(Self.answer(p, Self.request("POST", "/v1/models/m/labels", body: [0x1f, 0x8b, 0, 1, 2],
                                                                headers: [("Authorization", "Bearer good"), ("Content-Encoding", "gzip")])))
        #expect(garbage.0.status == .badRequest)
        #expect(seen.value.withLock { $0 } == nil)
    }

    @Test func aHeadCheckedBeforeItsBodyIsNotCheckedAgain() throws {
        let seen = Seen()
        let authorizer = StubAuthorizer()
        let p = try Self.pipeline(seen, authorizer: authorizer)
        let refused = Self.request("POST", "/v1/models/m/labels")
        guard case let .refused(response, handler) = p.checkHead(refused) else { Issue.record("not refused"); return }
        #expect(response.closeConnection && response.status == .unauthorized && handler == "/v1/models/{model}/labels")
        guard case .unchecked = p.checkHead(Self.request("GET", "/nope")) else { Issue.record("an unrouted head was checked"); return }

        let head = Self.request("POST", "/v1/models/m/labels", headers: [("Authorization", "Bearer good")])
        guard case .allowed(let checked) = p.checkHead(head) else { Issue.record("not allowed"); return }
        let checks = authorizer.headChecks.load(ordering: .relaxed)
        // The whole request (its header since dropped) runs as the checked head allowed it.
        let whole = Self.request("POST", "/v1/models/m/labels", body: Array("{}".utf8))
        let (answer, _) = try #require(Self.answer(p, whole, checkedHead: checked))
        #expect(answer.status == .ok)
        #expect(authorizer.headChecks.load(ordering: .relaxed) == checks)
        #expect(seen.value.withLock { $0 }?.principal == "alice")
        // Without access control nothing is checked on the head.
        guard case .unchecked = try Self.pipeline(seen).checkHead(head) else { Issue.record("checked without an authorizer"); return }
    }

    @Test func largeBodiesAndOffloadedRoutesRunOnAWorker() throws {
        let p = try Self.pipeline(Seen(), offloadBodyBytes: 100)
        guard case .run(_, _, let small) = p.dispatch(Self.request("POST", "/v1/models/m/labels", body: [UInt8](repeating: 32, count: 99)), checkedHead: nil),
              case .run(_, _, let large) = p.dispatch(Self.request("POST", "/v1/models/m/labels", body: [UInt8](repeating: 32, count: 100)), checkedHead: nil)
        else { Issue.record("not run"); return }
        #expect(!small && large)
    }
}
