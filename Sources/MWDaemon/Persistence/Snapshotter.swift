// SPDX-License-Identifier: Apache-2.0
// Periodic snapshots of every model, and the log segments they make unnecessary.

import CLinux
import Dispatch
import Foundation
import Logging
import MWSockets
import MWStats
import Synchronization

/// Writes a snapshot every `interval` (and on shutdown): each model's state is copied under its
/// lock (a copy-on-write copy: the lock is held for the copy only) and encoded outside it,
/// into `snapshot-….mwsnap.tmp`, which is synced, renamed into place and its directory synced.
/// The two newest snapshots are kept (the older is the fallback when the newer cannot be read);
/// log segments whose records the older one already holds are deleted.
final class Snapshotter: Sendable {
    /// What `/metrics` shows of the snapshots.
    struct Figures: Sendable {
        /// Creation time of the newest snapshot (written or restored from), unix seconds.
        var newest: Double?
        var bytes = 0
        var seconds = 0.0
        var failures: UInt64 = 0
        var written: UInt64 = 0
    }

    private let directory: String
    private let store: ModelStore
    private let log: EventLog
    private let interval: Double
    private let logger: Logger
    private let clock: @Sendable () -> Double
    private let figures: Locked<Figures>
    /// One snapshot at a time (the timer's and the shutdown's).
    private let writing = Locked(())
    private let stopping = Atomic<Bool>(false)
    /// The log position of the last snapshot written: an idle daemon does not write the same one again.
    private let lastCovered = Atomic<UInt64>(.max)
    private let wake = DispatchSemaphore(value: 0)

    init(directory: String, store: ModelStore, log: EventLog, interval: Double, restoredFrom: Double?,
         logger: Logger, clock: @escaping @Sendable () -> Double) {
        self.directory = directory
        self.store = store
        self.log = log
        self.interval = interval
        self.logger = logger
        self.clock = clock
        figures = Locked(Figures(newest: restoredFrom))
    }

    var currentFigures: Figures { figures.withLock { $0 } }

    func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .relaxed) {
                _ = wake.wait(timeout: .now() + interval)
                if stopping.load(ordering: .relaxed) { break }
                write()
            }
        }
        thread.name = "snapshotter"
        thread.start()
    }

    /// Stops the timer (a snapshot under way finishes).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// Writes a snapshot now; logs and counts a failure (the previous snapshot and the log stay).
    @discardableResult
    func write() -> Bool {
        writing.withLock { _ in
            if log.lastSequence == lastCovered.load(ordering: .relaxed) { return true }  // nothing new
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                let (path, bytes, models) = try writeSnapshot()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                figures.withLock {
                    $0.newest = clock()
                    $0.bytes = bytes
                    $0.seconds = seconds
                    $0.written += 1
                }
                logger.info("snapshot written", metadata: ["file": "\(path)", "bytes": "\(bytes)", "models": "\(models)",
                                                           "seconds": "\(seconds)"])
                compact()
                // A snapshot frees its encode buffers and, as writes to the models' copied
                // tables land, the tables it held: tens of MB freed on this thread that glibc
                // keeps in its arenas (the soak's RSS rose in steps of them). Give them back.
                _ = malloc_trim(0)
                return true
            } catch {
                figures.withLock { $0.failures += 1 }
                logger.error("snapshot failed; the previous snapshot and the log stay in force", metadata: ["error": "\(error)"])
                return false
            }
        }
    }

    private func writeSnapshot() throws(DiskError) -> (path: String, bytes: Int, models: Int) {
        // Every record up to `covered` has been applied to its model before being numbered,
        // so each model's copy below holds at least those.
        let covered = log.lastSequence
        let final = directory + "/" + SnapshotFile.name(covering: covered)
        let temporary = final + ".tmp"
        try DiskFile.remove(temporary)
        let file = try DiskFile(appendingTo: temporary)
        defer { file.close() }
        func put(_ bytes: [UInt8]) throws(DiskError) {
            let (_, error) = file.write(bytes)
            if let error { throw error }
        }
        try put(SnapshotFile.header(covered: covered, created: clock()))
        let boxes = store.all()
        for box in boxes {
            let (state, last) = box.state.withLock { ($0, box.logged.load(ordering: .relaxed)) }
            var w = SnapshotWriter()
            state.write(to: &w)
            let settings = box.settings.withLock { $0 }.yamlLines().joined(separator: "\n") + "\n"
            try put(SnapshotFile.frame(.init(name: box.name, lastSequence: last, settingsYAML: settings, state: w.bytes)))
        }
        try put(SnapshotFile.end(models: boxes.count))
        try file.sync()
        try DiskFile.rename(temporary, to: final)
        try DiskFile.syncDirectory(directory)
        lastCovered.store(covered, ordering: .relaxed)
        return (final, file.size, boxes.count)
    }

    /// Keeps the two newest snapshots; deletes the segments the older of them already holds.
    private func compact() {
        let snapshots = SnapshotFile.list(directory)
        for old in snapshots.dropFirst(2) { try? DiskFile.remove(old.path) }
        guard let fallback = snapshots.prefix(2).last else { return }
        let segments = LogSegments.list(directory)
        for (i, segment) in segments.enumerated().dropLast() {
            // Every record of segment i is below the next segment's first sequence number.
            guard let next = LogSegments.firstSequence(segments[i + 1].path), next > 0, next - 1 <= fallback.covered else { break }
            do {
                try DiskFile.remove(segment.path)
                log.forget(bytes: segment.bytes)
            } catch {
                logger.warning("old log segment not deleted", metadata: ["error": "\(error)"])
                break
            }
        }
    }
}
