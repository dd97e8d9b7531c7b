// SPDX-License-Identifier: Apache-2.0
// The append-only event log: records appended under the model's lock, written and synced by one
// writer thread with group commit, acknowledged as the fsync policy says.

import Dispatch
import Foundation
import Logging
import MWSockets
import MWStats
import Synchronization

/// The event log of a data directory (SPEC section 7).
///
/// Handlers ``append(_:time:model:ndjson:body:)`` a record while they hold the model's lock (so
/// the log's order is the order the model saw), then ask ``whenDurable(_:_:)`` when to answer:
/// - `always`: once the record is on disk. One writer thread writes and syncs whatever has
///   accumulated since its last sync (group commit): concurrent requests share one fsync, and
///   no event loop ever waits on the disk;
/// - `interval`: at once; the writer writes and syncs every `fsync_interval`, so a crash loses at
///   most that much;
/// - `never`: at once; the writer writes promptly and leaves syncing to the kernel.
///
/// A failed write (a full disk, a file size limit, an I/O error) keeps the unwritten records in
/// memory and retries them every second; meanwhile ``refusal`` is set and the handlers answer
/// new writes with 503. Nothing already written is touched: records are only ever appended.
///
/// `@unchecked Sendable`: `file` and `segment` belong to the writer thread (and to `init`, before
/// it starts); everything else is behind a lock (`Locked`).
final class EventLog: @unchecked Sendable {
    /// Segments are closed and a new one begun beyond this size.
    static let segmentBytes = 64 * 1024 * 1024
    /// With `interval`, the writer is woken early once this much is waiting.
    static let earlyWriteBytes = 4 * 1024 * 1024

    typealias Completion = @Sendable (Bool) -> Void

    private struct State {
        var pending: [UInt8] = []
        /// Sequence number of the last record in `pending`.
        var pendingLast: UInt64 = 0
        var next: UInt64 = 1
        /// Every record up to this one is on disk as the policy requires.
        var durable: UInt64 = 0
        var waiters: [(sequence: UInt64, done: Completion)] = []
        var failure: DiskError?
        var writerSignalled = false
        var stopping = false
    }

    /// What `/metrics` shows of the log.
    struct Figures: Sendable {
        var bytes: Int
        /// Appended since start.
        var records: UInt64
        var writeErrors: UInt64
        var fsync: BucketHistogram
        var failing: Bool
    }

    let directory: String
    let policy: FsyncPolicy
    let interval: Double
    private let state = Locked(State())
    private let figures: Locked<Figures>
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let logger: Logger
    private var file: DiskFile
    private var segment: UInt64

    /// Opens a new segment after `lastSegment` (the highest existing one, 0 for none).
    /// - Parameters:
    ///   - existingBytes: the size of the segments already in the directory.
    ///   - lastSequence: the highest sequence number already used (0 for none); records continue after it.
    init(directory: String, lastSegment: UInt64, lastSequence: UInt64 = 0, existingBytes: Int, policy: FsyncPolicy,
         interval: Double, logger: Logger) throws(DiskError) {
        self.directory = directory
        self.policy = policy
        self.interval = max(0.001, interval)
        self.logger = logger
        segment = lastSegment + 1
        let file = try Self.createSegment(directory: directory, index: segment, firstSequence: lastSequence + 1)
        state.withLock {
            $0.next = lastSequence + 1
            $0.durable = lastSequence
            $0.pendingLast = lastSequence
        }
        self.file = file
        figures = Locked(Figures(bytes: existingBytes + file.size, records: 0, writeErrors: 0,
                                fsync: BucketHistogram(upperBounds: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
                                failing: false))
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "event-log-writer"
        thread.start()
    }

    /// Appends one record; returns its sequence number. Call under the model's lock.
    @discardableResult
    func append(_ kind: LogRecord.Kind, time: Double, model: String, ndjson: Bool, body: [UInt8]) -> UInt64 {
        let (sequence, signal) = state.withLock { state -> (UInt64, Bool) in
            let sequence = state.next
            state.next += 1
            body.withUnsafeBytes {
                LogFraming.append(kind: kind, sequence: sequence, time: time, model: model, ndjson: ndjson, body: $0, to: &state.pending)
            }
            state.pendingLast = sequence
            let due = policy != .interval || state.pending.count >= Self.earlyWriteBytes
            guard due && !state.writerSignalled else { return (sequence, false) }
            state.writerSignalled = true
            return (sequence, true)
        }
        if signal { wake.signal() }
        return sequence
    }

    /// Calls `done(true)` once record `sequence` is as durable as the policy promises (at once
    /// for `interval` and `never`), or `done(false)` when writing it failed (it stays queued and
    /// is retried; the request is answered 503).
    func whenDurable(_ sequence: UInt64, _ done: @escaping Completion) {
        guard policy == .always else { return done(true) }
        let now: Bool? = state.withLock { state in
            if state.durable >= sequence { return true }
            state.waiters.append((sequence, done))
            return nil
        }
        if let now { done(now) }
    }

    /// A compacted segment of `bytes` was deleted.
    func forget(bytes: Int) { figures.withLock { $0.bytes -= bytes } }

    /// The highest sequence number handed out: every record up to it has been applied.
    var lastSequence: UInt64 { state.withLock { $0.next - 1 } }

    /// Why writes are refused now (the last write failed and has not yet been retried successfully).
    var refusal: DiskError? { state.withLock { $0.failure } }

    var currentFigures: Figures {
        var f = figures.withLock { $0 }
        f.records = state.withLock { $0.next - 1 }
        return f
    }

    /// Writes and syncs what is queued, stops the writer; waits at most `timeout` seconds.
    func close(timeout: Double = 3) {
        state.withLock { $0.stopping = true }
        wake.signal()
        _ = stopped.wait(timeout: .now() + timeout)
    }

    // MARK: The writer thread

    private func run() {
        var spare: [UInt8] = []
        var unsynced = false
        var lastSync = Date().timeIntervalSince1970
        var reported: DiskError?
        while true {
            let waitFor = policy == .interval ? interval : 1.0
            _ = wake.wait(timeout: .now() + waitFor)
            var batch: [UInt8] = []
            let (last, stopping) = state.withLock { state -> (UInt64, Bool) in
                state.writerSignalled = false
                swap(&batch, &state.pending)
                swap(&state.pending, &spare)
                return (state.pendingLast, state.stopping)
            }
            var failed: DiskError?
            if !batch.isEmpty {
                let (written, error) = file.write(batch)
                if written > 0 {
                    unsynced = true
                    figures.withLock { $0.bytes += written }
                }
                if let error {
                    failed = error
                    let rest = Array(batch[written...])
                    state.withLock { state in state.pending = rest + state.pending }
                }
            }
            let now = Date().timeIntervalSince1970
            if failed == nil && unsynced && (policy == .always || stopping || (policy == .interval && now - lastSync >= interval * 0.95)) {
                let started = DispatchTime.now().uptimeNanoseconds
                do {
                    try file.sync()
                    unsynced = false
                    lastSync = now
                } catch {
                    failed = error
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                figures.withLock { $0.fsync.observe(seconds) }
            }
            let fire: [(sequence: UInt64, done: Completion)]
            let ok = failed == nil
            fire = state.withLock { state in
                if ok {
                    // Everything taken so far is written (a failed write would have put it back);
                    // with `always` it must be synced too.
                    if !unsynced || policy != .always { state.durable = max(state.durable, last) }
                    state.failure = nil
                    let ready = state.waiters.filter { $0.sequence <= state.durable }
                    state.waiters.removeAll { $0.sequence <= state.durable }
                    return ready
                }
                state.failure = failed
                let all = state.waiters
                state.waiters.removeAll()
                return all
            }
            figures.withLock { f in
                f.failing = !ok
                if !ok { f.writeErrors += 1 }
            }
            for waiter in fire { waiter.done(ok) }
            if let failed, failed != reported {
                logger.error("event log write failed; ingestion and admin writes answer 503 until it succeeds (retried every second)",
                             metadata: ["error": "\(failed)"])
                reported = failed
            } else if ok, reported != nil {
                logger.notice("event log writes resumed")
                reported = nil
            }
            batch.removeAll(keepingCapacity: true)
            if spare.isEmpty { spare = batch }
            if ok { rotateIfFull(after: last) }
            if stopping && ok && state.withLock({ $0.pending.isEmpty }) { break }
            if stopping && !ok { break }  // give up on shutdown: the records stay unwritten, as with a crash
        }
        file.close()
        stopped.signal()
    }

    /// Starts a new segment once this one is full; `last` is the last sequence number written.
    private func rotateIfFull(after last: UInt64) {
        guard file.size >= Self.segmentBytes else { return }
        do {
            try file.sync()
            let next = try Self.createSegment(directory: directory, index: segment + 1, firstSequence: last + 1)
            file.close()
            file = next
            segment += 1
            figures.withLock { $0.bytes += next.size }
        } catch {
            logger.warning("event log segment not rotated; the current one grows", metadata: ["error": "\(error)"])
        }
    }

    /// Creates segment `index` with its header, and makes its directory entry durable.
    static func createSegment(directory: String, index: UInt64, firstSequence: UInt64) throws(DiskError) -> DiskFile {
        let path = directory + "/" + LogSegments.name(index)
        let file = try DiskFile(appendingTo: path)
        if file.size == 0 {
            let (_, error) = file.write(LogSegments.header(index: index, firstSequence: firstSequence))
            if let error { throw error }
            try file.sync()
            try DiskFile.syncDirectory(directory)
        }
        return file
    }
}
