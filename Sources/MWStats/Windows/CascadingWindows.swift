// SPDX-License-Identifier: Apache-2.0
// Several sliding windows of one stream, fed through one accumulator.

/// The sliding windows of one stream (the `5m`, `1h` and `24h` of a feature), updated once per
/// value instead of once per window.
///
/// Values go into a single *pending* slice covering one *unit* of time: the greatest common
/// divisor of the windows' slice widths (5 s for the default 5 s, 60 s and 1,440 s slices), so
/// that every unit lies inside exactly one slice of every window. When a value of a later unit
/// arrives, or a window is read, the pending slice is merged into the slice of each window that
/// contains it. Reads therefore see exactly what per-window updates would have produced.
/// When the widths have no common unit of at least one second (odd window lengths), every
/// value updates every window directly.
public struct CascadingWindows<Slice: WindowSlice>: Sendable {
    private var windows: [SlidingWindow<Slice>]
    /// The common unit in seconds; nil when values go to every window directly.
    public let unit: Double?
    private let empty: Slice
    /// The slice of the current unit, not yet merged into the windows. Updated in place by
    /// the module's batched paths once ``open(unit:)`` made it the slice of their unit.
    public internal(set) var pending: Slice
    /// The number of the pending slice's unit (`Int64.min` when there is none).
    public private(set) var pendingUnit = Int64.min

    public init(lengths: [Double], sliceCount: Int, empty: Slice) {
        windows = lengths.map { SlidingWindow(length: $0, sliceCount: sliceCount, empty: empty) }
        self.empty = empty
        pending = empty
        unit = Self.commonUnit(lengths: lengths, sliceCount: sliceCount)
    }

    /// The unit of windows of these `lengths` with `sliceCount` slices each (see ``commonUnit(_:)``).
    public static func commonUnit(lengths: [Double], sliceCount: Int) -> Double? {
        commonUnit(lengths.map { $0 / Double(sliceCount) })
    }

    /// The greatest common divisor of the widths, in whole milliseconds, when it is at least a second.
    static func commonUnit(_ widths: [Double]) -> Double? {
        var g: Int64 = 0
        for w in widths {
            let ms = (w * 1000).rounded()
            guard ms >= 1, abs(ms / 1000 - w) < 1e-9 else { return nil }
            var a = g, b = Int64(ms)
            while b != 0 { (a, b) = (b, a % b) }
            g = a
        }
        return g >= 1000 ? Double(g) / 1000 : nil
    }

    /// The number of the unit containing `now` (0 without a unit). Streams that share their
    /// window lengths share the unit: compute it once per instant and pass it to
    /// ``update(unit:at:_:)``.
    public static func unitNumber(_ now: Double, unit: Double?) -> Int64 {
        guard let unit else { return 0 }
        return Int64((now / unit).rounded(.down))
    }

    /// Applies `body` to the value's slices: the pending one, or each window's.
    public mutating func update(at now: Double, _ body: (inout Slice) -> Void) {
        update(unit: Self.unitNumber(now, unit: unit), at: now, body)
    }

    /// As ``update(at:_:)`` with `unit` = `unitNumber(now, unit:)` computed by the caller.
    @inline(__always)
    public mutating func update(unit number: Int64, at now: Double, _ body: (inout Slice) -> Void) {
        guard unit != nil else {
            for w in windows.indices { windows[w].update(at: now, body) }
            return
        }
        if number != pendingUnit {
            if number < pendingUnit {  // the clock stepped back: straight into the windows
                for w in windows.indices { windows[w].update(at: now, body) }
                return
            }
            open(unit: number)
        }
        body(&pending)
    }

    /// Makes the pending slice that of unit `number` (later than ``pendingUnit``): merges the
    /// previous one into the windows and returns it (nil when there was none).
    @discardableResult
    public mutating func open(unit number: Int64) -> Slice? {
        let previous = flush()
        pendingUnit = number
        return previous
    }

    /// Merges the pending slice into every window; returns it (nil when there was none).
    @discardableResult
    public mutating func flush() -> Slice? {
        guard let unit, pendingUnit != .min else { return nil }
        let middle = (Double(pendingUnit) + 0.5) * unit  // well inside one slice of each window
        let slice = pending
        for w in windows.indices {
            windows[w].update(at: middle) {
                $0.merge(slice)
                $0.compact()
            }
        }
        pending = empty
        pendingUnit = .min
        return slice
    }

    /// Window `w` at `now`, through its cache of older slices.
    public mutating func mergedCaching(window w: Int, at now: Double) -> Slice {
        flush()
        return windows[w].mergedCaching(at: now)
    }

    /// Window `w` at `now` without changing anything (the pending slice counted when inside it).
    public func merged(window w: Int, at now: Double) -> Slice {
        var result = windows[w].merged(at: now)
        if let unit, pendingUnit != .min {
            let window = windows[w]
            let number = window.sliceNumber((Double(pendingUnit) + 0.5) * unit), current = window.sliceNumber(now)
            if number <= current && number > current - Int64(window.sliceCount) { result.merge(pending) }
        }
        return result
    }
}

extension CascadingWindows: Snapshotted where Slice: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.array(windows) { $0.value($1) }
        w.optional(unit) { $0.double($1) }
        w.value(empty)
        w.value(pending)
        w.integer(pendingUnit)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        windows = try r.array { (r) throws(SnapshotError) in try r.value(SlidingWindow<Slice>.self) }
        unit = try r.optional { (r) throws(SnapshotError) in try r.double() }
        empty = try r.value()
        pending = try r.value()
        pendingUnit = try r.integer()
    }
}
