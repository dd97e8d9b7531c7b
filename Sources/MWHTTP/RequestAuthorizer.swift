// SPDX-License-Identifier: Apache-2.0
// Who may send a request: decided on its head, before its body is read, and on its body as sent.

/// What an authorizer decided about a request.
public enum AuthorizationDecision: Sendable {
    /// Allowed, on behalf of `principal` (nil: no principal, e.g. auth off or an open route).
    case allow(principal: String?)
    /// Refused with this response (401, 403…).
    case deny(HTTPResponse)
}

/// The server's access policy. ``authorize(head:route:)`` runs on the event loop as soon as a
/// request's head has arrived: a refused request with a body is answered without reading the
/// body, and the connection closes. ``verify(body:route:principal:)`` runs on the complete
/// body exactly as it came off the wire (after de-chunking, before any `Content-Encoding` is
/// decoded), for signatures; off the event loop when the body is large.
public protocol RequestAuthorizer: Sendable {
    func authorize(head: HTTPRequest, route: Router.Route) -> AuthorizationDecision
    /// nil when the body is acceptable; else the response to refuse it with.
    func verify(body request: HTTPRequest, route: Router.Route, principal: String?) -> HTTPResponse?
}
