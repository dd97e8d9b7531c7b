// SPDX-License-Identifier: Apache-2.0
// A sliding window as a fixed ring of time slices, merged on read (SPEC section 4).

/// A value that can absorb another of its kind: counts, sums, histograms, sketches.
public protocol WindowSlice: Sendable {
    /// Adds `other` into `self`.
    mutating func merge(_ other: Self)
    /// Bounds what a stored slice keeps after merges into it (a merge for a read may keep more).
    mutating func compact()
}

extension WindowSlice {
    public mutating func compact() {}
}

extension BucketHistogram: WindowSlice {}

/// A sliding window of `length` seconds kept as a ring of `sliceCount` slices, each covering
/// `length / sliceCount` seconds. Memory is fixed: it does not grow with traffic.
///
/// Boundary semantics: slice *k* covers the half-open interval `[k·w, (k+1)·w)` of the caller's
/// clock, where *w* is the slice width. Read at `now`, the window merges the slice containing `now`
/// and the `sliceCount − 1` slices before it, so it covers between `length − w` and `length`
/// seconds of history: a 5-minute window with 60 slices forgets in 5-second steps.
///
/// ```swift
/// var w = SlidingWindow(length: 300, sliceCount: 60, empty: Counter())
/// w.update(at: 12.0) { $0.count += 1 }        // lands in slice 2 ([10, 15))
/// w.merged(at: 309.9).count                  // 1: slice 2 is the oldest of slices 2…61
/// w.merged(at: 310.0).count                  // 0: slice 2 has slid out
/// ```
/// The clock is passed in (`now`, seconds); the type never reads wall-clock time.
public struct SlidingWindow<Slice: WindowSlice>: Sendable {
    public let length: Double
    public let sliceCount: Int
    private let empty: Slice
    private var slices: [Slice]
    /// The absolute slice number held at each ring position; `Int64.min` when unused.
    private var stamps: [Int64]
    /// The merge of every slice before `cachedFor` still in the window at `cachedFor`: those
    /// slices no longer receive events (only the current one does), so a scrape within the
    /// same slice merges just the current slice onto it. Dropped when an older slice changes.
    private var cachedPast: Slice?
    private var cachedFor = Int64.min

    /// - Parameters:
    ///   - length: window length in seconds (> 0).
    ///   - sliceCount: slices in the ring (≥ 1); about 60 per the SPEC.
    ///   - empty: the value of an empty slice (e.g. a histogram with its bucket bounds).
    public init(length: Double, sliceCount: Int = 60, empty: Slice) {
        precondition(length > 0 && sliceCount >= 1, "a window needs a positive length and at least one slice")
        self.length = length
        self.sliceCount = sliceCount
        self.empty = empty
        self.slices = Array(repeating: empty, count: sliceCount)
        self.stamps = Array(repeating: Int64.min, count: sliceCount)
    }

    /// The slice width in seconds.
    public var sliceWidth: Double { length / Double(sliceCount) }

    /// The absolute number of the slice containing `now`.
    func sliceNumber(_ now: Double) -> Int64 { Int64((now / sliceWidth).rounded(.down)) }

    private func position(_ number: Int64) -> Int {
        let m = Int(number % Int64(sliceCount))
        return m < 0 ? m + sliceCount : m
    }

    /// Applies `body` to the slice containing `now`, recycling the ring position if it held an older slice.
    public mutating func update(at now: Double, _ body: (inout Slice) -> Void) {
        let number = sliceNumber(now)
        if number < cachedFor { cachedPast = nil; cachedFor = .min }
        let p = position(number)
        if stamps[p] != number {
            if stamps[p] > number { return }  // older than the window already holds: dropped
            slices[p] = empty
            stamps[p] = number
        }
        body(&slices[p])
    }

    /// The same as ``merged(at:)``, reusing the merge of the older slices from the last call
    /// in the same slice (the slices before the current one do not change).
    public mutating func mergedCaching(at now: Double) -> Slice {
        let current = sliceNumber(now)
        if cachedFor != current || cachedPast == nil {
            let oldest = current - Int64(sliceCount) + 1
            var past = empty
            for p in 0..<sliceCount where stamps[p] >= oldest && stamps[p] < current { past.merge(slices[p]) }
            cachedPast = past
            cachedFor = current
        }
        var result = cachedPast!
        let p = position(current)
        if stamps[p] == current { result.merge(slices[p]) }
        return result
    }

    /// The merge of the slices `back` before the one containing `now` (0 is that one, 1 the
    /// one before…), those the ring still holds.
    public func merged(slicesBack back: ClosedRange<Int>, at now: Double) -> Slice {
        let current = sliceNumber(now)
        let newest = current - Int64(back.lowerBound), oldest = max(current - Int64(back.upperBound), current - Int64(sliceCount) + 1)
        var result = empty
        guard newest >= oldest else { return result }
        for p in 0..<sliceCount where stamps[p] >= oldest && stamps[p] <= newest { result.merge(slices[p]) }
        return result
    }

    /// The merge of every slice still inside the window at `now`.
    public func merged(at now: Double) -> Slice {
        let current = sliceNumber(now)
        let oldest = current - Int64(sliceCount) + 1
        var result = empty
        for p in 0..<sliceCount where stamps[p] >= oldest && stamps[p] <= current {
            result.merge(slices[p])
        }
        return result
    }
}

extension SlidingWindow: Snapshotted where Slice: Snapshotted {
    /// The slices and their stamps; the merge cache is rebuilt on the next read.
    public func write(to w: inout SnapshotWriter) {
        w.double(length)
        w.int(sliceCount)
        w.value(empty)
        w.array(slices) { $0.value($1) }
        w.array(stamps) { $0.integer($1) }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        let length = try r.double()
        let sliceCount = try r.int()
        guard length > 0, sliceCount >= 1, sliceCount <= 1_000_000 else { throw .invalid("window of \(length) s in \(sliceCount) slices") }
        self.init(length: length, sliceCount: sliceCount, empty: try r.value())
        let slices = try r.array { (r) throws(SnapshotError) in try r.value(Slice.self) }
        let stamps = try r.array { (r) throws(SnapshotError) in try r.integer(Int64.self) }
        guard slices.count == sliceCount, stamps.count == sliceCount else { throw .invalid("window with \(slices.count) slices, \(stamps.count) stamps") }
        self.slices = slices
        self.stamps = stamps
    }
}
