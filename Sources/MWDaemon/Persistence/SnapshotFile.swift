// SPDX-License-Identifier: Apache-2.0
// Snapshot files: every model's persisted state as of a log position, written atomically.

import Foundation
import MWNative
import MWStats

/// `snapshot-<covered sequence, 16 hex digits>.mwsnap`: a 32-byte header (`MWSN`, format
/// version u32, the covered sequence u64: every log record up to it is in the snapshot, the
/// creation time f64, ``ModelState/snapshotLayout`` u32, 4 bytes zero), then one frame per
/// model (`[u32 length][u32 CRC-32][payload]`, the payload being the model's name, the number
/// of the last record applied to it, its settings as YAML and ``ModelState/write(to:)``), then
/// an end frame of length 0 whose CRC field holds the model count. A file without its end
/// frame, or with a frame that fails its CRC, is unreadable as a whole.
enum SnapshotFile {
    static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("MWSN".utf8)
    static let headerBytes = 32

    /// One model as the snapshot holds it.
    struct Model {
        var name: String
        /// The last log record applied to it.
        var lastSequence: UInt64
        var settingsYAML: String
        /// ``ModelState/write(to:)``'s bytes.
        var state: [UInt8]
        /// The ``ModelState/snapshotLayout`` they were written with.
        var layout: UInt32 = ModelState.snapshotLayout
    }

    static func name(covering sequence: UInt64) -> String {
        let hex = String(sequence, radix: 16)
        return "snapshot-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".mwsnap"
    }

    /// The finished snapshots of a directory, newest (highest covered sequence) first.
    static func list(_ directory: String) -> [(covered: UInt64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (UInt64, String)? in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".mwsnap"), name.count == 9 + 16 + 7,
                  let covered = UInt64(name.dropFirst(9).prefix(16), radix: 16) else { return nil }
            return (covered, directory + "/" + name)
        }.sorted { $0.0 > $1.0 }
    }

    static func header(covered: UInt64, created: Double) -> [UInt8] {
        var out = magic
        LogFraming.appendInteger(formatVersion, to: &out)
        LogFraming.appendInteger(covered, to: &out)
        LogFraming.appendInteger(created.bitPattern, to: &out)
        LogFraming.appendInteger(ModelState.snapshotLayout, to: &out)
        LogFraming.appendInteger(UInt32(0), to: &out)
        return out
    }

    static func frame(_ model: Model) -> [UInt8] {
        var w = SnapshotWriter(capacity: model.state.count + model.settingsYAML.utf8.count + 64)
        w.string(model.name)
        w.integer(model.lastSequence)
        w.string(model.settingsYAML)
        w.raw(model.state)
        var out: [UInt8] = []
        LogFraming.appendInteger(UInt32(w.bytes.count), to: &out)
        LogFraming.appendInteger(CRC32.checksum(w.bytes), to: &out)
        out += w.bytes
        return out
    }

    static func end(models: Int) -> [UInt8] {
        var out: [UInt8] = []
        LogFraming.appendInteger(UInt32(0), to: &out)
        LogFraming.appendInteger(UInt32(models), to: &out)
        return out
    }

    /// Why a snapshot cannot be used (the restore falls back to the previous one).
    enum Problem: Error, CustomStringConvertible {
        case newerFormat(UInt32)
        case corrupt(String)

        var description: String {
            switch self {
            case .newerFormat(let v): return "written by a newer modelwatch (snapshot format \(v))"
            case .corrupt(let what): return what
            }
        }
    }

    /// Reads a whole snapshot: the covered sequence and the models.
    static func read(_ bytes: [UInt8]) throws(Problem) -> (covered: UInt64, created: Double, models: [Model]) {
        guard bytes.count >= headerBytes, Array(bytes[0..<4]) == magic else { throw .corrupt("no snapshot header") }
        let (version, covered, created, layout) = bytes.withUnsafeBytes { raw in
            (LogFraming.readInteger(UInt32.self, raw, 4), LogFraming.readInteger(UInt64.self, raw, 8),
             Double(bitPattern: LogFraming.readInteger(UInt64.self, raw, 16)), LogFraming.readInteger(UInt32.self, raw, 24))
        }
        guard version <= formatVersion else { throw .newerFormat(version) }
        guard layout <= ModelState.snapshotLayout else { throw .newerFormat(layout) }
        var offset = headerBytes
        var models: [Model] = []
        while true {
            guard bytes.count - offset >= 8 else { throw .corrupt("cut short after \(models.count) models (no end frame)") }
            let (length, crc) = bytes.withUnsafeBytes { (Int(LogFraming.readInteger(UInt32.self, $0, offset)), LogFraming.readInteger(UInt32.self, $0, offset + 4)) }
            offset += 8
            if length == 0 {
                guard Int(crc) == models.count else { throw .corrupt("end frame counts \(crc) models, \(models.count) read") }
                return (covered, created, models)
            }
            guard bytes.count - offset >= length else { throw .corrupt("model \(models.count + 1) is cut short") }
            let payload = Array(bytes[offset..<(offset + length)])
            guard CRC32.checksum(payload) == crc else { throw .corrupt("model \(models.count + 1) fails its checksum") }
            offset += length
            var r = SnapshotReader(payload)
            do {
                models.append(Model(name: try r.string(), lastSequence: try r.integer(), settingsYAML: try r.string(), state: try r.raw(),
                                    layout: layout))
            } catch {
                throw .corrupt("model \(models.count + 1): \(error)")
            }
        }
    }
}
