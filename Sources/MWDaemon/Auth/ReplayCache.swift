// SPDX-License-Identifier: Apache-2.0
// Signatures seen within the timestamp skew window, so that a signed request is accepted once.

import DequeModule

/// The signatures of accepted signed requests, each kept until its timestamp can no longer pass
/// the skew check (timestamp + skew). Bounded: at `capacity` entries a new signature is refused
/// (never an old one forgotten early, which would let it be replayed). Not thread-safe: the
/// authorizer holds it behind its lock.
struct ReplayCache {
    /// A 32-byte HMAC-SHA256 as four words: hashed and stored without an allocation.
    struct Signature: Hashable {
        let a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init(_ bytes: [UInt8]) {
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &words) { raw in
                raw.copyBytes(from: bytes.prefix(32))
            }
            (a, b, c, d) = words
        }
    }

    let capacity: Int
    private var seen: [Signature: Double] = [:]
    /// (expiry, signature) in insertion order; expiries ascend closely enough for a sweep from the front.
    private var order: Deque<(expiry: Double, signature: Signature)> = []

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { seen.count }

    enum Outcome: Equatable { case fresh, replayed, full }

    /// Records `signature` until `expiry` unless it is already there (a replay) or there is no room.
    mutating func insert(_ bytes: [UInt8], expiry: Double, now: Double) -> Outcome {
        let signature = Signature(bytes)
        // Room for a few minutes of signed traffic at once, so the table rarely grows under load.
        if seen.isEmpty && order.isEmpty { seen.reserveCapacity(min(capacity, 1 << 18)) }
        sweep(now: now)
        if let until = seen[signature], until >= now { return .replayed }
        guard seen.count < capacity else { return .full }
        seen[signature] = expiry
        order.append((expiry, signature))
        return .fresh
    }

    private mutating func sweep(now: Double) {
        while let first = order.first, first.expiry < now {
            order.removeFirst()
            if let until = seen[first.signature], until < now { seen[first.signature] = nil }
        }
    }
}
