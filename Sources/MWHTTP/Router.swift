// SPDX-License-Identifier: Apache-2.0
// A route table: method + path pattern with {parameters} → named handler.

/// A request handler: it answers through its context, before it returns or later from any
/// thread (e.g. once what it wrote is on disk). Runs on an event-loop thread (or a worker for
/// offloaded routes): it must not block.
public typealias HTTPHandler = @Sendable (RequestContext) -> Void

/// A handler that always answers before it returns, with the response it returns.
public typealias RespondingHTTPHandler = @Sendable (RequestContext) -> HTTPResponse

/// Maps method and path to a handler. Patterns are literal segments and `{name}` parameters.
///
/// A path that matches some route but not the method gets `405` with an `Allow` header; `HEAD`
/// is served by the `GET` handler (the writer drops the body); no match at all is `404`.
public struct Router: Sendable {
    /// One registered route.
    public struct Route: Sendable {
        /// The `handler` label of the HTTP metrics, e.g. `/v1/models/{model}`.
        public let name: String
        public let method: String
        let segments: [Segment]
        public let handler: HTTPHandler
        /// Run on a worker thread instead of the event loop (large bodies, slow work).
        public let offload: Bool
        /// What the caller must be allowed to do (e.g. `ingest`), for the server's
        /// ``RequestAuthorizer``; nil: open to anyone.
        public let scope: String?
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// What matching a request produced.
    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route whose handler returns its response.
    /// - Parameters:
    ///   - method: the method token, e.g. `GET`.
    ///   - pattern: a path such as `/v1/models/{model}/labels`.
    ///   - scope: what a caller must be allowed to do (nil: open to anyone).
    ///   - offload: run the handler off the event loop.
    ///   - handler: builds the response.
    public mutating func add(_ method: String, _ pattern: String, scope: String? = nil, offload: Bool = false,
                             _ handler: @escaping RespondingHTTPHandler) {
        add(method, pattern, scope: scope, offload: offload, deferred: { context in context.respond(handler(context)) })
    }

    /// Adds a route whose handler answers through its ``RequestContext``, possibly after it returns.
    public mutating func add(_ method: String, _ pattern: String, scope: String? = nil, offload: Bool = false,
                             deferred handler: @escaping HTTPHandler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(name: pattern, method: method, segments: segments, handler: handler, offload: offload, scope: scope))
    }

    /// Finds the route for `method` and `path`.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, parts) else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: parameters)
            }
            allowed.append(route.method)
            if route.method == "GET" { allowed.append("HEAD") }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text): if text != part { return nil }
            case .parameter(let name): parameters[name] = percentDecode(part)
            }
        }
        return parameters
    }

    /// Decodes `%XX` escapes; leaves malformed escapes as they are.
    static func percentDecode(_ part: Substring) -> String {
        guard part.contains("%") else { return String(part) }
        let bytes = Array(part.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = CharacterClass.hexValue(bytes[i + 1]), let lo = CharacterClass.hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
