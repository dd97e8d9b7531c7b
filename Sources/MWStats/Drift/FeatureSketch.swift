// SPDX-License-Identifier: Apache-2.0
// What one time slice keeps of one feature: counts in the reference's cells, mergeable.

/// A feature's values in one time slice: how many were present (not null or absent) and their
/// sum (for the mean), and — when a reference exists — how many fell in each reference cell
/// (numeric) or category (categorical; the last slot counts values the reference never saw).
///
/// Cells are counted against one reference *generation*: when the reference is replaced, older
/// slices no longer describe the new cells and are left out of drift statistics (they still
/// count for missing ratio and mean). Storage adapts as for score histograms: a list of 2-byte
/// cell codes up to ``sparseLimit`` values, then dense counts.
public struct FeatureSketch: WindowSlice, Equatable {
    public var present: UInt32 = 0
    public var sum = 0.0
    /// Numeric values below the reference minimum / above its maximum: their sums (for the
    /// Wasserstein integral beyond the reference range) — counts are in the tail cells.
    public var lowSum = 0.0
    public var highSum = 0.0
    /// Reference generation the cells belong to; −1 when no cells are kept.
    public private(set) var generation: Int32 = -1
    private var codes: [UInt16] = []
    /// Where each sparse value sits inside its cell, 0…1 (parallel to `codes`).
    private var offsets: [Float] = []
    private var dense: [UInt32] = []
    /// Σ of the in-cell offsets per cell (parallel to `dense`): the window's mean position
    /// inside each cell, for the Wasserstein integral.
    private var denseOffsets: [Float] = []

    static let sparseLimit = 256

    public init() {}

    /// Records a value that has no cell (no reference yet, or a type the reference does not cover).
    public mutating func addUncelled(_ value: Double) {
        present &+= 1
        sum += value
    }

    /// Records a value in `cell` of reference `generation` with `cellCount` cells; `offset` is
    /// where it sits inside an open cell (0 at the lower edge, 1 at the upper).
    public mutating func add(cell: Int, offset: Double = 0, value: Double, generation: Int32, cellCount: Int) {
        present &+= 1
        sum += value
        if generation != self.generation {
            if generation < self.generation { return }
            self.generation = generation
            codes = []
            offsets = []
            dense = []
            denseOffsets = []
            lowSum = 0
            highSum = 0
        }
        if cell == 0 { lowSum += value } else if cell == cellCount - 1 { highSum += value }
        if dense.isEmpty && codes.count >= Self.sparseLimit { densify(cellCount: cellCount) }
        if !dense.isEmpty {
            dense[cell] &+= 1
            denseOffsets[cell] += Float(offset)
        } else {
            codes.append(UInt16(cell))
            offsets.append(Float(offset))
        }
    }

    private mutating func densify(cellCount: Int) {
        dense = [UInt32](repeating: 0, count: cellCount)
        denseOffsets = [Float](repeating: 0, count: cellCount)
        for (c, o) in zip(codes, offsets) {
            dense[Int(c)] &+= 1
            denseOffsets[Int(c)] += o
        }
        codes = []
        offsets = []
    }

    public mutating func merge(_ other: FeatureSketch) {
        present &+= other.present
        sum += other.sum
        guard other.generation >= 0 else { return }
        if other.generation > generation {
            generation = other.generation
            codes = other.codes
            offsets = other.offsets
            dense = other.dense
            denseOffsets = other.denseOffsets
            lowSum = other.lowSum
            highSum = other.highSum
            return
        }
        guard other.generation == generation else { return }
        lowSum += other.lowSum
        highSum += other.highSum
        if !other.dense.isEmpty {
            if dense.isEmpty { densify(cellCount: other.dense.count) }
            dense.withUnsafeMutableBufferPointer { mine in
                other.dense.withUnsafeBufferPointer { theirs in
                    for i in 0..<mine.count { mine[i] &+= theirs[i] }
                }
            }
            denseOffsets.withUnsafeMutableBufferPointer { mine in
                other.denseOffsets.withUnsafeBufferPointer { theirs in
                    for i in 0..<mine.count { mine[i] += theirs[i] }
                }
            }
        } else if !dense.isEmpty {
            for (c, o) in zip(other.codes, other.offsets) {
                dense[Int(c)] &+= 1
                denseOffsets[Int(c)] += o
            }
        } else {
            codes.append(contentsOf: other.codes)
            offsets.append(contentsOf: other.offsets)
        }
    }

    /// Counts and in-cell offset sums per cell for `generation` (nil when the sketch holds
    /// cells of another generation or none).
    public func cells(generation: Int32, cellCount: Int) -> (counts: [Double], offsets: [Double])? {
        guard generation == self.generation else { return nil }
        var counts = [Double](repeating: 0, count: cellCount)
        var sums = counts
        if !dense.isEmpty {
            for i in 0..<min(cellCount, dense.count) {
                counts[i] = Double(dense[i])
                sums[i] = Double(denseOffsets[i])
            }
        } else {
            for (c, o) in zip(codes, offsets) where Int(c) < cellCount {
                counts[Int(c)] += 1
                sums[Int(c)] += Double(o)
            }
        }
        return (counts, sums)
    }
}
