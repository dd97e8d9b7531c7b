// SPDX-License-Identifier: Apache-2.0
// The files of the event log: names, headers with the format version, and reading them back.

import Foundation

/// Log segments are `log-<index, 16 hex digits>.mwlog`, each starting with a 16-byte header:
/// `MWLG`, the format version (u32), the segment's index (u64), little endian. Records follow
/// (``LogFraming``).
enum LogSegments {
    /// The format this binary writes and reads.
    static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("MWLG".utf8)
    static let headerBytes = 16

    static func name(_ index: UInt64) -> String {
        let hex = String(index, radix: 16)
        return "log-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".mwlog"
    }

    static func header(index: UInt64) -> [UInt8] {
        var out = magic
        LogFraming.appendInteger(formatVersion, to: &out)
        LogFraming.appendInteger(index, to: &out)
        return out
    }

    /// The segments in a directory, by index.
    static func list(_ directory: String) -> [(index: UInt64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (UInt64, String)? in
            guard name.hasPrefix("log-"), name.hasSuffix(".mwlog"), name.count == 4 + 16 + 6,
                  let index = UInt64(name.dropFirst(4).prefix(16), radix: 16) else { return nil }
            return (index, directory + "/" + name)
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
