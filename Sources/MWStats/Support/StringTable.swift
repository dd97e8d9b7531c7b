// SPDX-License-Identifier: Apache-2.0
// A string set held as indices into the caller's list: FNV-1a and open addressing.

/// A set of strings held as indices into a list the caller keeps (`strings`): FNV-1a over the
/// UTF-8 bytes into open addressing, a string comparison only on equal hashes. Several times
/// cheaper than `Set<String>` or `[String: Int]` (SipHash, resizing) for the short names and
/// categories of events: feature-name duplicate checks, category lookups while ingesting.
public struct StringTable: Sendable {
    private var slots: [Int32]
    private var hashes: [UInt32]
    public private(set) var count = 0

    /// Room for `capacity` strings before the first growth.
    public init(capacity: Int = 32) {
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        hashes = [UInt32](repeating: 0, count: size)
    }

    /// The strings of `strings`, each at its index (later duplicates are left out).
    public init(_ strings: [String]) {
        self.init(capacity: strings.count)
        for (i, s) in strings.enumerated() { _ = insert(s, at: i, in: strings) }
    }

    @inline(__always)
    public static func hash(_ s: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// The index of the string equal to `s`, or nil.
    @inline(__always)
    public func index(of s: String, in strings: [String]) -> Int? {
        let h = Self.hash(s)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while slots[i] >= 0 {
            if hashes[i] == h && strings[Int(slots[i])] == s { return Int(slots[i]) }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Adds `s`, which is (or will be) `strings[index]`; false when an equal string is already in.
    public mutating func insert(_ s: String, at index: Int, in strings: [String]) -> Bool {
        if 2 * (count + 1) > slots.count { grow() }
        let h = Self.hash(s)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while slots[i] >= 0 {
            if hashes[i] == h && strings[Int(slots[i])] == s { return false }
            i = (i + 1) & mask
        }
        slots[i] = Int32(index)
        hashes[i] = h
        count += 1
        return true
    }

    private mutating func grow() {
        let old = zip(slots, hashes).filter { $0.0 >= 0 }
        slots = [Int32](repeating: -1, count: slots.count * 2)
        hashes = [UInt32](repeating: 0, count: slots.count)
        let mask = slots.count - 1
        for (slot, h) in old {
            var i = Int(h) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = slot
            hashes[i] = h
        }
    }
}
