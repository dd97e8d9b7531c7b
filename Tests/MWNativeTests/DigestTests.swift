// SPDX-License-Identifier: Apache-2.0
// SHA-256 and HMAC-SHA256 against the published test vectors.

import Testing
@testable import MWNative

@Suite struct DigestTests {
    @Test func sha256OfABC() {
        // FIPS 180-2 appendix B.1
        #expect(SHA256.hexDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256OfEmpty() {
        #expect(SHA256.hexDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEquals() {
        #expect(HMAC.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test func hexRoundTrip() {
        #expect(Hex.decode("00ffA0") == [0, 255, 160])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode([0, 255, 160]) == "00ffa0")
    }

    /// The prepared key against OpenSSL's one-shot HMAC and RFC 4231 (keys shorter than, equal
    /// to and longer than the block; messages in parts), on seeded random inputs.
    @Test func preparedKeyMatchesOneShotHMAC() {
        let key = Array("Jefe".utf8), message = Array("what do ya want for nothing?".utf8)
        #expect(Hex.encode(HMACSHA256Key(key: key).authenticate(message))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        var state: UInt64 = 42
        func byte() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for keyLength in [0, 1, 31, 63, 64, 65, 131] {
            let key = (0..<keyLength).map { _ in byte() }
            let prepared = HMACSHA256Key(key: key)
            for length in [0, 1, 55, 64, 1000] {
                let message = (0..<length).map { _ in byte() }
                #expect(prepared.authenticate(message) == HMAC.sha256(key: key, message: message), "key \(keyLength), message \(length)")
                let split = length / 3
                let parts = message.withUnsafeBytes { all in
                    prepared.authenticate([UnsafeRawBufferPointer(rebasing: all[0..<split]), UnsafeRawBufferPointer(rebasing: all[split...])])
                }
                #expect(parts == HMAC.sha256(key: key, message: message))
            }
        }
    }
}

@Suite struct CRC32Tests {
    @Test func checkValue() {
        // The CRC-32 check value of "123456789" (the catalogue's CRC-32/ISO-HDLC).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func continuesAcrossParts() {
        let whole = Array("the quick brown fox".utf8)
        let first = whole[..<7].withUnsafeBytes { CRC32.checksum($0) }
        let both = whole[7...].withUnsafeBytes { CRC32.checksum($0, continuing: first) }
        #expect(both == CRC32.checksum(whole))
    }
}
