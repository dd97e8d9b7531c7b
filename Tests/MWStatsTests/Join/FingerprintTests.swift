// SPDX-License-Identifier: Apache-2.0
// SipHash-2-4-128 against the reference vectors (key 00…0f, message 00…n-1).

import Testing
@testable import MWStats

@Suite struct FingerprintTests {
    private let key = FingerprintKey(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)

    private func bytes(_ fingerprint: Fingerprint) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: fingerprint.low >> (8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: fingerprint.high >> (8 * $0)) }
    }

    private func hash(_ count: Int) -> [UInt8] {
        let message = (0..<count).map { UInt8($0) }
        return bytes(message.withUnsafeBytes { key.fingerprint(bytes: $0) })
    }

    @Test func referenceVectors() {
        #expect(hash(0) == [0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93])
        #expect(hash(1) == [0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45])
        #expect(hash(2) == [0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7, 0xfc, 0xa3, 0x8b, 0xde, 0xf6, 0x0a, 0xff, 0xe4])
    }

    @Test func stringsHashTheirUTF8() {
        #expect(key.fingerprint("req-81723") == Array("req-81723".utf8).withUnsafeBytes { key.fingerprint(bytes: $0) })
        #expect(key.fingerprint("a") != key.fingerprint("b"))
        #expect(FingerprintKey(k0: 1, k1: 2).fingerprint("a") != key.fingerprint("a"))
    }
}
