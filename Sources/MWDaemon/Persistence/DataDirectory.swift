// SPDX-License-Identifier: Apache-2.0
// The data dir: its lock, its format version, and restoring state from its log at start.

import Foundation
import Logging

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
        var records = 0
        var segments = 0
        var bytes = 0
        var lastSegment: UInt64 = 0
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

    /// Reads every log segment in order and hands each good record to `apply`. A torn or
    /// corrupt tail is cut at the last good record (with a warning naming the file and the
    /// offset); a segment from a newer format refuses the start.
    func restore(logger: Logger, apply: (LogRecord) -> Void) throws(DataDirectoryError) -> Restored {
        var restored = Restored()
        let segments = LogSegments.list(path)
        for (position, segment) in segments.enumerated() {
            restored.lastSegment = max(restored.lastSegment, segment.index)
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
            for record in scan.records { apply(record) }
            restored.records += scan.records.count
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
