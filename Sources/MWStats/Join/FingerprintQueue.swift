// SPDX-License-Identifier: Apache-2.0
// An insertion-ordered hash table of fingerprints: O(1) lookup, oldest-first removal.

import DequeModule

/// Entries keyed by ``Fingerprint`` kept in arrival order. Lookup is an open-addressing hash
/// probe; expiry and eviction pop from the oldest end, so a TTL sweep costs only what it
/// removes. Entries can be marked dead in place (``remove(_:)``); their memory is reclaimed
/// when they reach the oldest end. Memory per entry: the entry itself plus 8–16 bytes of
/// index. No I/O, no locks.
public struct FingerprintQueue<Payload: Sendable>: Sendable {
    /// One stored entry.
    public struct Entry: Sendable {
        public let key: Fingerprint
        /// When it entered the queue (the caller's clock).
        public let arrival: Double
        public var payload: Payload
        /// False once removed; kept until it reaches the oldest end.
        public fileprivate(set) var live: Bool
    }

    private var entries = Deque<Entry>()
    /// Sequence number of `entries.first`.
    private var headSequence: Int64 = 0
    /// Open-addressing index: the sequence number of an entry, or −1 for an empty slot.
    private var slots: [Int64] = []
    /// Live entries.
    public private(set) var count = 0

    public init() {}

    /// True when no live entry remains.
    public var isEmpty: Bool { count == 0 }

    /// The live entry for `key`, if any.
    public func find(_ key: Fingerprint) -> Entry? {
        guard let position = position(of: key) else { return nil }
        return entries[position]
    }

    /// Inserts a new entry; the key must not be present (check with ``find(_:)``).
    public mutating func insert(_ key: Fingerprint, arrival: Double, payload: Payload) {
        if (entries.count + 1) * 10 > slots.count * 7 { rehash(minimumSlots: max(16, (entries.count + 1) * 2)) }
        let sequence = headSequence + Int64(entries.count)
        entries.append(Entry(key: key, arrival: arrival, payload: payload, live: true))
        var slot = Int(truncatingIfNeeded: key.low) & (slots.count - 1)
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = sequence
        count += 1
    }

    /// Changes the payload of the live entry for `key`; returns false when there is none.
    @discardableResult
    public mutating func update(_ key: Fingerprint, _ body: (inout Payload) -> Void) -> Bool {
        guard let position = position(of: key) else { return false }
        body(&entries[position].payload)
        return true
    }

    /// Marks the entry for `key` dead and returns it; its space is reclaimed when it is oldest.
    @discardableResult
    public mutating func remove(_ key: Fingerprint) -> Entry? {
        guard let position = position(of: key) else { return nil }
        entries[position].live = false
        count -= 1
        let entry = entries[position]
        if position == 0 { dropDeadHead() }
        return entry
    }

    /// The oldest live entry.
    public var oldest: Entry? { entries.first }

    /// Removes and returns the oldest live entry.
    @discardableResult
    public mutating func popOldest() -> Entry? {
        guard let first = entries.first else { return nil }
        unindexHead()
        count -= 1
        dropDeadHead()
        return first
    }

    /// Removes every entry and releases the memory.
    public mutating func removeAll() {
        entries = Deque()
        slots = []
        count = 0
    }

    // MARK: - Index

    private func position(of key: Fingerprint) -> Int? {
        guard !slots.isEmpty else { return nil }
        var slot = Int(truncatingIfNeeded: key.low) & (slots.count - 1)
        while true {
            let sequence = slots[slot]
            if sequence < 0 { return nil }
            let position = Int(sequence - headSequence)
            let entry = entries[position]
            if entry.key == key && entry.live { return position }  // a dead twin may precede it
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    /// Removes the head entry from the index (backward-shift deletion keeps probes short) and the deque.
    private mutating func unindexHead() {
        let head = entries.removeFirst()
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: head.key.low) & mask
        while slots[slot] != headSequence { slot = (slot + 1) & mask }
        headSequence += 1
        // Knuth's algorithm R: move later entries of the probe run back into the hole.
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next] >= 0 {
            let key = entries[Int(slots[next] - headSequence)].key
            let home = Int(truncatingIfNeeded: key.low) & mask
            // Move if `home` is not cyclically within (hole, next].
            let inRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !inRange {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = -1
    }

    /// Reclaims dead entries at the oldest end.
    private mutating func dropDeadHead() {
        while let first = entries.first, !first.live { unindexHead() }
    }

    private mutating func rehash(minimumSlots: Int) {
        var size = 16
        while size < minimumSlots { size <<= 1 }
        slots = [Int64](repeating: -1, count: size)
        let mask = size - 1
        for (offset, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.key.low) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = headSequence + Int64(offset)
        }
    }
}

extension FingerprintQueue {
    /// The live entries, oldest first (the index is rebuilt on reading).
    public func write(to w: inout SnapshotWriter, payload: (inout SnapshotWriter, Payload) -> Void) {
        w.integer(UInt32(count))
        for entry in entries where entry.live {
            w.integer(entry.key.low)
            w.integer(entry.key.high)
            w.double(entry.arrival)
            payload(&w, entry.payload)
        }
    }

    public init(from r: inout SnapshotReader,
                payload: (inout SnapshotReader) throws(SnapshotError) -> Payload) throws(SnapshotError) {
        self.init()
        let n = try r.count(minimumBytes: 24)
        rehash(minimumSlots: max(16, n * 2))
        for _ in 0..<n {
            let key = Fingerprint(low: try r.integer(), high: try r.integer())
            let arrival = try r.double()
            guard find(key) == nil else { throw .invalid("a fingerprint twice in the join") }
            insert(key, arrival: arrival, payload: try payload(&r))
        }
    }
}
