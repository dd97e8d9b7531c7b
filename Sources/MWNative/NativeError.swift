// SPDX-License-Identifier: Apache-2.0
// Errors raised by the zlib and OpenSSL wrappers.

/// A failure inside zlib or OpenSSL, with the library's own status code.
public enum NativeError: Error, Equatable, CustomStringConvertible {
    /// zlib returned `status` from `function`.
    case zlib(function: String, status: Int32, message: String)
    /// The compressed stream inflates to more than the allowed number of bytes.
    case inflatedTooLarge(limit: Int)
    /// The compressed stream ended before its trailer (truncated or not gzip at all).
    case truncatedStream
    /// OpenSSL failed in `function`; `code` is the value of `ERR_get_error()`.
    case openssl(function: String, code: UInt)
    /// A TLS session failed in `function` (handshake refused, protocol error, peer reset…).
    case tls(function: String, reason: String)

    public var description: String {
        switch self {
        case let .zlib(function, status, message):
            return "\(function) failed with zlib status \(status): \(message)"
        case let .inflatedTooLarge(limit):
            return "the compressed body inflates to more than \(limit) bytes"
        case .truncatedStream:
            return "the compressed body is truncated or is not a gzip stream"
        case let .openssl(function, code):
            return "\(function) failed with OpenSSL error \(code)"
        case let .tls(function, reason):
            return "\(function) failed: \(reason)"
        }
    }
}
