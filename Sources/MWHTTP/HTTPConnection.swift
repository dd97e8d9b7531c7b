// SPDX-License-Identifier: Apache-2.0
// The buffers and flags of one client connection, owned by one event loop.

import MWSockets

/// One accepted connection. Confined to the event-loop thread that accepted it.
final class HTTPConnection {
    /// The context of a request whose handler runs on a worker.
    struct InFlight {
        let handler: String
        let isHead: Bool
        let keepAlive: Bool
        let minorVersion: Int
        let gzip: Bool
        let started: UInt64
    }

    /// The byte stream (plain TCP, or TLS over it).
    let transport: any Transport
    let id: UInt64
    /// The peer's `HOST:PORT` (for logs), read once at accept.
    let remoteAddress: String?
    /// The route and principal the head of the request whose body is arriving was allowed
    /// for; nil when no head was checked.
    var checkedHead: RequestPipeline.CheckedHead?
    var parser: HTTPRequestParser
    var timer: ConnectionTimer
    var input: [UInt8] = []
    var inputStart = 0
    var output: [UInt8] = []
    var outputStart = 0
    /// Handshake, open, closing, lingering, closed (the loop reports events, the lifecycle decides).
    var lifecycle: ConnectionLifecycle
    /// A handler for this connection runs (on a worker, or answering later); later pipelined
    /// requests wait. The lifecycle follows it.
    var inFlight: InFlight? {
        didSet { if inFlight != nil { lifecycle.handlerStarted() } else { lifecycle.handlerFinished() } }
    }
    var interest: Poller.Events = []
    /// The handshake completed in this event: read before waiting (the request may be buffered).
    var justEstablished = false

    init(transport: any Transport, remoteAddress: String?, id: UInt64, limits: HTTPParserLimits, timer: ConnectionTimer) {
        self.transport = transport
        self.id = id
        self.remoteAddress = remoteAddress
        self.parser = HTTPRequestParser(limits: limits)
        self.timer = timer
        lifecycle = ConnectionLifecycle(needsHandshake: !transport.isEstablished)
    }

    var pendingOutput: Int { output.count - outputStart }

    /// True with no request in progress, nothing to send and no handler running.
    var isIdle: Bool { parser.isIdle && inputStart == input.count && pendingOutput == 0 && inFlight == nil }

    /// Drops consumed input so the buffer does not grow across pipelined requests.
    func compactInput() {
        if inputStart == input.count {
            if input.capacity > 256 * 1024 { input = [] } else { input.removeAll(keepingCapacity: true) }
            inputStart = 0
        } else if inputStart > 64 * 1024 {
            input.removeSubrange(0..<inputStart)
            inputStart = 0
        }
    }
}
