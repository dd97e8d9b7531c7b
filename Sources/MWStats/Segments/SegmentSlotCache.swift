// SPDX-License-Identifier: Apache-2.0
// A body's segment values to their slots, looked up once per distinct value instead of per event.

/// The slots of a body's categories in a version's segments. A segment value's slot is found
/// by hashing the value (``SegmentTracker/slot(of:options:)``); the events of one body share a
/// table of category strings (``CategoryStrings``) and hold indices into it, so each distinct
/// index is looked up once per segment and then read from a small direct-mapped table, as the
/// reference cells of categories are (``CategoryCells``). Also kept: where each segment's feature
/// sits in the body's name list. Derived: valid for one body (its string table), one version and
/// one set of segments; ``reset()`` when the segments change.
struct SegmentSlotCache {
    private var table: CategoryStrings?
    private var version = -1
    private var names: FeatureNames?
    /// Per segment: the position of its feature in ``names`` (−1: absent, or a tag).
    private var positions: [Int] = []
    /// Per segment, ``ways`` entries of `index << 8 | slot`; −1 when empty.
    private var entries: [Int64] = []
    static let ways = 16

    mutating func reset() {
        table = nil
        names = nil
        version = -1
    }

    /// Where feature segment `s` of `segments` is in `names` (nil: not there, or a tag segment).
    mutating func position(segment s: Int, of segments: [SegmentTracker], in names: FeatureNames) -> Int? {
        if names !== self.names || positions.count != segments.count {
            self.names = names
            positions = segments.map { tracker in
                tracker.name.hasPrefix(ModelState.tagSegmentPrefix) ? -1 : names.names.firstIndex(of: tracker.name) ?? -1
            }
        }
        return positions[s] >= 0 ? positions[s] : nil
    }

    /// The cached slot of category `index` of `table` in segment `s` of version `v`.
    @inline(__always)
    mutating func slot(table: CategoryStrings, version v: Int, segments: Int, segment s: Int, index: Int) -> UInt8? {
        if table !== self.table || v != version || entries.count != segments * Self.ways {
            self.table = table
            version = v
            entries = [Int64](repeating: -1, count: segments * Self.ways)
        }
        let entry = entries[s * Self.ways + index & (Self.ways - 1)]
        return entry >= 0 && Int(entry >> 8) == index ? UInt8(truncatingIfNeeded: entry) : nil
    }

    /// Keeps `slot` for category `index` (after ``slot(table:version:segments:segment:index:)`` missed).
    mutating func store(_ slot: UInt8, segment s: Int, index: Int) {
        entries[s * Self.ways + index & (Self.ways - 1)] = Int64(index) << 8 | Int64(slot)
    }
}
