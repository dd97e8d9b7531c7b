// SPDX-License-Identifier: Apache-2.0
// What one time slice keeps of one feature: its values while few, else counts in the
// reference's cells; mergeable.

/// A feature's values in one time slice: how many were present (not null or absent) and their
/// sum (for the mean), and — when a reference exists — where they fell against it.
///
/// Cells are counted against one reference *generation*: when the reference is replaced, older
/// slices no longer describe the new cells and are left out of drift statistics (they still
/// count for missing ratio and mean). Storage adapts to the traffic:
/// - *sparse*: each value itself (exactly, for numeric features) with its cell and offset, up to
///   ``sparseLimit`` values in a stored slice; a merge of slices (a window read) stays sparse up
///   to ``exactLimit`` values, so a window holding few values has them all (see
///   ``exactValues(generation:)``: KS, Wasserstein and quantiles from the values themselves);
/// - *dense*: per cell, the count and the sum of offsets, beyond those limits.
public struct FeatureSketch: WindowSlice, Equatable {
    public var present: UInt32 = 0
    public var sum = 0.0
    /// Numeric values below the reference minimum / above its maximum: their sums (for the
    /// Wasserstein integral beyond the reference range) — counts are in the tail cells.
    public var lowSum = 0.0
    public var highSum = 0.0
    /// Reference generation the cells belong to; −1 when no cells are kept.
    public private(set) var generation: Int32 = -1
    /// Cells of that generation's reference (the size of `dense`).
    private var cellCount: Int32 = 0
    /// Sparse: each value, its cell and how far above the cell's lower edge it lies.
    private var sparse: [SparseValue] = []
    /// Dense: per cell, the count and Σ of the offsets above the lower edge (the window's mean
    /// inside each cell, for the Wasserstein integral). One array, so one uniqueness check.
    private var dense: [CellTally] = []

    /// 16 bytes: the value (0 for a category), its offset in the cell, its cell.
    struct SparseValue: Equatable {
        var value: Double
        var offset: Float
        var cell: UInt16
    }

    struct CellTally: Equatable {
        var count: UInt32 = 0
        var offsets: Float = 0
    }

    /// Values a stored slice keeps one by one (4 KB, about what dense tallies of a 200-quantile
    /// reference take).
    public static let sparseLimit = 256
    /// Values a merge of slices (a window) keeps one by one before it turns to cells.
    public static let exactLimit = 4096

    public init() {}

    /// Records a value that has no cell (no reference yet, or a type the reference does not cover).
    public mutating func addUncelled(_ value: Double) {
        present &+= 1
        sum += value
    }

    /// Records a value in `cell` of reference `generation` with `cellCount` cells; `offset` is
    /// how far above the lower edge of an open cell it lies.
    @inline(__always)
    public mutating func add(cell: Int, offset: Double = 0, value: Double, generation: Int32, cellCount: Int) {
        present &+= 1
        sum += value
        if generation != self.generation {
            if generation < self.generation { return }
            start(generation, cellCount: cellCount)
        }
        if cell == 0 { lowSum += value } else if cell == cellCount - 1 { highSum += value }
        if !dense.isEmpty {
            dense[cell].count &+= 1
            dense[cell].offsets += Float(offset)
        } else if sparse.count < Self.sparseLimit {
            sparse.append(SparseValue(value: value, offset: Float(offset), cell: UInt16(truncatingIfNeeded: cell)))
        } else {
            densify(cellCount: cellCount)
            dense[cell].count &+= 1
            dense[cell].offsets += Float(offset)
        }
    }

    /// Records a category in each of `cells` that is not negative (negative: none at that
    /// index), each as ``add(cell:offset:value:generation:cellCount:)`` would, all of
    /// reference `generation`: dense tallies are updated through one pointer.
    @inline(__always)
    mutating func add(cells: UnsafeBufferPointer<Int32>, generation: Int32, cellCount: Int) {
        guard prepareTallies(count: cells.count, generation: generation, cellCount: cellCount) else {
            for cell in cells where cell >= 0 {
                add(cell: Int(cell), value: 0, generation: generation, cellCount: cellCount)
            }
            return
        }
        var present: UInt32 = 0
        dense.withUnsafeMutableBufferPointer { tallies in
            for cell in cells where cell >= 0 {
                present &+= 1
                tallies[Int(cell)].count &+= 1
            }
        }
        self.present &+= present
    }

    /// Records each finite value of `values` (the others are not numbers) in its cell of
    /// `lookup`, as ``add(cell:offset:value:generation:cellCount:)`` would, all of reference
    /// `generation`; written out for the common case of a value strictly inside the reference
    /// range (not a tail cell).
    @inline(__always)
    mutating func add(numbers values: UnsafeBufferPointer<Double>, lookup: CellLookup, generation: Int32, cellCount: Int) {
        guard prepareTallies(count: values.count, generation: generation, cellCount: cellCount) else {
            for x in values where x.isFinite {
                let (cell, offset) = lookup.locate(x)
                add(cell: cell, offset: offset, value: x, generation: generation, cellCount: cellCount)
            }
            return
        }
        let first = lookup.first, last = lookup.last
        var present: UInt32 = 0
        var sum = 0.0, low = 0.0, high = 0.0
        dense.withUnsafeMutableBufferPointer { tallies in
            let tallies = tallies.baseAddress!
            for x in values {
                let cell: Int, offset: Double
                if x > first && x < last {  // false for the NaNs that stand for other values
                    (cell, offset) = lookup.locate(inside: x)
                } else if x.isFinite {
                    (cell, offset) = lookup.locate(x)
                    if cell == 0 { low += x } else if cell == cellCount - 1 { high += x }
                } else {
                    continue
                }
                present &+= 1
                sum += x
                tallies[cell].count &+= 1
                tallies[cell].offsets += Float(offset)
            }
        }
        self.present &+= present
        self.sum += sum
        lowSum += low
        highSum += high
    }

    /// Whether `count` values of `generation` go to dense tallies (made ready); false when
    /// they are recorded one by one (an older generation, or few enough to stay sparse).
    @inline(__always)
    private mutating func prepareTallies(count: Int, generation: Int32, cellCount: Int) -> Bool {
        if generation != self.generation && generation > self.generation { start(generation, cellCount: cellCount) }
        if generation != self.generation || (dense.isEmpty && sparse.count + count <= Self.sparseLimit) { return false }
        if dense.isEmpty { densify(cellCount: cellCount) }
        return true
    }

    @inline(never)
    private mutating func start(_ generation: Int32, cellCount: Int) {
        self.generation = generation
        self.cellCount = Int32(truncatingIfNeeded: cellCount)
        sparse = []
        dense = []
        lowSum = 0
        highSum = 0
    }

    @inline(never)
    private mutating func densify(cellCount: Int) {
        dense = [CellTally](repeating: CellTally(), count: cellCount)
        for v in sparse {
            dense[Int(v.cell)].count &+= 1
            dense[Int(v.cell)].offsets += v.offset
        }
        sparse = []
    }

    /// Adds `other` (a slice or a window's merge): values stay one by one up to ``exactLimit``.
    public mutating func merge(_ other: FeatureSketch) {
        present &+= other.present
        sum += other.sum
        guard other.generation >= 0 else { return }
        if other.generation > generation {
            generation = other.generation
            cellCount = other.cellCount
            sparse = other.sparse
            dense = other.dense
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
                    for i in 0..<mine.count {
                        mine[i].count &+= theirs[i].count
                        mine[i].offsets += theirs[i].offsets
                    }
                }
            }
        } else if !dense.isEmpty {
            for v in other.sparse {
                dense[Int(v.cell)].count &+= 1
                dense[Int(v.cell)].offsets += v.offset
            }
        } else if sparse.count + other.sparse.count <= Self.exactLimit {
            sparse.append(contentsOf: other.sparse)
        } else {
            densify(cellCount: Int(cellCount))
            for v in other.sparse {
                dense[Int(v.cell)].count &+= 1
                dense[Int(v.cell)].offsets += v.offset
            }
        }
    }

    /// A stored slice after a merge keeps at most ``sparseLimit`` values one by one.
    public mutating func compact() {
        if dense.isEmpty && sparse.count > Self.sparseLimit { densify(cellCount: Int(cellCount)) }
    }

    /// The values themselves when the sketch still holds them one by one, for `generation`
    /// (nil when it holds cells of another generation, none, or only tallies).
    public func exactValues(generation: Int32) -> [Double]? {
        guard generation == self.generation, dense.isEmpty else { return nil }
        return sparse.map(\.value)
    }

    /// Counts and in-cell offset sums per cell for `generation` (nil when the sketch holds
    /// cells of another generation or none).
    public func cells(generation: Int32, cellCount: Int) -> (counts: [Double], offsets: [Double])? {
        guard generation == self.generation else { return nil }
        var counts = [Double](repeating: 0, count: cellCount)
        var sums = counts
        if !dense.isEmpty {
            for i in 0..<min(cellCount, dense.count) {
                counts[i] = Double(dense[i].count)
                sums[i] = Double(dense[i].offsets)
            }
        } else {
            for v in sparse where Int(v.cell) < cellCount {
                counts[Int(v.cell)] += 1
                sums[Int(v.cell)] += Double(v.offset)
            }
        }
        return (counts, sums)
    }
}

extension FeatureSketch: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.integer(present)
        w.double(sum)
        w.double(lowSum)
        w.double(highSum)
        w.integer(generation)
        w.integer(cellCount)
        w.array(sparse) { w, v in
            w.double(v.value)
            w.integer(v.offset.bitPattern)
            w.integer(v.cell)
        }
        w.array(dense) { w, t in
            w.integer(t.count)
            w.integer(t.offsets.bitPattern)
        }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        present = try r.integer()
        sum = try r.double()
        lowSum = try r.double()
        highSum = try r.double()
        generation = try r.integer()
        cellCount = try r.integer()
        sparse = try r.array { (r) throws(SnapshotError) in
            SparseValue(value: try r.double(), offset: Float(bitPattern: try r.integer()), cell: try r.integer())
        }
        dense = try r.array { (r) throws(SnapshotError) in
            CellTally(count: try r.integer(), offsets: Float(bitPattern: try r.integer()))
        }
    }
}
