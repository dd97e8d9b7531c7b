// SPDX-License-Identifier: Apache-2.0
// Why a request could not be parsed, and the status each reason earns.

/// A request the parser refuses. Each case maps to a status; the connection is closed after it.
public enum HTTPParseError: Error, Equatable, CustomStringConvertible {
    case invalidRequestLine(String)
    case unsupportedVersion
    case invalidHeader(String)
    case headersTooLarge(limit: Int)
    case requestLineTooLong(limit: Int)
    case tooManyHeaders(limit: Int)
    case missingHost
    case invalidHost(String)
    case invalidContentLength(String)
    case conflictingFraming(String)
    case unsupportedTransferEncoding(String)
    case invalidChunk(String)
    case bodyTooLarge(limit: Int)
    case invalidTarget(String)

    /// The status to answer with.
    public var status: HTTPStatus {
        switch self {
        case .unsupportedVersion: return .versionNotSupported
        case .headersTooLarge, .tooManyHeaders: return .headersTooLarge
        case .requestLineTooLong: return .uriTooLong
        case .bodyTooLarge: return .payloadTooLarge
        case .unsupportedTransferEncoding: return .notImplemented
        default: return .badRequest
        }
    }

    /// The machine-readable error code of the JSON body.
    public var code: String {
        switch self {
        case .unsupportedVersion: return "http_version_not_supported"
        case .headersTooLarge, .tooManyHeaders: return "headers_too_large"
        case .requestLineTooLong: return "uri_too_long"
        case .bodyTooLarge: return "body_too_large"
        case .unsupportedTransferEncoding: return "unsupported_transfer_encoding"
        case .conflictingFraming, .invalidContentLength: return "invalid_framing"
        default: return "bad_request"
        }
    }

    public var description: String {
        switch self {
        case .invalidRequestLine(let why): return "invalid request line: \(why)"
        case .unsupportedVersion: return "only HTTP/1.0 and HTTP/1.1 are supported"
        case .invalidHeader(let why): return "invalid header field: \(why)"
        case .headersTooLarge(let limit): return "the header section is larger than \(limit) bytes"
        case .requestLineTooLong(let limit): return "the request line is longer than \(limit) bytes"
        case .tooManyHeaders(let limit): return "more than \(limit) header fields"
        case .missingHost: return "an HTTP/1.1 request needs exactly one Host header"
        case .invalidHost(let host): return "the Host header '\(host)' is not a host with an optional port (RFC 9110 section 7.2)"
        case .invalidContentLength(let why): return "invalid Content-Length: \(why)"
        case .conflictingFraming(let why): return "ambiguous message framing: \(why)"
        case .unsupportedTransferEncoding(let te): return "unsupported Transfer-Encoding '\(te)': only chunked is implemented"
        case .invalidChunk(let why): return "invalid chunked body: \(why)"
        case .bodyTooLarge(let limit): return "the request body is larger than \(limit) bytes"
        case .invalidTarget(let why): return "invalid request target: \(why)"
        }
    }
}
