// SPDX-License-Identifier: Apache-2.0
// A listen address: IPv4 or IPv6 literal (or "localhost") and a port.

#if canImport(Glibc)
import Glibc
#endif

/// A numeric IPv4 or IPv6 address with a port, parsed from `HOST:PORT` or `[V6]:PORT`.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host part as written (without brackets); `localhost` is kept as `127.0.0.1`.
    public let host: String
    /// The TCP port, 0 for "any free port".
    public private(set) var port: UInt16
    /// True for an IPv6 host.
    public let isIPv6: Bool

    /// Parses `HOST:PORT`, `[IPV6]:PORT` or `:PORT` (all interfaces, IPv4).
    /// - Throws: ``SocketError/invalidAddress(_:)`` when the text is not of that form.
    public init(parsing text: String) throws(SocketError) {
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidAddress(text) }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidAddress(text) }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .invalidAddress(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        if hostPart == "localhost" { hostPart = "127.0.0.1" }
        guard let port = UInt16(portPart) else { throw .invalidAddress(text) }
        let host = String(hostPart)
        let v6 = host.contains(":")
        var probe = in6_addr()
        guard inet_pton(v6 ? AF_INET6 : AF_INET, host, &probe) == 1 else { throw .invalidAddress(text) }
        self.host = host
        self.port = port
        self.isIPv6 = v6
    }

    /// The same host with another port (e.g. the one the kernel chose for port 0).
    public func withPort(_ port: UInt16) -> SocketAddress {
        var copy = self
        copy.port = port
        return copy
    }

    /// True when the address only accepts connections from this machine (127.0.0.0/8 or ::1).
    public var isLoopback: Bool {
        isIPv6 ? host == "::1" : host.hasPrefix("127.")
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with a `sockaddr` for this address.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, host, &sa.sin6_addr)
            return withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        _ = inet_pton(AF_INET, host, &sa.sin_addr)
        return withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
