// SPDX-License-Identifier: Apache-2.0
// The access policy without a server: bearer parsing, token matching, scopes, models,
// signatures and the replay cache's bounds.

import Foundation
import Logging
import MWHTTP
import MWNative
import Testing
@testable import MWDaemon

@Suite struct AuthorizerTests {
    static func token(_ principal: String, _ token: String, _ scopes: [TokenSettings.Scope], models: [String]? = nil,
                      secret: [UInt8]? = nil) -> AccessToken {
        AccessToken(principal: principal, hash: SHA256.hash(Array(token.utf8)), scopes: Set(scopes), models: models.map(Set.init),
                    hmacKey: secret.map { HMACSHA256Key(key: $0) })
    }

    let tokens = AccessTokens(tokens: [token("svc", "t-svc", [.ingest], models: ["fraud"]), token("prom", "t-prom", [.read]),
                                       token("signer", "t-sig", [.ingest], secret: Array("k".utf8))])

    func route(_ scope: String?, _ pattern: String = "/v1/models/{model}/predictions") -> Router.Route {
        var router = Router()
        router.add("POST", pattern, scope: scope) { _ in .text("") }
        guard case let .found(route, _) = router.match(method: "POST", path: pattern.replacingOccurrences(of: "{model}", with: "m")) else {
            fatalError("no route")
        }
        return route
    }

    func request(_ authorization: String?, model: String? = "fraud", body: String = "", headers: [(String, String)] = []) -> HTTPRequest {
        var h = HTTPHeaders()
        if let authorization { h.add("Authorization", authorization) }
        for (k, v) in headers { h.add(k, v) }
        var r = HTTPRequest(method: "POST", target: "/", path: "/", headers: h, body: Array(body.utf8))
        if let model { r.pathParameters["model"] = model }
        return r
    }

    func status(_ decision: AuthorizationDecision) -> Int {
        switch decision {
        case .allow: return 200
        case .deny(let response): return response.status.code
        }
    }

    @Test func bearerTokensScopesAndModels() {
        let a = Authorizer(tokens: tokens, logger: Logger(label: "test"), clock: { 1_000_000 })
        #expect(Authorizer.bearer("Bearer abc") == "abc" && Authorizer.bearer("bearer  abc") == "abc")
        #expect(Authorizer.bearer("Basic abc") == nil && Authorizer.bearer("Bearer ") == nil && Authorizer.bearer(nil) == nil)
        #expect(status(a.authorize(head: request(nil), route: route("ingest"))) == 401)
        #expect(status(a.authorize(head: request("Bearer nope"), route: route("ingest"))) == 401)
        #expect(status(a.authorize(head: request("Bearer t-svc"), route: route("ingest"))) == 200)
        #expect(status(a.authorize(head: request("Bearer t-svc", model: "churn"), route: route("ingest"))) == 403)
        #expect(status(a.authorize(head: request("Bearer t-svc", model: nil), route: route("ingest", "/v1/models"))) == 403)
        #expect(status(a.authorize(head: request("Bearer t-prom"), route: route("ingest"))) == 403)
        #expect(status(a.authorize(head: request(nil), route: route(nil))) == 200)  // an open route
        let open = Authorizer(tokens: .none, logger: Logger(label: "test"), clock: { 0 })
        #expect(status(open.authorize(head: request(nil), route: route("admin"))) == 200)  // no tokens: open
        let failures = Dictionary(uniqueKeysWithValues: a.metrics.snapshot.failures.map { ($0.reason, $0.count) })
        #expect(failures == ["missing_token": 1, "invalid_token": 1, "forbidden_model": 2, "forbidden_scope": 1])
    }

    @Test func signaturesOverTheBodyAsSentOnceEach() {
        let now = 1_700_000_000.0
        let a = Authorizer(tokens: tokens, replayCapacity: 2, logger: Logger(label: "test"), clock: { now })
        func sign(_ body: String, _ stamp: String) -> [(String, String)] {
            let mac = HMAC.sha256(key: Array("k".utf8), message: Array((stamp + "." + body).utf8))
            return [("X-Modelwatch-Timestamp", stamp), ("X-Modelwatch-Signature", "sha256=" + Hex.encode(mac))]
        }
        let r = route("ingest")
        let ok = request("Bearer t-sig", body: "{}", headers: sign("{}", "1700000000"))
        #expect(a.verify(body: ok, route: r, principal: "signer") == nil)
        #expect(a.verify(body: ok, route: r, principal: "signer")?.status.code == 401)  // replayed
        #expect(a.verify(body: request("Bearer t-sig", body: "{}", headers: sign("{}", "1699999699")), route: r, principal: "signer")?.status.code == 401)
        #expect(a.verify(body: request("Bearer t-sig", body: "{}", headers: sign("{}", "1700000300")), route: r, principal: "signer") == nil)
        #expect(a.verify(body: request("Bearer t-sig", body: "{} ", headers: sign("{}", "1700000001")), route: r, principal: "signer")?.status.code == 401)
        // the cache holds two: a third fresh signature is refused (503), never an old one forgotten
        #expect(a.verify(body: request("Bearer t-sig", body: "[]", headers: sign("[]", "1700000002")), route: r, principal: "signer")?.status.code == 503)
        #expect(a.replayEntries == 2)
        // a principal without a secret needs no signature
        #expect(a.verify(body: request("Bearer t-svc"), route: r, principal: "svc") == nil)
    }

    @Test func replayCacheForgetsOnlyExpiredSignatures() {
        var cache = ReplayCache(capacity: 2)
        #expect(cache.insert([1], expiry: 10, now: 0) == .fresh)
        #expect(cache.insert([1], expiry: 10, now: 5) == .replayed)
        #expect(cache.insert([2], expiry: 20, now: 5) == .fresh)
        #expect(cache.insert([3], expiry: 20, now: 6) == .full)
        #expect(cache.insert([3], expiry: 30, now: 11) == .fresh)  // [1] expired at 10
        #expect(cache.insert([1], expiry: 30, now: 12) == .full)
        #expect(cache.count == 2)
    }
}
