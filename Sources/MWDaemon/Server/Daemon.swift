// SPDX-License-Identifier: Apache-2.0
// Wires configuration, server, routes and collectors together.

import Foundation
public import Logging
import MWExposition
import MWHTTP
import MWNative
import MWSockets
import MWStats

/// The running daemon: an HTTP server with the daemon's routes and collectors.
public final class Daemon: Sendable {
    public let configuration: Configuration
    private let server: HTTPServer
    private let readiness = Readiness()
    private let logger: Logger

    /// The models and their statistics.
    let store: ModelStore
    /// Tokens, scopes and signatures (SPEC section 6); tokens replaced on SIGHUP.
    let authorizer: Authorizer
    /// The TLS context (with `tls:`), loaded at start and replaced on SIGHUP.
    let tls: ServerTLS?
    /// What the write handlers log to; its log is attached once the state is restored.
    let journal: Journal
    private let dataDirectory = Locked<DataDirectory?>(nil)
    private let clock: @Sendable () -> Double
    /// The per-request event limits (replaced on SIGHUP).
    private let eventLimits: LiveLimits
    private let replay: Replay

    /// Builds the daemon; nothing listens until ``start()``.
    /// - Parameter clock: wall-clock unix seconds, the clock of the sliding windows (injectable for tests).
    public init(configuration: Configuration, logger: Logger,
                clock: @escaping @Sendable () -> Double = Daemon.wallClock) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        let httpMetrics = HTTPMetrics()
        let limits = configuration.limits
        let authorizer = Authorizer(tokens: .none, logger: logger, clock: clock)
        self.authorizer = authorizer
        var serverConfiguration = HTTPServerConfiguration(
            address: configuration.listen,
            limits: HTTPParserLimits(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes),
            maxConnections: limits.maxConnections, idleTimeout: limits.idleTimeout, requestTimeout: limits.requestTimeout)
        serverConfiguration.authorizer = authorizer
        let tls = configuration.tls.map { _ in ServerTLS() }
        self.tls = tls
        serverConfiguration.tls = tls
        // The router needs the registry and the registry needs the server (connection gauges):
        // the server collector reads the server through a box filled right after.
        let serverBox = ServerBox()
        let store = ModelStore(configuration: configuration)
        self.store = store
        let journal = Journal(readiness: readiness)
        self.journal = journal
        let registry = Registry(collectors: [PersistenceCollector(journal: journal, clock: clock), ProcessCollector(), httpMetrics, ServerCollector(server: serverBox),
                                             AuthCollector(authorizer: authorizer), ModelsCollector(store: store, clock: clock)],
                                clock: { MonotonicClock.now() })
        let eventLimits = LiveLimits(EventLimits(limits))
        self.eventLimits = eventLimits
        // The replay reads the limits in force too (a reload is followed by a snapshot, so the
        // log after it was written under the limits the restart reads).
        replay = Replay(store: store, limits: eventLimits, logger: logger)
        let router = Routes.make(registry: registry, readiness: readiness, logger: logger,
                                 ingest: IngestHandler(store: store, limits: eventLimits, clock: clock, journal: journal),
                                 models: ModelHandlers(store: store, clock: clock, logger: logger, journal: journal),
                                 reference: ReferenceHandler(store: store, limits: eventLimits, logger: logger,
                                                             journal: journal, clock: clock),
                                 compare: CompareHandler(store: store, clock: clock))
        server = HTTPServer(configuration: serverConfiguration, router: router, observer: httpMetrics, logger: logger)
        serverBox.set(server)
    }

    /// Unix seconds now.
    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// Creates the data directory, binds and starts serving.
    /// - Returns: the bound port.
    @discardableResult
    public func start() throws -> UInt16 {
        if let settings = configuration.tls, let tls {
            do { tls.replace(try TLSCertificates.load(settings)) } catch { throw DaemonError.tls(error.description) }
        }
        do { authorizer.replace(try AccessTokens.load(configuration.auth?.tokens ?? [])) } catch {
            throw DaemonError.auth(error.description)
        }
        DiskFile.ignoreFileSizeSignal()
        let directory: DataDirectory
        do { directory = try DataDirectory(path: configuration.dataDir) } catch { throw DaemonError.data(error.description) }
        dataDirectory.withLock { $0 = directory }
        let port: UInt16
        do { port = try server.start() } catch {
            throw DaemonError.listen(address: configuration.listen.description, reason: error.description)
        }
        logger.info("modelwatch listening", metadata: [
            "address": "\(configuration.listen.withPort(port))", "version": "\(ModelwatchVersion.current)",
            "windows": "\(configuration.windows.map(\.name).joined(separator: ","))", "data_dir": "\(configuration.dataDir)",
        ])
        // /healthz answers meanwhile; /readyz and every write answer 503 until the state is back.
        let started = MonotonicClock.now()
        let restored: DataDirectory.Restored
        do {
            restored = try directory.restore(logger: logger, load: store.restore, reset: store.reset, apply: replay.apply)
        } catch {
            server.shutdown(gracePeriod: 0)
            throw DaemonError.data(error.description)
        }
        do {
            let log = try EventLog(directory: directory.path, lastSegment: restored.lastSegment, lastSequence: restored.lastSequence,
                                   existingBytes: restored.bytes, policy: configuration.fsync,
                                   interval: configuration.fsyncInterval, logger: logger)
            log.start()
            journal.attach(log)
            let snapshotter = Snapshotter(directory: directory.path, store: store, log: log, interval: configuration.snapshotInterval,
                                          restoredFrom: restored.snapshot?.created, logger: logger, clock: clock)
            snapshotter.start()
            journal.snapshotter = snapshotter
        } catch {
            server.shutdown(gracePeriod: 0)
            throw DaemonError.data(DataDirectoryError.disk(error).description)
        }
        readiness.markReady()
        logger.info("state restored; ready", metadata: [
            "snapshot": "\(restored.snapshot.map { "\($0.path) (\($0.models) models)" } ?? "none")",
            "records": "\(restored.records)", "segments": "\(restored.segments)", "bytes": "\(restored.bytes)",
            "seconds": "\(Double(MonotonicClock.now() - started) / 1e9)", "fsync": "\(configuration.fsync.rawValue)",
        ])
        return port
    }

    /// Applies a re-read configuration without losing state (SIGHUP): model settings and
    /// defaults, alert thresholds, `allow_unknown_models`, the limits the decoder and the models
    /// read (events per request, features, string bytes, JSON depth, models, classes,
    /// categories, versions), tokens and TLS certificates; then writes a snapshot. Keys that
    /// need a restart (listener, data dir, windows, fsync, snapshot interval, body and header
    /// sizes, connections, timeouts, the exact-drift budget, turning TLS on or off) are
    /// reported, not applied.
    /// - Returns: what could not be applied, one line each.
    public func reload(_ newConfiguration: Configuration) -> [String] {
        let running = store.configuration
        var notes: [String] = []
        if newConfiguration.listen != running.listen { notes.append("listen changed: restart to apply") }
        if newConfiguration.dataDir != running.dataDir { notes.append("data_dir changed: restart to apply") }
        if newConfiguration.windows != running.windows { notes.append("windows changed: restart to apply") }
        if (newConfiguration.tls == nil) != (running.tls == nil) {
            notes.append("tls turned \(running.tls == nil ? "on" : "off"): restart to apply")
        } else if let settings = newConfiguration.tls, let tls {
            // Re-read even when the paths are the same: rotation replaces the files' contents.
            do {
                let context = try TLSCertificates.load(settings)
                tls.replace(context)
                logger.notice("SIGHUP: TLS certificate reloaded", metadata: [
                    "subject": "\(context.certificateSubject)", "file": "\(settings.certFile)"])
            } catch {
                notes.append("tls refused, the previous certificate stays in force: \(error.description)")
            }
        }
        if newConfiguration.auth != running.auth {
            // Tokens and their secrets apply at once; open connections stay open.
            do { authorizer.replace(try AccessTokens.load(newConfiguration.auth?.tokens ?? [])) } catch {
                notes.append("auth.tokens refused, the previous tokens stay in force: \(error.description)")
            }
        }
        var merged = newConfiguration
        // The listener and the decoder were built with these; keep them until a restart.
        merged.listen = running.listen
        merged.dataDir = running.dataDir
        merged.windows = running.windows
        if (newConfiguration.tls == nil) != (running.tls == nil) { merged.tls = running.tls }
        // Limits the decoder and the models read apply now; those the listener was built with
        // (body and header sizes, connections, timeouts) and the exact-drift budget need a restart.
        var limits = newConfiguration.limits
        let fixed: [(String, Bool)] = [
            ("max_body_bytes", limits.maxBodyBytes != running.limits.maxBodyBytes),
            ("max_header_bytes", limits.maxHeaderBytes != running.limits.maxHeaderBytes),
            ("max_connections", limits.maxConnections != running.limits.maxConnections),
            ("idle_timeout", limits.idleTimeout != running.limits.idleTimeout),
            ("request_timeout", limits.requestTimeout != running.limits.requestTimeout),
            ("max_exact_drift_bytes", limits.maxExactDriftBytes != running.limits.maxExactDriftBytes),
        ]
        for (key, changed) in fixed where changed { notes.append("limits.\(key) changed: restart to apply") }
        limits.maxBodyBytes = running.limits.maxBodyBytes
        limits.maxHeaderBytes = running.limits.maxHeaderBytes
        limits.maxConnections = running.limits.maxConnections
        limits.idleTimeout = running.limits.idleTimeout
        limits.requestTimeout = running.limits.requestTimeout
        limits.maxExactDriftBytes = running.limits.maxExactDriftBytes
        merged.limits = limits
        eventLimits.replace(EventLimits(limits))
        for (key, changed) in [("fsync", newConfiguration.fsync != running.fsync),
                               ("fsync_interval", newConfiguration.fsyncInterval != running.fsyncInterval),
                               ("snapshot_interval", newConfiguration.snapshotInterval != running.snapshotInterval)] where changed {
            notes.append("\(key) changed: restart to apply")
        }
        merged.fsync = running.fsync
        merged.fsyncInterval = running.fsyncInterval
        merged.snapshotInterval = running.snapshotInterval
        let problems = store.reload(merged)
        // A snapshot now: the log after it is written under the settings a restart will read,
        // so replaying it gives what the daemon did.
        if let snapshotter = journal.snapshotter { DispatchQueue.global().async { snapshotter.write() } }
        return notes + problems
    }

    /// Stops accepting, finishes in-flight requests and returns within `gracePeriod` seconds.
    public func stop(gracePeriod: Double = 4) {
        logger.info("shutting down: finishing in-flight requests")
        server.shutdown(gracePeriod: gracePeriod)
        // A final snapshot (the restart then reads little of the log), and everything
        // acknowledged written and synced before the process exits.
        if let snapshotter = journal.snapshotter {
            snapshotter.stop()
            snapshotter.write()
        }
        journal.eventLog?.close()
        logger.info("stopped")
    }
}

/// Startup failures, each with what to change.
public enum DaemonError: Error, CustomStringConvertible {
    case listen(address: String, reason: String)
    case auth(String)
    case tls(String)
    case data(String)

    public var description: String {
        switch self {
        case let .listen(address, reason): return "cannot listen on \(address): \(reason); choose another --listen address"
        case let .auth(problem): return problem
        case let .tls(problem): return problem
        case let .data(problem): return problem
        }
    }
}
