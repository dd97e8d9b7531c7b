// SPDX-License-Identifier: Apache-2.0
// What a handler is given: the request, who sent it, the body as sent, and where to answer.

/// A request as its handler sees it: the request with its path parameters bound and its body
/// decoded from any `Content-Encoding`, the caller's principal, the body exactly as it arrived
/// (what a signature covers), and a way to answer now or later from any thread.
public struct RequestContext: Sendable {
    /// The request: `pathParameters` bound, `body` decoded.
    public let request: HTTPRequest
    /// The body as it arrived, before its `Content-Encoding` was decoded (the same bytes as
    /// `request.body` when it had none).
    public let rawBody: [UInt8]
    /// Where the answer goes; for code that answers once something else has happened (a log
    /// record on disk). Handlers that answer directly call ``respond(_:)``.
    public let sink: ResponseSink

    /// - Parameters:
    ///   - request: the request with its body decoded.
    ///   - rawBody: the body as received; nil: the same as `request.body`.
    ///   - sink: where ``respond(_:)`` sends the answer.
    public init(request: HTTPRequest, rawBody: [UInt8]? = nil, sink: ResponseSink) {
        self.request = request
        self.rawBody = rawBody ?? request.body
        self.sink = sink
    }

    /// The authenticated caller (a token's or a client certificate's principal); nil when access
    /// control is off or the route is open to anyone.
    public var principal: String? { request.principal }

    /// Answers the request. May be called after the handler returned, from any thread; the
    /// first answer wins.
    public func respond(_ response: HTTPResponse) { sink.send(response) }
}
