// SPDX-License-Identifier: Apache-2.0
// The server's lifecycle: bind, start the event loops, drain and stop.

import Dispatch
import Foundation
public import Logging
public import MWSockets
import Synchronization

/// An HTTP/1.1 server on POSIX sockets: one listener shared by N epoll event loops.
///
/// ```swift
/// var router = Router()
/// router.add("GET", "/healthz") { _ in .text("ok\n") }
/// let server = HTTPServer(configuration: .init(address: try SocketAddress(parsing: "127.0.0.1:0")), router: router)
/// let port = try server.start()
/// // …
/// server.shutdown(gracePeriod: 4)   // stop accepting, finish in-flight requests, close
/// ```
public final class HTTPServer: Sendable {
    /// State shared by the loops: the router, the observer and the connection counters.
    final class Shared: Sendable {
        let router: Router
        let observer: (any HTTPServerObserver)?
        let openConnections = Atomic<Int>(0)
        let refusedConnections = Atomic<Int>(0)
        let tlsHandshakes = Atomic<Int>(0)
        let tlsHandshakeFailures = Atomic<Int>(0)
        let tlsHandshakeTimeouts = Atomic<Int>(0)

        init(router: Router, observer: (any HTTPServerObserver)?) {
            self.router = router
            self.observer = observer
        }
    }

    private struct State {
        var listener: Socket?
        var loops: [EventLoop] = []
        var port: UInt16 = 0
    }

    public let configuration: HTTPServerConfiguration
    private let shared: Shared
    private let logger: Logger
    private let state = Locked(State())
    private let finished = DispatchGroup()

    public init(configuration: HTTPServerConfiguration, router: Router, observer: (any HTTPServerObserver)? = nil,
                logger: Logger = Logger(label: "modelwatch.http")) {
        self.configuration = configuration
        self.shared = Shared(router: router, observer: observer)
        self.logger = logger
    }

    /// Binds, listens and starts the event-loop threads.
    /// - Returns: the bound port (useful with port 0).
    /// - Throws: ``SocketError`` when the address cannot be bound.
    @discardableResult
    public func start() throws(SocketError) -> UInt16 {
        ProcessLimits.ignoreSIGPIPE()
        ProcessLimits.raiseOpenFilesLimit()
        let listener = try Socket.makeListener(address: configuration.address)
        let port = try listener.localPort()
        let count = configuration.eventLoops > 0 ? configuration.eventLoops : max(1, ProcessInfo.processInfo.activeProcessorCount)
        var loops: [EventLoop] = []
        for _ in 0..<count {
            loops.append(try EventLoop(listener: listener, shared: shared, configuration: configuration, logger: logger))
        }
        for (index, loop) in loops.enumerated() {
            finished.enter()
            let thread = Thread { [finished] in
                loop.run()
                finished.leave()
            }
            thread.name = "http-loop-\(index)"
            thread.start()
        }
        state.withLock {
            $0.listener = listener
            $0.loops = loops
            $0.port = port
        }
        return port
    }

    /// The bound port, or 0 before ``start()``.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Connections currently open.
    public var openConnections: Int { shared.openConnections.load(ordering: .relaxed) }

    /// Connections refused with `503` at the connection limit since start.
    public var refusedConnections: Int { shared.refusedConnections.load(ordering: .relaxed) }

    /// TLS handshakes completed, failed (refused protocol, bad certificate, garbage) and timed out.
    public var tlsHandshakeCounts: (completed: Int, failed: Int, timedOut: Int) {
        (shared.tlsHandshakes.load(ordering: .relaxed), shared.tlsHandshakeFailures.load(ordering: .relaxed),
         shared.tlsHandshakeTimeouts.load(ordering: .relaxed))
    }

    /// Stops accepting, lets in-flight requests finish, closes idle connections, and returns
    /// once every loop has stopped or `gracePeriod` seconds have passed (then the rest are closed).
    public func shutdown(gracePeriod: Double = 4) {
        let (loops, listener) = state.withLock { state -> ([EventLoop], Socket?) in
            let result = (state.loops, state.listener)
            state.loops = []
            state.listener = nil
            return result
        }
        guard !loops.isEmpty else { return }
        let deadline = MonotonicClock.now() + UInt64(gracePeriod * 1_000_000_000)
        for loop in loops { loop.post(.drain(deadline: deadline)) }
        _ = finished.wait(timeout: .now() + gracePeriod + 1)
        listener?.close()
    }

    /// Blocks until the loops have stopped (after ``shutdown(gracePeriod:)`` from another thread).
    public func waitUntilStopped() {
        finished.wait()
    }
}
