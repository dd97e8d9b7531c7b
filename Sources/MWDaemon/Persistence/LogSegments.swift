// SPDX-License-Identifier: Apache-2.0
// The files of the event log: names, headers with the format version, and reading them back.

import Foundation

/// Log segments are `log-<index, 16 hex digits>.mwlog`, each starting with a 24-byte header:
/// `MWLG`, the format version (u32), the segment's index (u64) and the sequence number its
/// records start from (u64: every record in it has that number or a higher one, and a lower one
/// than the next segment's), little endian. Records follow (``LogFraming``).
enum LogSegments {
    /// The format this binary writes and reads.
    static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("MWLG".utf8)
    static let headerBytes = 24

    static func name(_ index: UInt64) -> String {
        let hex = String(index, radix: 16)
        return "log-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".mwlog"
    }

    static func header(index: UInt64, firstSequence: UInt64) -> [UInt8] {
        var out = magic
        LogFraming.appendInteger(formatVersion, to: &out)
        LogFraming.appendInteger(index, to: &out)
        LogFraming.appendInteger(firstSequence, to: &out)
        return out
    }

    /// The first sequence number of a segment, from its header (nil when the header is not valid).
    static func firstSequence(_ path: String) -> UInt64? {
        guard let bytes = try? DiskFile.readPrefix(path, count: headerBytes), (try? checkHeader(bytes)) != nil else { return nil }
        return bytes.withUnsafeBytes { LogFraming.readInteger(UInt64.self, $0, 16) }
    }

    /// The segments in a directory, by index, with their sizes.
    static func list(_ directory: String) -> [(index: UInt64, path: String, bytes: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (UInt64, String, Int)? in
            guard name.hasPrefix("log-"), name.hasSuffix(".mwlog"), name.count == 4 + 16 + 6,
                  let index = UInt64(name.dropFirst(4).prefix(16), radix: 16) else { return nil }
            let path = directory + "/" + name
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            return (index, path, size)
        }.sorted { $0.0 < $1.0 }
    }

    /// Why a segment cannot be read at all.
    enum HeaderProblem: Error, Equatable {
        /// Written by a newer modelwatch: refuse to start rather than misread it.
        case newerFormat(UInt32)
        /// Not a log segment, or a header cut short (a crash while creating it).
        case notASegment
    }

    /// Checks a segment's header; returns where its records start.
    static func checkHeader(_ bytes: [UInt8]) throws(HeaderProblem) -> Int {
        guard bytes.count >= headerBytes, Array(bytes[0..<4]) == magic else { throw .notASegment }
        let version = bytes.withUnsafeBytes { LogFraming.readInteger(UInt32.self, $0, 4) }
        guard version <= formatVersion else { throw .newerFormat(version) }
        return headerBytes
    }
}
