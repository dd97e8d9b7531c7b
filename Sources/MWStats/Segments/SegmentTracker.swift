// SPDX-License-Identifier: Apache-2.0
// Performance per value of a categorical feature: windows per value, under a cap.

/// The windows of one segment (a categorical feature named in `segments:`) of one version:
/// a slot per value, each with its windows of outcomes, and `__other__` for the values beyond
/// the cap. In memory: at most ``ModelOptions/trackedSegmentValues`` values (twice the exported
/// cap, so that the exported top values by volume can change as traffic does), taken in order of
/// appearance; every later value counts in `__other__` (``untracked`` counts those events).
/// Segment windows keep confusion counts (or regression sums), not score histograms: no ROC AUC
/// or log loss per segment; and ``ModelOptions/segmentSlices`` slices per window.
struct SegmentTracker: Sendable {
    let name: String
    private(set) var values: [String] = []
    private var index: [String: Int] = [:]
    /// `slots[k][w]`: window `w` of value `k`; `other[w]` for the rest.
    private(set) var slots: [[SlidingWindow<PerformanceSlice>]] = []
    private(set) var other: [SlidingWindow<PerformanceSlice>]
    /// Events whose value found no slot (the cap was reached).
    private(set) var untracked: UInt64 = 0

    /// The slot of `__other__` in ``PendingPrediction/segments``.
    static let otherSlot: UInt8 = 0xFE
    static let noSlot: UInt8 = 0xFF

    init(name: String, options: ModelOptions) {
        self.name = name
        other = Self.windows(options)
    }

    static func windows(_ options: ModelOptions) -> [SlidingWindow<PerformanceSlice>] {
        options.windows.map { SlidingWindow(length: $0.seconds, sliceCount: options.segmentSlices, empty: PerformanceSlice()) }
    }

    /// The slot of `value`, taken if there is room, else `__other__`.
    mutating func slot(of value: String, options: ModelOptions) -> UInt8 {
        if let k = index[value] { return UInt8(k) }
        guard values.count < options.trackedSegmentValues else {
            untracked += 1
            return Self.otherSlot
        }
        values.append(value)
        index[value] = values.count - 1
        slots.append(Self.windows(options))
        return UInt8(values.count - 1)
    }

    /// Applies `body` at `now` to every window of `slot`.
    mutating func update(slot: UInt8, at now: Double, _ body: (inout PerformanceSlice) -> Void) {
        if slot == Self.otherSlot {
            for w in other.indices { other[w].update(at: now, body) }
        } else if Int(slot) < slots.count {
            for w in slots[Int(slot)].indices { slots[Int(slot)][w].update(at: now, body) }
        }
    }

    /// Window `w` of every tracked value and of `__other__`, merged at `now`.
    func merged(window w: Int, at now: Double) -> SegmentMerge {
        SegmentMerge(values: zip(values, slots).map { ($0, $1[w].merged(at: now)) }, other: other[w].merged(at: now))
    }

    /// The same through each window's cache of its older slices (see ``SlidingWindow/mergedCaching(at:)``).
    mutating func mergedCaching(window w: Int, at now: Double) -> SegmentMerge {
        var merged: [(value: String, slice: PerformanceSlice)] = []
        merged.reserveCapacity(values.count)
        for k in slots.indices { merged.append((values[k], slots[k][w].mergedCaching(at: now))) }
        return SegmentMerge(values: merged, other: other[w].mergedCaching(at: now))
    }
}

/// One window of a segment, merged: each kept value's slice and `__other__`'s.
struct SegmentMerge {
    var values: [(value: String, slice: PerformanceSlice)]
    var other: PerformanceSlice
}

extension SegmentTracker {
    func write(to w: inout SnapshotWriter) {
        w.string(name)
        w.array(values) { $0.string($1) }
        w.array(slots) { w, windows in w.array(windows) { $0.value($1) } }
        w.array(other) { $0.value($1) }
        w.integer(untracked)
    }

    /// Restored under `options`; windows of other lengths start empty.
    init(from r: inout SnapshotReader, options: ModelOptions) throws(SnapshotError) {
        self.init(name: try r.string(), options: options)
        values = try r.array { (r) throws(SnapshotError) in try r.string() }
        let slots = try r.array { (r) throws(SnapshotError) in
            try r.array { (r) throws(SnapshotError) in try r.value(SlidingWindow<PerformanceSlice>.self) }
        }
        let other = try r.array { (r) throws(SnapshotError) in try r.value(SlidingWindow<PerformanceSlice>.self) }
        untracked = try r.integer()
        guard slots.count == values.count, values.count < Int(Self.otherSlot) else { throw .invalid("segment with \(values.count) values, \(slots.count) slots") }
        for (k, v) in values.enumerated() { index[v] = k }
        let fresh = Self.windows(options)
        let same = { (ws: [SlidingWindow<PerformanceSlice>]) in
            ws.map(\.length) == fresh.map(\.length) && ws.allSatisfy { $0.sliceCount == options.segmentSlices }
        }
        self.slots = slots.map { same($0) ? $0 : fresh }
        self.other = same(other) ? other : fresh
    }
}
