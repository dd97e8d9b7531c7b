// SPDX-License-Identifier: Apache-2.0
// A response as handlers build it, with JSON and error helpers.

/// A response: status, headers and body. The writer adds `Date`, `Content-Length` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the writer may gzip the body for a client that accepts it.
    public var compressible: Bool
    /// Forces the connection closed after this response (e.g. after a framing error).
    public var closeConnection: Bool

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                compressible: Bool = true, closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.compressible = compressible
        self.closeConnection = closeConnection
    }

    /// A plain-text response.
    public static func text(_ text: String, status: HTTPStatus = .ok,
                            contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A response whose body is already-encoded JSON.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }

    /// The error body of the API contract:
    /// `{"error": {"code": "...", "message": "...", "details": [...]}}`.
    /// - Parameters:
    ///   - code: a stable machine-readable code such as `not_found` or `body_too_large`.
    ///   - message: a sentence a user can act on.
    ///   - details: already-encoded JSON values (objects or strings) for the `details` array.
    public static func error(_ status: HTTPStatus, code: String, message: String,
                             details: [String] = [], closeConnection: Bool = false) -> HTTPResponse {
        var out = "{\"error\":{\"code\":"
        JSONString.append(code, to: &out)
        out += ",\"message\":"
        JSONString.append(message, to: &out)
        out += ",\"details\":["
        out += details.joined(separator: ",")
        out += "]}}"
        var response = HTTPResponse.json(Array(out.utf8), status: status)
        response.closeConnection = closeConnection
        return response
    }
}

/// JSON string escaping (RFC 8259 §7) for hand-built response bodies.
public enum JSONString {
    /// Appends `value` as a quoted, escaped JSON string.
    public static func append(_ value: String, to out: inout String) {
        out.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }

    /// `value` as a quoted, escaped JSON string.
    public static func quoted(_ value: String) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }
}
