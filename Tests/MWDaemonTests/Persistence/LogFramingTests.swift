// SPDX-License-Identifier: Apache-2.0
// Log records written and read back; where a torn or corrupt tail makes the reader stop.

import Testing
@testable import MWDaemon

@Suite struct LogFramingTests {
    static let records = [
        LogRecord(kind: .predictions, sequence: 1, time: 1_764_612_000.25, model: "fraud", ndjson: true, body: Array("{\"id\":\"a\"}\n{\"id\":\"b\"}".utf8)),
        LogRecord(kind: .labels, sequence: 2, time: 1_764_612_001, model: "churn-é", ndjson: false, body: Array("{\"id\":\"a\",\"label\":1}".utf8)),
        LogRecord(kind: .deleteModel, sequence: 7, time: 0, model: "m", ndjson: false, body: []),
        LogRecord(kind: .putReference, sequence: 1 << 40, time: -1.5, model: "demand", ndjson: true, body: [UInt8](repeating: 0x7b, count: 70_000)),
    ]

    static func encoded() -> [UInt8] {
        var out = LogSegments.header(index: 7, firstSequence: 1)
        for r in records { LogFraming.append(r, to: &out) }
        return out
    }

    @Test func roundTrip() throws {
        let bytes = Self.encoded()
        let start = try LogSegments.checkHeader(bytes)
        let scan = LogFraming.scan(bytes, from: start)
        #expect(scan.records == Self.records)
        #expect(scan.goodEnd == bytes.count && scan.problem == nil)
    }

    @Test func everyCutIsATornTailAtARecordBoundary() throws {
        let bytes = Self.encoded()
        // Boundaries: the header's end, then each record's.
        var boundaries = [LogSegments.headerBytes]
        var prefix = LogSegments.header(index: 7, firstSequence: 1)
        for r in Self.records {
            LogFraming.append(r, to: &prefix)
            boundaries.append(prefix.count)
        }
        // Every length from the header on: the scan keeps exactly the records wholly inside.
        for cut in stride(from: LogSegments.headerBytes, through: bytes.count, by: 37) {
            let scan = LogFraming.scan(Array(bytes[..<cut]), from: LogSegments.headerBytes)
            let whole = boundaries.filter { $0 <= cut }
            #expect(scan.goodEnd == whole.last!)
            #expect(scan.records.count == whole.count - 1)
            #expect((scan.problem == nil) == (cut == whole.last!))
        }
    }

    @Test func aFlippedBitFailsTheChecksum() {
        var bytes = Self.encoded()
        let second = LogSegments.headerBytes + LogFraming.frameHeader + LogFraming.payloadHeader + 5 + Self.records[0].body.count
        bytes[second + 20] ^= 0x01  // inside the second record's payload
        let scan = LogFraming.scan(bytes, from: LogSegments.headerBytes)
        #expect(scan.records == [Self.records[0]])
        #expect(scan.problem?.contains("checksum") == true)
    }

    @Test func headerVersionAndMagic() {
        var bytes = LogSegments.header(index: 1, firstSequence: 1)
        bytes[4] = 2  // format 2: newer than this binary
        #expect(throws: LogSegments.HeaderProblem.newerFormat(2)) { try LogSegments.checkHeader(bytes) }
        #expect(throws: LogSegments.HeaderProblem.notASegment) { try LogSegments.checkHeader(Array("MWLX\0\0\0\0".utf8)) }
        #expect(LogSegments.name(255) == "log-00000000000000ff.mwlog")
    }
}
