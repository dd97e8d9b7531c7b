// SPDX-License-Identifier: Apache-2.0
// One state change as the event log stores it, and the framing that lets a reader trust it.

import MWNative

/// A request that changed state, as it was applied: what, to which model, at which instant of
/// the daemon's clock, with the body as decoded (after gzip). Replaying the records in order
/// through the same handlers, with the recorded clock, rebuilds the same state.
struct LogRecord: Equatable, Sendable {
    enum Kind: UInt8, Sendable {
        case predictions = 1
        case labels = 2
        case putModel = 3
        case deleteModel = 4
        case putReference = 5
    }

    var kind: Kind
    /// The record's number in the data dir's history: increasing, never reused (a snapshot
    /// says up to which number it holds the records' effects).
    var sequence: UInt64
    /// The daemon's clock (unix seconds) when the request was applied.
    var time: Double
    var model: String
    /// The body is NDJSON (ingestion and references), not one JSON value.
    var ndjson: Bool
    var body: [UInt8]
}

/// The on-disk framing of records: `[u32 length][u32 CRC-32 of the payload][payload]`, little
/// endian, where the payload is `[u8 kind][u8 flags][u16 model length][f64 time][u64 sequence][model][body]`.
/// A record whose length runs past the end of the file, or whose checksum does not match, is
/// where the good part of a file ends (a torn write, or corruption).
enum LogFraming {
    static let frameHeader = 8
    static let payloadHeader = 20
    /// Larger is refused as corrupt (the biggest body is limits.max_body_bytes, at most 1 GiB).
    static let maxPayload = 1 << 30

    /// Appends one framed record.
    static func append(kind: LogRecord.Kind, sequence: UInt64, time: Double, model: String, ndjson: Bool,
                       body: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        let modelBytes = Array(model.utf8)
        let payloadLength = payloadHeader + modelBytes.count + body.count
        // No reserveCapacity here: asking for exactly this record's room each time would defeat
        // the array's doubling and copy the whole queued buffer on every append.
        appendInteger(UInt32(payloadLength), to: &out)
        appendInteger(UInt32(0), to: &out)  // the checksum, filled in below
        out.append(kind.rawValue)
        out.append(ndjson ? 1 : 0)
        appendInteger(UInt16(modelBytes.count), to: &out)
        appendInteger(time.bitPattern, to: &out)
        appendInteger(sequence, to: &out)
        out.append(contentsOf: modelBytes)
        out.append(contentsOf: body)
        let crc = out.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + frameHeader)...])) }
        withUnsafeBytes(of: crc.littleEndian) { bytes in
            for i in 0..<4 { out[start + 4 + i] = bytes[i] }
        }
    }

    static func append(_ record: LogRecord, to out: inout [UInt8]) {
        record.body.withUnsafeBytes {
            append(kind: record.kind, sequence: record.sequence, time: record.time, model: record.model, ndjson: record.ndjson, body: $0, to: &out)
        }
    }

    /// What reading framed records out of bytes found.
    struct Scan {
        var records: [LogRecord] = []
        /// Offset just past the last good record.
        var goodEnd: Int
        /// Why reading stopped before the end (nil: every byte was a good record).
        var problem: String?
    }

    /// Reads the records of `bytes[start...]` up to the first one that is torn or corrupt.
    static func scan(_ bytes: [UInt8], from start: Int) -> Scan {
        var scan = Scan(goodEnd: start)
        var offset = start
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                guard raw.count - offset >= frameHeader else {
                    scan.problem = "a record header is cut short (\(raw.count - offset) of \(frameHeader) bytes)"
                    return
                }
                let length = Int(readInteger(UInt32.self, raw, offset))
                let crc = readInteger(UInt32.self, raw, offset + 4)
                guard length >= payloadHeader, length <= maxPayload else {
                    scan.problem = "a record claims \(length) bytes"
                    return
                }
                guard raw.count - offset - frameHeader >= length else {
                    scan.problem = "a record is cut short (\(raw.count - offset - frameHeader) of \(length) bytes)"
                    return
                }
                let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + frameHeader)..<(offset + frameHeader + length)])
                guard CRC32.checksum(payload) == crc else {
                    scan.problem = "a record's checksum does not match"
                    return
                }
                guard let kind = LogRecord.Kind(rawValue: payload[0]) else {
                    scan.problem = "a record has unknown kind \(payload[0])"
                    return
                }
                let modelLength = Int(readInteger(UInt16.self, payload, 2))
                guard payloadHeader + modelLength <= length else {
                    scan.problem = "a record's model name runs past its end"
                    return
                }
                let time = Double(bitPattern: readInteger(UInt64.self, payload, 4))
                let sequence = readInteger(UInt64.self, payload, 12)
                let model = String(decoding: payload[payloadHeader..<(payloadHeader + modelLength)], as: UTF8.self)
                let body = Array(payload[(payloadHeader + modelLength)...])
                scan.records.append(LogRecord(kind: kind, sequence: sequence, time: time, model: model, ndjson: payload[1] & 1 != 0, body: body))
                offset += frameHeader + length
                scan.goodEnd = offset
            }
        }
        return scan
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func readInteger<T: FixedWidthInteger>(_ type: T.Type, _ raw: UnsafeRawBufferPointer, _ offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + MemoryLayout<T>.size)])) }
        return T(littleEndian: value)
    }
}
