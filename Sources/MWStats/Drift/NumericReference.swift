// SPDX-License-Identifier: Apache-2.0
// The compact summary of a numeric feature's reference values.

/// A class: immutable once built, shared by every window that counts against it (placing a
/// value retains it once, not each of its arrays).
///
/// What is kept of a numeric reference column: its cut points and, per cell between and at
/// them, the count and sum of reference values; and, for a reference of up to
/// ``keptValueLimit`` rows, the sorted values themselves.
///
/// Cut points (`edges`) are every unique reference value when there are at most
/// ``exactEdgeLimit`` of them, else the unique reference quantiles at 0, 1/200, …, 1; both with
/// the 10-bin PSI edges (unique quantiles at 0.1…0.9), all as numpy's linear interpolation
/// computes them. Cells alternate: cell 2i is the open interval below `edges[i]` (above
/// `edges[i−1]`), cell 2i+1 holds values equal to `edges[i]`, and the last cell is above the last
/// edge. Windows count their values in the same cells, so that:
/// - PSI and Jensen–Shannon on the PSI bins are exact (ties at edges included);
/// - the KS statistic is exact at every edge; with every unique value an edge, no reference value
///   lies inside a cell, so it is exact everywhere; else it is off by at most the reference mass
///   strictly inside one cell (≤ 1/200) in between;
/// - the Wasserstein distance integrates |F_ref − F_win| cell by cell, exactly where the two CDFs
///   do not cross inside a cell (window values assumed spread in a cell as the reference's are).
/// A window that still holds its values (``FeatureSketch/exactValues(generation:)``) is compared
/// with the kept reference values exactly (see ``DriftStatistics``).
public final class NumericReference: Sendable {
    public let count: Int
    public let mean: Double
    /// Population standard deviation (ddof 0).
    public let standardDeviation: Double
    public let minimum: Double
    public let maximum: Double
    public let edges: [Double]
    /// Index into `edges` of each PSI edge.
    public let psiEdgeIndices: [Int]
    /// Reference values per cell (2·edges + 1 cells).
    public let cellCounts: [Double]
    /// Sum of the reference values per cell (for the Wasserstein integral).
    public let cellSums: [Double]
    /// The reference values, ascending, when there are at most ``keptValueLimit`` (else nil).
    public let sortedValues: [Double]?

    /// Quantile levels of the fine edges: 0, 1/200, …, 1.
    public static let fineLevels = 200
    /// Unique values up to which every one is a cut point (exact KS against any window).
    public static let exactEdgeLimit = 1000
    /// Rows up to which the values are kept (exact KS and Wasserstein against a window of values).
    public static let keptValueLimit = 10_000

    /// The PSI bin (`searchsorted(psi_edges, v, side="right")`) of each cell.
    public let psiBinOfCell: [Int]
    /// Places values in the cells (see ``CellLookup``); its memory is this reference's.
    let cells: CellLookup

    /// What this reference reserved of `budget` (returned when it goes).
    private let reservation: (budget: ExactDriftBudget, bytes: Int)?

    /// Summarises finite values (at least one). `psiEdges` replaces the quantile PSI edges
    /// with fixed ones (a feature's declared `bins`). With a `budget`, what exactness costs
    /// beyond the quantile summary (kept values; the extra cells of `slices` window slices) is
    /// reserved from it, and left out when it does not fit.
    public init(values: [Double], psiEdges fixedEdges: [Double]? = nil, budget: ExactDriftBudget? = nil, slices: Int = 181) {
        precondition(!values.isEmpty, "a numeric reference needs at least one value")
        let sorted = values.sorted()
        let n = sorted.count
        count = n
        var sum = 0.0
        for v in sorted { sum += v }
        mean = sum / Double(n)
        var squares = 0.0
        for v in sorted { squares += (v - mean) * (v - mean) }
        standardDeviation = (squares / Double(n)).squareRoot()
        minimum = sorted[0]
        maximum = sorted[n - 1]
        var reserved = 0
        let keep = n <= Self.keptValueLimit && (budget?.reserve(n * MemoryLayout<Double>.stride) ?? true)
        if keep, budget != nil { reserved += n * MemoryLayout<Double>.stride }
        sortedValues = keep ? sorted : nil
        var psi: [Double] = []
        if let fixedEdges {
            for e in fixedEdges.sorted() where psi.last != e { psi.append(e) }
        } else {
            for i in 1...9 {
                let q = Quantiles.linear(sorted, Double(i) / 10)
                if psi.last != q { psi.append(q) }  // numpy.unique of ascending values
            }
        }
        var all = psi
        var distinct: [Double] = []
        for v in sorted where distinct.last != v {
            distinct.append(v)
            if distinct.count > Self.exactEdgeLimit { break }
        }
        // Every unique value a cut point: up to 2 cells each instead of the quantiles' ~400, in
        // every slice whose tallies are dense (8 bytes a cell).
        let extraCells = 2 * (distinct.count - (Self.fineLevels + 1))
        let cutCost = max(0, extraCells) * MemoryLayout<FeatureSketch.CellTally>.stride * slices
        if distinct.count <= Self.exactEdgeLimit && (budget?.reserve(cutCost) ?? true) {
            if budget != nil { reserved += cutCost }
            all += distinct
        } else {
            for i in 0...Self.fineLevels { all.append(Quantiles.linear(sorted, Double(i) / Double(Self.fineLevels))) }
        }
        all.sort()
        var unique: [Double] = []
        for e in all where unique.last != e { unique.append(e) }
        edges = unique
        psiEdgeIndices = psi.map { e in unique.firstIndex(of: e)! }
        var counts = [Double](repeating: 0, count: 2 * unique.count + 1)
        var sums = counts
        var edge = 0  // values ascend: walk the edges alongside instead of searching for each
        for v in sorted {
            while edge < unique.count && unique[edge] < v { edge += 1 }
            let c = edge < unique.count && unique[edge] == v ? 2 * edge + 1 : 2 * edge
            counts[c] += 1
            sums[c] += v
        }
        cellCounts = counts
        cellSums = sums
        psiBinOfCell = Self.psiBins(cellCount: counts.count, psiEdgeIndices: psiEdgeIndices)
        cells = CellLookup.make(edges: unique)
        reservation = budget.map { ($0, reserved) }
    }

    /// Rebuilds a reference from what ``write(to:)`` kept; the cell lookup and the PSI bin of
    /// each cell are derived again, and `reservedBytes` is taken from `budget` again.
    init(count: Int, mean: Double, standardDeviation: Double, minimum: Double, maximum: Double, edges: [Double],
         psiEdgeIndices: [Int], cellCounts: [Double], cellSums: [Double], sortedValues: [Double]?,
         reservedBytes: Int, budget: ExactDriftBudget?) {
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.minimum = minimum
        self.maximum = maximum
        self.edges = edges
        self.psiEdgeIndices = psiEdgeIndices
        self.cellCounts = cellCounts
        self.cellSums = cellSums
        self.sortedValues = sortedValues
        psiBinOfCell = Self.psiBins(cellCount: cellCounts.count, psiEdgeIndices: psiEdgeIndices)
        cells = CellLookup.make(edges: edges)
        if let budget, reservedBytes > 0 { budget.restore(reservedBytes) }
        reservation = budget.map { ($0, reservedBytes) }
    }

    deinit {
        cells.deallocate()
        if let reservation { reservation.budget.release(reservation.bytes) }
    }

    /// The PSI bin of each cell. Cell 2i lies below edges[i] (bin: PSI edges before index i);
    /// cell 2i+1 is edges[i] itself.
    static func psiBins(cellCount: Int, psiEdgeIndices: [Int]) -> [Int] {
        var bins = [Int](repeating: 0, count: cellCount)
        var passed = 0
        for c in bins.indices {
            if c % 2 == 1, psiEdgeIndices.contains(c / 2) { passed += 1 }
            bins[c] = passed
        }
        return bins
    }

    /// PSI bins: one more than the PSI edges.
    public var psiBinCount: Int { psiEdgeIndices.count + 1 }

    /// Labels of the PSI bins: `(-Inf,e0)`, `[e0,e1)`, …, `[en,+Inf)`.
    public var psiBinLabels: [String] {
        let psiEdges = psiEdgeIndices.map { edges[$0] }
        var labels: [String] = []
        var lower = "(-Inf"
        for e in psiEdges {
            labels.append("\(lower),\(FeatureValue.categoryName(e)))")
            lower = "[\(FeatureValue.categoryName(e))"
        }
        labels.append("\(lower),+Inf)")
        return labels
    }

    /// The cell of `v` among `edges`: `2·i` for the open interval below `edges[i]`, `2·i + 1`
    /// for `v == edges[i]`.
    public static func cell(of v: Double, edges: [Double]) -> Int {
        edges.withUnsafeBufferPointer { CellLookup.binarySearchCell(of: v, edges: $0.baseAddress!, count: $0.count) }
    }

    /// The cell of `v`: as ``cell(of:edges:)``, through the grid (see ``CellLookup``).
    public func cell(of v: Double) -> Int { cells.cell(of: v) }

    /// The cell of `v` and how far above the lower edge of an open cell it lies (see ``CellLookup/locate(_:)``).
    public func locate(_ v: Double) -> (cell: Int, offset: Double) { cells.locate(v) }

    public var cellCount: Int { cellCounts.count }

    /// The largest share of the reference strictly inside one open cell: how far below scipy's
    /// value the KS statistic of a window of cells can be (0 when every value is a cut point).
    public var largestShareInsideCell: Double {
        stride(from: 0, to: cellCounts.count, by: 2).map { cellCounts[$0] }.max()! / Double(count)
    }
}

/// The summary of a categorical reference column: counts of its most frequent categories.
public final class CategoricalReference: Sendable {
    /// Kept categories, most frequent first (ties by name).
    public let categories: [String]
    public let counts: [Double]
    /// Reference values of categories beyond the limit (the `__other__` bin).
    public let otherCount: Double
    public let count: Int
    private let index: StringTable

    /// - Parameter limit: categories kept (`limits.max_categories`); the rest count as `__other__`.
    public init(values: [String], limit: Int) {
        var tally: [String: Int] = [:]
        for v in values { tally[v, default: 0] += 1 }
        let ordered = tally.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let kept = ordered.prefix(limit)
        categories = kept.map(\.key)
        counts = kept.map { Double($0.value) }
        otherCount = Double(ordered.dropFirst(limit).reduce(0) { $0 + $1.value })
        count = values.count
        index = StringTable(categories)
    }

    /// Rebuilds a reference from what ``write(to:)`` kept (the lookup table is derived again).
    init(categories: [String], counts: [Double], otherCount: Double, count: Int) {
        self.categories = categories
        self.counts = counts
        self.otherCount = otherCount
        self.count = count
        index = StringTable(categories)
    }

    /// The index of a kept category, or nil (unseen, or beyond the limit).
    @inline(__always)
    public func position(of category: String) -> Int? { index.index(of: category, in: categories) }

}

extension NumericReference {
    /// What the reference reserved of its budget (restored with it).
    var reservedBytes: Int { reservation?.bytes ?? 0 }

    func write(to w: inout SnapshotWriter) {
        w.int(count)
        for v in [mean, standardDeviation, minimum, maximum] { w.double(v) }
        w.doubles(edges)
        w.array(psiEdgeIndices) { $0.int($1) }
        w.doubles(cellCounts)
        w.doubles(cellSums)
        w.optional(sortedValues) { $0.doubles($1) }
        w.int(reservedBytes)
    }

    static func read(from r: inout SnapshotReader, budget: ExactDriftBudget?) throws(SnapshotError) -> NumericReference {
        let count = try r.int()
        let (mean, sd, minimum, maximum) = (try r.double(), try r.double(), try r.double(), try r.double())
        let edges = try r.doubles()
        let psi = try r.array { (r) throws(SnapshotError) in try r.int() }
        let counts = try r.doubles()
        let sums = try r.doubles()
        let sorted = try r.optional { (r) throws(SnapshotError) in try r.doubles() }
        let reserved = try r.int()
        guard !edges.isEmpty, counts.count == 2 * edges.count + 1, sums.count == counts.count,
              psi.allSatisfy({ $0 >= 0 && $0 < edges.count }), count > 0 else {
            throw .invalid("numeric reference with \(edges.count) edges and \(counts.count) cells")
        }
        return NumericReference(count: count, mean: mean, standardDeviation: sd, minimum: minimum, maximum: maximum, edges: edges,
                                psiEdgeIndices: psi, cellCounts: counts, cellSums: sums, sortedValues: sorted,
                                reservedBytes: reserved, budget: budget)
    }
}

extension CategoricalReference {
    func write(to w: inout SnapshotWriter) {
        w.array(categories) { $0.string($1) }
        w.doubles(counts)
        w.double(otherCount)
        w.int(count)
    }

    static func read(from r: inout SnapshotReader) throws(SnapshotError) -> CategoricalReference {
        let categories = try r.array { (r) throws(SnapshotError) in try r.string() }
        let counts = try r.doubles()
        guard counts.count == categories.count else { throw .invalid("categorical reference with \(categories.count) categories, \(counts.count) counts") }
        return CategoricalReference(categories: categories, counts: counts, otherCount: try r.double(), count: try r.int())
    }
}

extension ColumnReference {
    func write(to w: inout SnapshotWriter) {
        switch self {
        case .numeric(let r):
            w.integer(UInt8(0))
            r.write(to: &w)
        case .categorical(let r):
            w.integer(UInt8(1))
            r.write(to: &w)
        }
    }

    static func read(from r: inout SnapshotReader, budget: ExactDriftBudget?) throws(SnapshotError) -> ColumnReference {
        switch try r.integer(UInt8.self) {
        case 0: return .numeric(try NumericReference.read(from: &r, budget: budget))
        case 1: return .categorical(try CategoricalReference.read(from: &r))
        case let tag: throw .invalid("column reference kind \(tag)")
        }
    }
}
