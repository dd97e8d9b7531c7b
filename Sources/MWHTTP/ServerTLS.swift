// SPDX-License-Identifier: Apache-2.0
// The TLS context a server accepts with, swappable while it serves.

public import MWNative
import MWSockets

/// The TLS context new connections are accepted with. Replaced on reload (SIGHUP); a
/// connection keeps the context it was accepted with until it closes.
///
/// Created empty when the context is loaded after the server is built; a connection accepted
/// while it is empty is closed (the daemon loads it before it listens).
public final class ServerTLS: Sendable {
    private let current: Locked<TLSContext?>

    public init(_ context: TLSContext? = nil) { current = Locked(context) }

    /// The context for the next accepted connection.
    public var context: TLSContext? { current.withLock { $0 } }

    /// New connections use `context` from now on.
    public func replace(_ context: TLSContext) { current.withLock { $0 = context } }
}
