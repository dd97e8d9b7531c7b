// SPDX-License-Identifier: Apache-2.0
// Where one connection is in its life, as a pure state machine; the event loop does the I/O.

/// The life of a connection: the transport's handshake, requests read and answered (one
/// handler at a time; later pipelined requests wait), then closing once the output is flushed,
/// then lingering (write side shut, input discarded briefly, so that unread request bytes do not
/// turn the close into a reset that destroys the last response), then closed. The event loop
/// reports what happened and asks what to do; the socket calls stay in the loop, and instants
/// are passed in (monotonic nanoseconds), as for ``ConnectionTimer``.
struct ConnectionLifecycle: Equatable {
    enum Phase: Equatable {
        /// The transport's handshake (TLS) is under way, waiting for the socket to be readable
        /// or writable.
        case handshaking(waitsForWritable: Bool)
        /// Requests are read and answered.
        case open
        /// No more requests: close once the output is flushed (after `Connection: close`, an
        /// error response, the peer's end of file, or draining).
        case closing
        /// Output flushed and the write side shut: input is discarded until the peer closes or
        /// until `until`.
        case lingering(until: UInt64)
        case closed
    }

    /// What the loop must do after the output was flushed.
    enum AfterFlush: Equatable {
        case keepGoing
        /// Shut the write side, drop the input buffer, wait for the peer's end of file.
        case linger
        case close
    }

    private(set) var phase: Phase
    /// The peer sent end of file: no more requests will come.
    private(set) var peerClosed = false
    /// A handler for this connection is running (on a worker, or answering later).
    private(set) var handlerRunning = false

    /// How long a connection lingers, and how long while the server drains.
    static let linger: UInt64 = 2_000_000_000
    static let lingerWhileDraining: UInt64 = 300_000_000

    /// A connection whose transport needs a handshake starts there; a plain one is open.
    init(needsHandshake: Bool) {
        phase = needsHandshake ? .handshaking(waitsForWritable: false) : .open
    }

    // MARK: What happened

    mutating func handshakeWaits(forWritable: Bool) {
        if case .handshaking = phase { phase = .handshaking(waitsForWritable: forWritable) }
    }

    mutating func handshakeCompleted() {
        if case .handshaking = phase { phase = .open }
    }

    mutating func handlerStarted() { handlerRunning = true }

    mutating func handlerFinished() { handlerRunning = false }

    /// The peer closed its side. Requests already buffered are still answered; then the
    /// connection closes (once no handler runs: see ``requestsDone()``).
    mutating func peerSentEndOfFile() { peerClosed = true }

    /// A response that ends the connection was written (or it must end: draining, an error).
    mutating func stopAfterOutput() {
        if phase == .open { phase = .closing }
    }

    /// Buffered requests are all parsed: with the peer gone and no handler running, nothing
    /// more will be answered.
    mutating func requestsDone() {
        if peerClosed && !handlerRunning { stopAfterOutput() }
    }

    /// The output is fully written at `now`.
    mutating func outputFlushed(now: UInt64, draining: Bool) -> AfterFlush {
        guard phase == .closing, !handlerRunning else { return .keepGoing }
        if peerClosed {
            phase = .closed
            return .close
        }
        phase = .lingering(until: now + (draining ? Self.lingerWhileDraining : Self.linger))
        return .linger
    }

    mutating func closed() { phase = .closed }

    // MARK: What to do

    /// Whether the next buffered request may be parsed and answered now.
    var takesRequests: Bool { phase == .open && !handlerRunning }

    /// Whether no more requests are answered (closing, lingering or closed).
    var isClosing: Bool {
        switch phase {
        case .closing, .lingering, .closed: true
        case .handshaking, .open: false
        }
    }

    var isEstablished: Bool {
        if case .handshaking = phase { return false }
        return true
    }

    /// Input is read only to be discarded.
    var isLingering: Bool {
        if case .lingering = phase { return true }
        return false
    }

    /// Whether the lingering is over at `now`.
    func lingerExpired(now: UInt64) -> Bool {
        if case .lingering(let until) = phase { return now >= until }
        return false
    }

    /// The readiness the loop waits for, given the output still to write and whether the
    /// transport's next read needs the socket writable (TLS renegotiation).
    func interest(pendingOutput: Int, outputHighWater: Int, readWaitsForWritable: Bool) -> (readable: Bool, writable: Bool) {
        switch phase {
        case .handshaking(let writable):
            return (!writable, writable)
        case .lingering:
            return (true, false)
        case .closed:
            return (false, false)
        case .open, .closing:
            let readable = phase == .open && !handlerRunning && !peerClosed && pendingOutput < outputHighWater
            return (readable, pendingOutput > 0 || readWaitsForWritable)
        }
    }
}
