// SPDX-License-Identifier: Apache-2.0
// The data dir: its lock, its format version, and restoring state from its log at start.

import Foundation
import Logging
import MWStats

/// Why the data dir cannot be used; each says what to do.
enum DataDirectoryError: Error, CustomStringConvertible {
    case create(path: String, reason: String)
    case locked(path: String, pid: String)
    case newerFormat(path: String, version: UInt32)
    case unreadable(DiskError)
    case disk(DiskError)

    var description: String {
        switch self {
        case let .create(path, reason):
            return "cannot create data dir \(path): \(reason); set data_dir or --data-dir"
        case let .locked(path, pid):
            return "data dir \(path) is in use by another modelwatch (pid \(pid)); stop it or give this one its own --data-dir"
        case let .newerFormat(path, version):
            return "\(path) was written by a newer modelwatch (data format \(version); this binary reads up to \(LogSegments.formatVersion)); run that version, or start this one on another --data-dir"
        case let .unreadable(error):
            return "cannot read the data dir: \(error)"
        case let .disk(error):
            return "cannot write the data dir: \(error)"
        }
    }
}

/// A data directory opened by this process (locked for as long as this object lives).
final class DataDirectory: Sendable {
    let path: String
    private let lock: DirectoryLock

    /// What restoring found.
    struct Restored {
        /// Log records applied (those the snapshot already held are not counted).
        var records = 0
        var segments = 0
        var bytes = 0
        var lastSegment: UInt64 = 0
        /// The highest sequence number in the snapshot or the log.
        var lastSequence: UInt64 = 0
        /// The snapshot restored from, and when it was written.
        var snapshot: (path: String, created: Double, models: Int)?
    }

    /// Creates the directory if needed and takes its lock.
    init(path: String) throws(DataDirectoryError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .create(path: path, reason: "\(error.localizedDescription)")
        }
        self.path = path
        do { lock = try DirectoryLock(directory: path) } catch {
            switch error {
            case .held(let pid): throw .locked(path: path, pid: pid)
            case .disk(let disk): throw .disk(disk)
            }
        }
    }

    /// Restores the newest readable snapshot (`load` gets each of its models; `reset` undoes a
    /// snapshot that failed halfway), then hands `apply` every log record the snapshot does not
    /// hold, in order. A torn or corrupt log tail is cut at the last good record (with a warning
    /// naming the file and the offset); an unreadable snapshot falls back to the one before; a
    /// snapshot or segment from a newer format refuses the start.
    func restore(logger: Logger, load: (SnapshotFile.Model) throws(SnapshotError) -> Void, reset: () -> Void,
                 apply: (LogRecord) -> Void) throws(DataDirectoryError) -> Restored {
        var restored = Restored()
        for leftover in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []) where leftover.hasSuffix(".mwsnap.tmp") {
            logger.warning("removing a snapshot that was not finished (the daemon stopped while writing it)",
                           metadata: ["file": "\(path)/\(leftover)"])
            try? DiskFile.remove(path + "/" + leftover)
        }
        // Records up to `covered` are in the snapshot; a model's own records up to its number too.
        var covered: UInt64 = 0
        var heldUpTo: [String: UInt64] = [:]
        for snapshot in SnapshotFile.list(path) {
            do throws(SnapshotFile.Problem) {
                let bytes: [UInt8]
                do { bytes = try DiskFile.read(snapshot.path) } catch { throw SnapshotFile.Problem.corrupt("\(error)") }
                let contents = try SnapshotFile.read(bytes)
                for model in contents.models {
                    do { try load(model) } catch { throw SnapshotFile.Problem.corrupt("model \(model.name): \(error)") }
                    heldUpTo[model.name] = max(model.lastSequence, contents.covered)
                }
                covered = contents.covered
                restored.snapshot = (snapshot.path, contents.created, contents.models.count)
                break
            } catch {
                if case .newerFormat(let version) = error { throw .newerFormat(path: snapshot.path, version: version) }
                logger.warning("snapshot unreadable; falling back to the one before it and the log",
                               metadata: ["file": "\(snapshot.path)", "problem": "\(error)"])
                heldUpTo = [:]
                reset()
            }
        }
        restored.lastSequence = covered
        let segments = LogSegments.list(path)
        for (position, segment) in segments.enumerated() {
            restored.lastSegment = max(restored.lastSegment, segment.index)
            // A segment wholly inside the snapshot is not even read.
            if covered > 0, position + 1 < segments.count, let next = LogSegments.firstSequence(segments[position + 1].path),
               next > 0, next - 1 <= covered {
                restored.bytes += segment.bytes
                continue
            }
            let bytes: [UInt8]
            do { bytes = try DiskFile.read(segment.path) } catch { throw .unreadable(error) }
            let start: Int
            do { start = try LogSegments.checkHeader(bytes) } catch {
                switch error {
                case .newerFormat(let version): throw .newerFormat(path: segment.path, version: version)
                case .notASegment:
                    // A crash while creating it leaves a short header: nothing in it was acknowledged.
                    logger.warning("event log segment has no valid header; ignoring it", metadata: [
                        "file": "\(segment.path)", "bytes": "\(bytes.count)"])
                    continue
                }
            }
            let scan = LogFraming.scan(bytes, from: start)
            for record in scan.records {
                restored.lastSequence = max(restored.lastSequence, record.sequence)
                guard record.sequence > (heldUpTo[record.model] ?? covered) else { continue }
                apply(record)
                restored.records += 1
            }
            restored.segments += 1
            restored.bytes += scan.goodEnd
            if let problem = scan.problem {
                let last = position == segments.count - 1
                logger.warning("event log cut at its last good record", metadata: [
                    "file": "\(segment.path)", "offset": "\(scan.goodEnd)", "problem": "\(problem)",
                    "dropped_bytes": "\(bytes.count - scan.goodEnd)", "last_segment": "\(last)"])
                do { try DiskFile.truncate(segment.path, to: scan.goodEnd) } catch { throw .disk(error) }
            }
        }
        return restored
    }
}
