// SPDX-License-Identifier: Apache-2.0
// One epoll thread: accepts, reads, parses, dispatches, writes and times out its connections.

import Dispatch
import Logging
import MWNative
import MWSockets
import Synchronization

/// A single-threaded event loop over epoll. All connection state is confined to its thread;
/// other threads talk to it only through ``post(_:)`` (a locked queue plus an eventfd wake-up).
///
/// `@unchecked Sendable`: the mutable fields are touched only on the loop's own thread; the
/// `inbox` is `Locked`, and `wakeup` is an eventfd whose `signal()` is thread-safe.
final class EventLoop: @unchecked Sendable {
    /// Work handed to the loop from another thread.
    enum Message: Sendable {
        case completed(connection: UInt64, response: HTTPResponse)
        case drain(deadline: UInt64)
    }

    private static let listenerToken: UInt64 = 0
    private static let wakeupToken: UInt64 = 1
    private static let outputHighWater = 4 * 1024 * 1024

    private let poller: Poller
    private let wakeup: EventFD
    private let inbox = Locked<[Message]>([])
    private let listener: Socket
    private let shared: HTTPServer.Shared
    private let logger: Logger
    private let configuration: HTTPServerConfiguration
    /// Routing, access control and body decoding: the HTTP policy the loop asks.
    private let pipeline: RequestPipeline

    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextID: UInt64 = 16
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    private var dates = HTTPDateCache()
    private var drainDeadline: UInt64?
    private var lastSweep: UInt64 = 0

    init(listener: Socket, shared: HTTPServer.Shared, configuration: HTTPServerConfiguration, logger: Logger) throws(SocketError) {
        self.poller = try Poller()
        self.wakeup = try EventFD()
        self.listener = listener
        self.shared = shared
        self.configuration = configuration
        self.pipeline = RequestPipeline(router: shared.router, configuration: configuration)
        self.logger = logger
        try poller.add(wakeup.fileDescriptor, events: .readable, token: Self.wakeupToken)
        try poller.add(listener.fileDescriptor, events: [.readable, .exclusive], token: Self.listenerToken)
    }

    /// Hands a message to the loop from any thread.
    func post(_ message: Message) {
        inbox.withLock { $0.append(message) }
        wakeup.signal()
    }

    /// Runs until drained. Call on the loop's own thread.
    func run() {
        while true {
            do {
                try poller.wait(timeoutMilliseconds: 250) { ready in
                    switch ready.token {
                    case Self.listenerToken: acceptConnections()
                    case Self.wakeupToken: handleInbox()
                    default: handleEvent(ready)
                    }
                }
            } catch {
                logger.error("event loop wait failed", metadata: ["error": "\(error)"])
            }
            let now = MonotonicClock.now()
            if now &- lastSweep >= 250_000_000 {
                lastSweep = now
                sweepTimeouts(now: now)
            }
            if let deadline = drainDeadline {
                if connections.isEmpty { break }
                if now >= deadline {
                    for connection in Array(connections.values) { close(connection) }
                    break
                }
            }
        }
        wakeup.close()
    }

    // MARK: Accepting

    private func acceptConnections() {
        guard drainDeadline == nil else { return }
        for _ in 0..<64 {
            let accepted: Socket?
            do { accepted = try listener.accept() } catch {
                logger.warning("accept failed", metadata: ["error": "\(error)"])
                return
            }
            guard let socket = accepted else { return }
            if shared.openConnections.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
                shared.openConnections.subtract(1, ordering: .relaxed)
                shared.refusedConnections.add(1, ordering: .relaxed)
                HTTPResponseWriter.serviceUnavailable.withUnsafeBytes { _ = try? socket.write($0) }
                socket.close()
                continue
            }
            try? socket.setNoDelay()
            let transport: any Transport
            if let tls = configuration.tls {
                do {
                    guard let context = tls.context else { throw NativeError.tls(function: "accept", reason: "no TLS context loaded") }
                    transport = try TLSTransport(socket, context: context)
                } catch {
                    logger.warning("TLS session not created", metadata: ["error": "\(error)"])
                    shared.openConnections.subtract(1, ordering: .relaxed)
                    socket.close()
                    continue
                }
            } else {
                transport = PlainTransport(socket)
            }
            let now = MonotonicClock.now()
            var timer = ConnectionTimer(now: now, idleTimeout: Self.nanos(configuration.idleTimeout),
                                        requestTimeout: Self.nanos(configuration.requestTimeout),
                                        writeTimeout: Self.nanos(configuration.writeTimeout))
            // A handshake is the start of the first request: it has the request timeout.
            if !transport.isEstablished { timer.received(now: now, partialRequest: true) }
            let connection = HTTPConnection(transport: transport, remoteAddress: socket.peerName(), id: nextID,
                                            limits: configuration.limits, timer: timer)
            nextID += 1
            do {
                try poller.add(socket.fileDescriptor, events: .readable, token: connection.id)
                connection.interest = .readable
                connections[connection.id] = connection
            } catch {
                shared.openConnections.subtract(1, ordering: .relaxed)
                socket.close()
            }
        }
    }

    private static func nanos(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000_000) }

    // MARK: Reading

    private func handleEvent(_ ready: Poller.Ready) {
        guard let connection = connections[ready.token] else { return }
        if ready.events.contains(.error) || (ready.events.contains(.hangup) && !ready.events.contains(.readable)) {
            close(connection)
            return
        }
        if !connection.lifecycle.isEstablished {
            guard advanceHandshake(connection) else { return }
        }
        if ready.events.contains(.writable) {
            flush(connection)
            guard connections[ready.token] != nil else { return }
        }
        if ready.events.contains(.readable) || connection.transport.readWaitsForWritable && ready.events.contains(.writable)
            || connection.justEstablished {
            connection.justEstablished = false
            read(connection)
            // A transport may hold decoded input no readiness event will announce (TLS records).
            while connections[ready.token] != nil && connection.transport.hasBufferedInput && connection.inFlight == nil {
                read(connection)
            }
        }
    }

    /// Runs the transport's handshake as far as the socket allows; true once it is established
    /// (then the caller reads at once: the first request may already be buffered).
    private func advanceHandshake(_ connection: HTTPConnection) -> Bool {
        let progress: HandshakeProgress
        do { progress = try connection.transport.handshake() } catch {
            shared.tlsHandshakeFailures.add(1, ordering: .relaxed)
            logger.debug("TLS handshake failed", metadata: ["client": "\(connection.remoteAddress ?? "-")", "error": "\(error)"])
            close(connection)
            return false
        }
        switch progress {
        case .established:
            shared.tlsHandshakes.add(1, ordering: .relaxed)
            connection.lifecycle.handshakeCompleted()
            connection.timer.requestCompleted(now: MonotonicClock.now(), partialRequest: false)
            connection.justEstablished = true
            updateInterest(connection)
            return true
        case .needsReadable:
            connection.lifecycle.handshakeWaits(forWritable: false)
        case .needsWritable:
            connection.lifecycle.handshakeWaits(forWritable: true)
        }
        updateInterest(connection)
        return false
    }

    private func read(_ connection: HTTPConnection) {
        var result = Socket.ReadResult.wouldBlock
        var failed = false
        // A Content-Length body under way, with nothing else buffered: read straight into it.
        let intoBody = !connection.lifecycle.isLingering && connection.inputStart == connection.input.count
            && connection.parser.receiveBody { body in
                do { result = try connection.transport.read(into: body) } catch { failed = true }
                if case .bytes(let n) = result { return n }
                return 0
            }
        if !intoBody {
            do {
                result = try scratch.withUnsafeMutableBytes { (buffer) throws(TransportError) in try connection.transport.read(into: buffer) }
            } catch {
                failed = true
            }
        }
        if failed {
            close(connection)
            return
        }
        switch result {
        case .bytes(let n):
            if connection.lifecycle.isLingering { return }  // discarding after the last response
            if !intoBody { connection.input.append(contentsOf: scratch[0..<n]) }
        case .wouldBlock:
            return
        case .endOfFile:
            if connection.lifecycle.isLingering { close(connection); return }
            connection.lifecycle.peerSentEndOfFile()
        }
        process(connection)
    }

    /// Parses and answers as many buffered requests as possible, then flushes.
    private func process(_ connection: HTTPConnection) {
        let now = MonotonicClock.now()
        parsing: while connection.lifecycle.takesRequests {
            let event: HTTPRequestParser.Event
            do {
                event = try connection.parser.parse(connection.input, from: &connection.inputStart)
            } catch {
                let response = HTTPResponse.error(error.status, code: error.code, message: error.description, closeConnection: true)
                finish(connection, response, handler: "invalid", isHead: false, keepAlive: false, minorVersion: 1,
                       gzip: false, started: now)
                break parsing
            }
            switch event {
            case .needMoreData:
                break parsing
            case .continueRequested:
                connection.output.append(contentsOf: HTTPResponseWriter.continueResponse)
            case .head(let head):
                if let refusal = authorizeHead(connection, head) {
                    finish(connection, refusal.response, handler: refusal.handler, isHead: false, keepAlive: false,
                           minorVersion: head.minorVersion, gzip: false, started: now)
                    break parsing
                }
            case .request(let request):
                dispatch(connection, request, now: now)
                connection.timer.requestCompleted(now: now, partialRequest: false)
            }
        }
        connection.compactInput()
        if connection.inFlight == nil {
            connection.timer.received(now: now, partialRequest: !connection.parser.isIdle || connection.inputStart < connection.input.count)
        }
        connection.lifecycle.requestsDone()
        flush(connection)
    }

    // MARK: Dispatching

    /// Checks the head of a request whose body is still arriving: a refusal is answered now and
    /// the connection closed, so an unauthorized body is never read.
    private func authorizeHead(_ connection: HTTPConnection, _ head: HTTPRequest) -> (response: HTTPResponse, handler: String)? {
        var head = head
        head.remoteAddress = connection.remoteAddress
        head.clientCertificateName = connection.transport.peerCommonName
        switch pipeline.checkHead(head) {
        case .unchecked:
            return nil
        case .allowed(let checked):
            connection.checkedHead = checked
            return nil
        case let .refused(response, handler):
            return (response, handler)
        }
    }

    private func dispatch(_ connection: HTTPConnection, _ request: HTTPRequest, now: UInt64) {
        var request = request
        request.remoteAddress = connection.remoteAddress
        request.clientCertificateName = connection.transport.peerCommonName
        let checkedHead = connection.checkedHead
        connection.checkedHead = nil
        let isHead = request.method == "HEAD"
        let keepAlive = request.keepAlive && drainDeadline == nil
        let gzip = request.acceptsGzip
        switch pipeline.dispatch(request, checkedHead: checkedHead) {
        case let .answer(response, handler):
            finish(connection, response, handler: handler, isHead: isHead, keepAlive: keepAlive,
                   minorVersion: request.minorVersion, gzip: gzip, started: now)
        case let .run(route, request, offload):
            let context = HTTPConnection.InFlight(handler: route.name, isHead: isHead, keepAlive: keepAlive,
                                                  minorVersion: request.minorVersion, gzip: gzip, started: now)
            let id = connection.id
            let sink = ResponseSink()
            // A response sent after the handler returned comes back to this loop as a message.
            let later: @Sendable (HTTPResponse) -> Void = { [self] response in post(.completed(connection: id, response: response)) }
            let pipeline = pipeline
            if offload {
                connection.inFlight = context
                DispatchQueue.global().async { [request] in
                    pipeline.run(route, request, sink)
                    if let response = sink.detach(later) { later(response) }
                }
                return
            }
            pipeline.run(route, request, sink)
            if let response = sink.detach(later) {
                finish(connection, response, handler: route.name, isHead: isHead, keepAlive: keepAlive,
                       minorVersion: request.minorVersion, gzip: gzip, started: now)
            } else {
                connection.inFlight = context  // answered later; other connections are served meanwhile
            }
        }
    }

    /// Serialises a response into the connection's output and records it.
    private func finish(_ connection: HTTPConnection, _ response: HTTPResponse, handler: String, isHead: Bool,
                        keepAlive: Bool, minorVersion: Int, gzip: Bool, started: UInt64) {
        dates.refresh()
        let keep = keepAlive && !response.closeConnection && drainDeadline == nil
        HTTPResponseWriter.write(response, isHead: isHead, keepAlive: keep, minorVersion: minorVersion, gzip: gzip,
                                 date: dates.value, into: &connection.output)
        if !keep { connection.lifecycle.stopAfterOutput() }
        let seconds = Double(MonotonicClock.now() &- started) / 1e9
        shared.observer?.requestCompleted(handler: handler, status: response.status.code, seconds: seconds)
    }

    private func handleInbox() {
        wakeup.drain()
        let messages = inbox.withLock { queue -> [Message] in
            let taken = queue
            queue.removeAll()
            return taken
        }
        for message in messages {
            switch message {
            case let .completed(id, response):
                guard let connection = connections[id], let context = connection.inFlight else { continue }
                connection.inFlight = nil
                finish(connection, response, handler: context.handler, isHead: context.isHead, keepAlive: context.keepAlive,
                       minorVersion: context.minorVersion, gzip: context.gzip, started: context.started)
                process(connection)
            case .drain(let deadline):
                startDraining(deadline: deadline)
            }
        }
    }

    // MARK: Writing

    private func flush(_ connection: HTTPConnection) {
        var progressed = false
        while connection.pendingOutput > 0 {
            let result: Socket.WriteResult
            do {
                result = try connection.output.withUnsafeBytes { (raw) throws(TransportError) in
                    try connection.transport.write(UnsafeRawBufferPointer(rebasing: raw[connection.outputStart...]))
                }
            } catch {
                close(connection)
                return
            }
            guard case .wrote(let n) = result else { break }
            connection.outputStart += n
            progressed = true
        }
        let now = MonotonicClock.now()
        if connection.pendingOutput == 0 {
            if connection.output.capacity > 1024 * 1024 { connection.output = [] } else { connection.output.removeAll(keepingCapacity: true) }
            connection.outputStart = 0
            switch connection.lifecycle.outputFlushed(now: now, draining: drainDeadline != nil) {
            case .keepGoing:
                break
            case .linger:
                startLingering(connection)
                return
            case .close:
                close(connection)
                return
            }
        }
        connection.timer.writeState(now: now, blocked: connection.pendingOutput > 0, progressed: progressed)
        updateInterest(connection)
    }

    /// After the last response: shut the write side and discard input briefly (see
    /// ``ConnectionLifecycle``), so unread request bytes do not turn the close into a reset that
    /// destroys the response in flight.
    private func startLingering(_ connection: HTTPConnection) {
        connection.transport.shutdownWrite()
        connection.input = []
        connection.inputStart = 0
        updateInterest(connection)
    }

    private func updateInterest(_ connection: HTTPConnection) {
        let (readable, writable) = connection.lifecycle.interest(pendingOutput: connection.pendingOutput, outputHighWater: Self.outputHighWater,
                                                                 readWaitsForWritable: connection.transport.readWaitsForWritable)
        var wanted: Poller.Events = []
        if readable { wanted.insert(.readable) }
        if writable { wanted.insert(.writable) }
        guard wanted != connection.interest else { return }
        do {
            try poller.modify(connection.transport.fileDescriptor, events: wanted, token: connection.id)
            connection.interest = wanted
        } catch {
            close(connection)
        }
    }

    private func close(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        connection.lifecycle.closed()
        poller.remove(connection.transport.fileDescriptor)
        connection.transport.close()
        shared.openConnections.subtract(1, ordering: .relaxed)
    }

    // MARK: Timeouts and draining

    private func sweepTimeouts(now: UInt64) {
        for connection in Array(connections.values) {
            if connection.lifecycle.isLingering {
                if connection.lifecycle.lingerExpired(now: now) { close(connection) }
                continue
            }
            switch connection.timer.expired(now: now, busy: connection.inFlight != nil) {
            case nil:
                continue
            case .idle?, .write?:
                close(connection)
            case .request? where !connection.lifecycle.isEstablished:
                shared.tlsHandshakeTimeouts.add(1, ordering: .relaxed)
                close(connection)
            case .request?:
                if connection.lifecycle.isClosing { close(connection); continue }
                let response = HTTPResponse.error(.requestTimeout, code: "request_timeout",
                                                  message: "the request was not complete within \(configuration.requestTimeout) seconds",
                                                  closeConnection: true)
                finish(connection, response, handler: "invalid", isHead: false, keepAlive: false, minorVersion: 1,
                       gzip: false, started: now)
                flush(connection)
            }
        }
    }

    private func startDraining(deadline: UInt64) {
        guard drainDeadline == nil else { return }
        drainDeadline = deadline
        poller.remove(listener.fileDescriptor)
        for connection in Array(connections.values) {
            if connection.isIdle {
                close(connection)
            } else {
                // Between requests: answer nothing more. Mid-request: finish it, then close.
                if connection.parser.isIdle && connection.inFlight == nil { connection.lifecycle.stopAfterOutput() }
                if connection.pendingOutput == 0 && connection.lifecycle.isClosing && connection.inFlight == nil { close(connection) }
            }
        }
    }
}
