// SPDX-License-Identifier: Apache-2.0
// A parsed HTTP/1.x request.

/// One complete request: request line, headers and (de-chunked, inflated) body.
public struct HTTPRequest: Sendable {
    /// The method token as sent (case-sensitive, e.g. `GET`).
    public var method: String
    /// The request-target as sent (origin-form, absolute-form, or `*`).
    public var target: String
    /// The path of the target, without query (absolute-form reduced to its path; `/` if empty).
    public var path: String
    /// The query string after `?`, without the `?`; nil when absent.
    public var query: String?
    /// The minor HTTP version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    public var minorVersion: Int
    /// The header fields in order.
    public var headers: HTTPHeaders
    /// The body bytes, after chunked decoding (and gzip inflation by the connection).
    public var body: [UInt8]
    /// Values captured by the route pattern, e.g. `model` for `/v1/models/{model}`.
    public var pathParameters: [String: String] = [:]
    /// Who sent it, as the server's ``RequestAuthorizer`` decided (nil: nobody in particular).
    public var principal: String?
    /// The peer's `HOST:PORT`, for logs.
    public var remoteAddress: String?
    /// The common name of the client certificate verified on this connection (TLS with `client_ca_file`).
    public var clientCertificateName: String?
    /// Set when the request's framing cannot be trusted for what follows it (an HTTP/1.0
    /// request with Transfer-Encoding): the connection closes after the response.
    public var closeAfterResponse = false

    public init(method: String, target: String, path: String, query: String? = nil, minorVersion: Int = 1,
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// True when the client wants the connection kept open after this request
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var keepAlive: Bool {
        let tokens = headers.tokens("Connection")
        if closeAfterResponse || tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// True when `Accept-Encoding` admits gzip (`gzip`, `x-gzip` or `*`, with q > 0).
    public var acceptsGzip: Bool {
        for element in headers.tokens("Accept-Encoding") {
            let parts = element.split(separator: ";").map { HTTPHeaders.trimOWS($0) }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if q > 0 { return true }
        }
        return false
    }

    /// The value of query parameter `name` (no percent-decoding beyond `+`), or nil.
    public func queryValue(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.first.map(String.init) == name { return kv.count > 1 ? String(kv[1]) : "" }
        }
        return nil
    }
}
