// SPDX-License-Identifier: Apache-2.0
// The timeouts of one connection as a pure state machine; the clock is passed in.

/// Tracks when a connection last made progress and decides which timeout, if any, has fired.
///
/// Three timeouts defend against slow and idle clients (slowloris):
/// - **request**: a request's head and body must arrive within `requestTimeout` of its first byte
///   (answered with `408` and closed);
/// - **idle**: a keep-alive connection with nothing in flight is closed after `idleTimeout`;
/// - **write**: a client that stops reading its responses is dropped after `writeTimeout` without progress.
///
/// All instants are monotonic nanoseconds supplied by the caller, so tests drive it with a manual clock.
public struct ConnectionTimer: Sendable, Equatable {
    /// Which timeout fired.
    public enum Expiry: Sendable, Equatable {
        case idle, request, write
    }

    public let idleTimeout: UInt64
    public let requestTimeout: UInt64
    public let writeTimeout: UInt64

    private var lastActivity: UInt64
    private var requestStarted: UInt64?
    private var writeBlockedSince: UInt64?

    /// Starts the timer for a connection accepted at `now`.
    public init(now: UInt64, idleTimeout: UInt64, requestTimeout: UInt64, writeTimeout: UInt64) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.writeTimeout = writeTimeout
        self.lastActivity = now
    }

    /// Bytes arrived; `partialRequest` tells whether an incomplete request is now buffered.
    public mutating func received(now: UInt64, partialRequest: Bool) {
        lastActivity = now
        if partialRequest {
            if requestStarted == nil { requestStarted = now }
        } else {
            requestStarted = nil
        }
    }

    /// A request completed; if the next pipelined one is already partly buffered, its clock starts now.
    public mutating func requestCompleted(now: UInt64, partialRequest: Bool) {
        lastActivity = now
        requestStarted = partialRequest ? now : nil
    }

    /// Output is pending (`blocked`) or fully written.
    public mutating func writeState(now: UInt64, blocked: Bool, progressed: Bool) {
        if progressed { lastActivity = now }
        if blocked {
            if writeBlockedSince == nil || progressed { writeBlockedSince = now }
        } else {
            writeBlockedSince = nil
        }
    }

    /// The timeout that has fired at `now`, if any. `busy` means a handler is running for this
    /// connection: no timeout applies to the time the server itself spends.
    public func expired(now: UInt64, busy: Bool) -> Expiry? {
        if let since = writeBlockedSince, now &- since >= writeTimeout { return .write }
        if busy { return nil }
        if let since = requestStarted {
            return now &- since >= requestTimeout ? .request : nil
        }
        if writeBlockedSince == nil && now &- lastActivity >= idleTimeout { return .idle }
        return nil
    }
}
