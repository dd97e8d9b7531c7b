// SPDX-License-Identifier: Apache-2.0
// Everything the server needs to know to listen and to defend itself.

public import MWSockets

/// Listener address, limits and timeouts of an ``HTTPServer``.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen.
    public var address: SocketAddress
    /// Request-line, header and body limits (414, 431, 413).
    public var limits: HTTPParserLimits
    /// Largest body after gzip inflation; beyond: 413.
    public var maxInflatedBodyBytes: Int
    /// Open connections beyond this are answered `503` and closed.
    public var maxConnections: Int
    /// Seconds a keep-alive connection may sit idle.
    public var idleTimeout: Double
    /// Seconds a request (head and body) may take to arrive; beyond: 408.
    public var requestTimeout: Double
    /// Seconds a client may leave a response unread before it is dropped.
    public var writeTimeout: Double
    /// Event-loop threads; 0 means one per core.
    public var eventLoops: Int
    /// Requests with a body at least this large run their handler on a worker thread.
    public var offloadBodyBytes: Int
    /// Who may send what (nil: everyone everything).
    public var authorizer: (any RequestAuthorizer)?
    /// Serve HTTPS with this context (nil: plain HTTP).
    public var tls: ServerTLS?

    public init(address: SocketAddress, limits: HTTPParserLimits = HTTPParserLimits(),
                maxInflatedBodyBytes: Int? = nil, maxConnections: Int = 1024, idleTimeout: Double = 60,
                requestTimeout: Double = 10, writeTimeout: Double = 60, eventLoops: Int = 0,
                offloadBodyBytes: Int = 64 * 1024) {
        self.address = address
        self.limits = limits
        self.maxInflatedBodyBytes = maxInflatedBodyBytes ?? limits.maxBodyBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
        self.eventLoops = eventLoops
        self.offloadBodyBytes = offloadBodyBytes
    }
}

/// Receives one call per answered request, for the `modelwatch_http_*` metrics.
public protocol HTTPServerObserver: Sendable {
    /// A response was queued: `handler` is the route pattern (or `not_found`, `invalid`…).
    func requestCompleted(handler: String, status: Int, seconds: Double)
}
