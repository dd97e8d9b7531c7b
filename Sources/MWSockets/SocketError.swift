// SPDX-License-Identifier: Apache-2.0
// Errors from socket system calls, with errno captured at the failure.

#if canImport(Glibc)
import Glibc
#endif

/// A failed socket system call, carrying the `errno` captured right after it failed.
public enum SocketError: Error, Equatable, CustomStringConvertible {
    /// `call` failed with `errno`.
    case failed(call: String, errno: Int32)
    /// An address string could not be parsed.
    case invalidAddress(String)

    /// Captures the current `errno` for a failed `call`.
    static func makeFailed(_ call: String) -> SocketError {
        .failed(call: call, errno: Glibc.errno)
    }

    public var description: String {
        switch self {
        case let .failed(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .invalidAddress(text):
            return "invalid address '\(text)': expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464"
        }
    }
}
