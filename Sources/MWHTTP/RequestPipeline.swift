// SPDX-License-Identifier: Apache-2.0
// The HTTP policy between a parsed request and its handler, with no I/O.

import MWNative

/// What happens to a request between the parser and its handler: which route, whether the
/// caller may (on the head, before the body is read, and on the whole request), whether a
/// signature covers the body as sent, its `Content-Encoding`, and where the handler runs. The
/// event loop asks and writes what it is told to; nothing here touches a socket.
struct RequestPipeline: Sendable {
    let router: Router
    let authorizer: (any RequestAuthorizer)?
    /// A gzip body may inflate to at most this many bytes.
    let maxInflatedBodyBytes: Int
    /// Bodies at least this large run their handler on a worker.
    let offloadBodyBytes: Int

    init(router: Router, configuration: HTTPServerConfiguration) {
        self.router = router
        authorizer = configuration.authorizer
        maxInflatedBodyBytes = configuration.maxInflatedBodyBytes
        offloadBodyBytes = configuration.offloadBodyBytes
    }

    /// A head allowed before its body arrived: the route it matched (so the request is not
    /// matched again) and who it was allowed for.
    struct CheckedHead {
        let principal: String?
        let route: Router.Route
        let parameters: [String: String]
    }

    /// What checking a head whose body is still arriving decided.
    enum HeadDecision {
        /// Nothing to check (no access control, or no route: the whole request answers that).
        case unchecked
        case allowed(CheckedHead)
        /// Answer this and close the connection without reading the body.
        case refused(HTTPResponse, handler: String)
    }

    /// Checks the head of a request whose body is still arriving, so that an unauthorized
    /// body is never read.
    func checkHead(_ head: HTTPRequest) -> HeadDecision {
        guard let authorizer, case let .found(route, parameters) = router.match(method: head.method, path: head.path) else {
            return .unchecked
        }
        var head = head
        head.pathParameters = parameters
        switch authorizer.authorize(head: head, route: route) {
        case .allow(let principal):
            return .allowed(CheckedHead(principal: principal, route: route, parameters: parameters))
        case .deny(var response):
            response.closeConnection = true
            return .refused(response, handler: route.name)
        }
    }

    /// What to do with a whole request.
    enum Dispatch {
        /// Answer at once: no route, a method the path does not allow, or a caller refused.
        case answer(HTTPResponse, handler: String)
        /// Run the route's handler (``run(_:_:_:)``) with the request as bound here, on a
        /// worker when `offload`.
        case run(Router.Route, HTTPRequest, offload: Bool)
    }

    /// Routes and authorizes a whole request; `checkedHead` is what ``checkHead(_:)`` allowed
    /// for it, if its head was checked.
    func dispatch(_ request: HTTPRequest, checkedHead: CheckedHead?) -> Dispatch {
        let match = checkedHead.map { Router.Match.found($0.route, parameters: $0.parameters) }
            ?? router.match(method: request.method, path: request.path)
        switch match {
        case .notFound:
            return .answer(.error(.notFound, code: "not_found", message: "no resource at \(request.path)"), handler: "not_found")
        case .methodNotAllowed(let allowed):
            var response = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed",
                                              message: "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))")
            response.headers.add("Allow", allowed.joined(separator: ", "))
            return .answer(response, handler: "method_not_allowed")
        case let .found(route, parameters):
            var request = request
            request.pathParameters = parameters
            if let authorizer {
                if let checkedHead {
                    request.principal = checkedHead.principal
                } else {
                    switch authorizer.authorize(head: request, route: route) {
                    case .allow(let principal): request.principal = principal
                    case .deny(let response): return .answer(response, handler: route.name)
                    }
                }
            }
            return .run(route, request, offload: route.offload || request.body.count >= offloadBodyBytes)
        }
    }

    /// Verifies the body as sent (signatures), decodes its `Content-Encoding`, then calls the
    /// handler with its context; a refusal is sent to `sink` instead.
    func run(_ route: Router.Route, _ request: HTTPRequest, _ sink: ResponseSink) {
        switch prepare(route, request) {
        case .success(let decoded): route.handler(RequestContext(request: decoded, rawBody: request.body, sink: sink))
        case .failure(let refusal): sink.send(refusal.response)
        }
    }

    /// A refusal before the handler runs.
    private struct Refusal: Error { let response: HTTPResponse }

    private func prepare(_ route: Router.Route, _ request: HTTPRequest) -> Result<HTTPRequest, Refusal> {
        if let authorizer, let refusal = authorizer.verify(body: request, route: route, principal: request.principal) {
            return .failure(Refusal(response: refusal))
        }
        var request = request
        let codings = request.headers.tokens("Content-Encoding").filter { $0 != "identity" }
        if !codings.isEmpty {
            guard codings == ["gzip"] || codings == ["x-gzip"] else {
                return .failure(Refusal(response: .error(.unsupportedMediaType, code: "unsupported_content_encoding",
                                                         message: "Content-Encoding '\(codings.joined(separator: ", "))' is not supported; send gzip or identity")))
            }
            do {
                request.body = try Gzip.decompress(request.body, maxOutputBytes: maxInflatedBodyBytes)
                request.headers.remove("Content-Encoding")
            } catch .inflatedTooLarge(let limit) {
                return .failure(Refusal(response: .error(.payloadTooLarge, code: "body_too_large",
                                                         message: "the gzip body inflates to more than \(limit) bytes")))
            } catch {
                return .failure(Refusal(response: .error(.badRequest, code: "invalid_gzip", message: "the gzip body cannot be decoded: \(error)")))
            }
        }
        return .success(request)
    }
}
