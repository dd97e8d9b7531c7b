// SPDX-License-Identifier: Apache-2.0
// Route matching: literals, parameters, 405 with Allow, HEAD via GET.

import Testing
@testable import MWHTTP

@Suite struct RouterTests {
    private func router() -> Router {
        var r = Router()
        r.add("GET", "/v1/models") { _ in .text("list") }
        r.add("GET", "/v1/models/{model}") { context in .text("get \(context.request.pathParameters["model"] ?? "")") }
        r.add("PUT", "/v1/models/{model}") { _ in .text("put") }
        r.add("POST", "/v1/models/{model}/labels") { _ in .text("labels") }
        return r
    }

    @Test func literalAndParameterRoutes() {
        guard case let .found(route, parameters) = router().match(method: "GET", path: "/v1/models/fraud") else {
            Issue.record("no match"); return
        }
        #expect(route.name == "/v1/models/{model}")
        #expect(parameters == ["model": "fraud"])
    }

    @Test func percentEncodedParameterIsDecoded() {
        guard case let .found(_, parameters) = router().match(method: "GET", path: "/v1/models/a%3Ab") else {
            Issue.record("no match"); return
        }
        #expect(parameters["model"] == "a:b")
    }

    @Test func wrongMethodListsAllowed() {
        guard case .methodNotAllowed(let allowed) = router().match(method: "DELETE", path: "/v1/models/x") else {
            Issue.record("expected 405"); return
        }
        #expect(Set(allowed) == ["GET", "HEAD", "PUT"])
    }

    @Test func headUsesGet() {
        guard case .found(let route, _) = router().match(method: "HEAD", path: "/v1/models") else { Issue.record("no match"); return }
        #expect(route.method == "GET")
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = router().match(method: "GET", path: "/v1/models/x/y/z") else { Issue.record("expected 404"); return }
    }

    @Test func trailingSlashMatchesSameSegments() {
        guard case .found = router().match(method: "GET", path: "/v1/models/") else { Issue.record("expected match"); return }
    }
}
