// SPDX-License-Identifier: Apache-2.0
// The SWAR helpers against plain byte-by-byte readings of the same 8 bytes, on seeded random
// words drawn from the bytes that matter (digits, points, separators, quotes, escapes,
// control and non-ASCII bytes).

import MWTestSupport
import Testing
@testable import MWDaemon

@Suite struct SWARScanningTests {
    static let interesting: [UInt8] = Array("0123456789.,}\"\\ae-+ ".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]

    static func words(seed: UInt64, count: Int = 20_000) -> [[UInt8]] {
        var rng = SplitMix(seed: seed)
        return (0..<count).map { _ in
            let digitsFirst = Int.random(in: 0...8, using: &rng)  // runs of digits are what the helpers look for
            return (0..<8).map { k in
                k < digitsFirst && Int.random(in: 0..<6, using: &rng) > 0
                    ? UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) : interesting.randomElement(using: &rng)!
            }
        }
    }

    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The 8-byte digit run: every length, every digit, and the bytes that end a run.
    @Test func digitRunsEightBytesAtATime() {
        var rng = SplitMix(seed: 81)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...8, using: &rng)
            var bytes = (0..<count).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
            let enders: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "e"), 0x2F, 0x3A, 0xFF, 0x00, 0xB0]
            while bytes.count < 8 { bytes.append(bytes.count == count ? enders.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)) }
            let (n, value) = bytes.withUnsafeBufferPointer { JSONScanner.digitRun($0.baseAddress!) }
            #expect(n == count, "\(bytes)")
            if count > 0 && count < 8 {
                #expect(value == UInt64(String(decoding: bytes.prefix(count), as: UTF8.self))!, "\(bytes)")
            }
        }
    }


    @Test(arguments: [11, 12] as [UInt64])
    func shortPlainStringAsByteByByte(seed: UInt64) {
        for bytes in Self.words(seed: seed) {
            let quote = bytes.firstIndex(of: 0x22)
            let bad = bytes.firstIndex { $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 }
            let got = JSONScanner.shortPlainString(Self.word(bytes))
            if let n = quote, bad.map({ $0 > n }) ?? true {
                #expect(got?.count == n && got?.word == Self.word(Array(bytes.prefix(n)) + [UInt8](repeating: 0, count: 8 - n)), "\(bytes)")
            } else {
                #expect(got == nil, "\(bytes)")
            }
        }
    }

    @Test(arguments: [21, 22] as [UInt64])
    func separatorLaneAsByteByByte(seed: UInt64) {
        for bytes in Self.words(seed: seed) {
            #expect(JSONScanner.separatorLane(Self.word(bytes)) == (bytes.firstIndex { $0 == 0x2C || $0 == 0x7D } ?? 8), "\(bytes)")
        }
    }

    @Test(arguments: [31, 32] as [UInt64])
    func decimalInWordAsByteByByte(seed: UInt64) {
        for bytes in Self.words(seed: seed) {
            // plain: digits, then optionally a point and digits, ending inside the word; no leading zero
            let first = bytes.firstIndex { !Self.isDigit($0) } ?? 8
            var want: (length: Int, mantissa: UInt64, decimals: Int)?
            if first > 0 && first < 8 && (first == 1 || bytes[0] != 0x30) {
                if bytes[first] == UInt8(ascii: ".") {
                    let end = bytes[(first + 1)...].firstIndex { !Self.isDigit($0) } ?? 8
                    if end < 8 && end > first + 1 {
                        let text = String(decoding: bytes[0..<first] + bytes[(first + 1)..<end], as: UTF8.self)
                        want = (end, UInt64(text)!, end - first - 1)
                    }
                } else {
                    want = (first, UInt64(String(decoding: bytes[0..<first], as: UTF8.self))!, 0)
                }
            }
            let got = JSONScanner.decimalInWord(Self.word(bytes))
            #expect(got?.length == want?.length && got?.mantissa == want?.mantissa && got?.decimals == want?.decimals, "\(bytes)")
        }
    }
}
