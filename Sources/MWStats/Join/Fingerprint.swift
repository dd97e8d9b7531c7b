// SPDX-License-Identifier: Apache-2.0
// 128-bit keyed fingerprints of event ids (SipHash-2-4-128).

/// A 128-bit fingerprint of an event id. The join keeps fingerprints instead of the ids
/// themselves: 16 bytes however long the id, and with a secret key the chance that two of a
/// million ids collide is about 2⁻⁸⁸, and nobody can craft collisions to slow the table down.
public struct Fingerprint: Sendable, Hashable {
    public let low: UInt64
    public let high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}

/// SipHash-2-4 with a 128-bit output (Aumasson & Bernstein), keyed per daemon.
public struct FingerprintKey: Sendable, Equatable {
    public let k0: UInt64
    public let k1: UInt64

    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A fresh random key.
    public static func random() -> FingerprintKey {
        var generator = SystemRandomNumberGenerator()
        return FingerprintKey(k0: generator.next(), k1: generator.next())
    }

    /// The fingerprint of `id`'s UTF-8 bytes.
    public func fingerprint(_ id: String) -> Fingerprint {
        var id = id
        return id.withUTF8 { fingerprint(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The fingerprint of raw bytes.
    public func fingerprint(bytes: UnsafeRawBufferPointer) -> Fingerprint {
        var v0: UInt64 = k0 ^ 0x736f_6d65_7073_6575
        var v1: UInt64 = k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee
        var v2: UInt64 = k0 ^ 0x6c79_6765_6e65_7261
        var v3: UInt64 = k1 ^ 0x7465_6462_7974_6573

        @inline(__always) func round() {
            v0 &+= v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 &+= v3; v3 = rotl(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotl(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
        }

        let count = bytes.count
        let whole = count & ~7
        var offset = 0
        while offset < whole {
            let m = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            v3 ^= m
            round(); round()
            v0 ^= m
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        var shift: UInt64 = 0
        while offset < count {
            last |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xee
        round(); round(); round(); round()
        let low = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round(); round()
        let high = v0 ^ v1 ^ v2 ^ v3
        return Fingerprint(low: low, high: high)
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }
