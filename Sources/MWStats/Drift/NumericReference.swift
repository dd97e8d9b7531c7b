// SPDX-License-Identifier: Apache-2.0
// The compact summary of a numeric feature's reference values.

/// A class: immutable once built, shared by every window that counts against it (placing a
/// value retains it once, not each of its arrays).
///
/// What is kept of a numeric reference column: about 210 cut points and, per cell between and
/// at them, the count and sum of reference values — a few KB whatever the reference size.
///
/// Cut points (`edges`) are the unique reference quantiles at 0, 1/200, …, 1 together with the
/// 10-bin PSI edges (unique quantiles at 0.1…0.9), all as numpy's linear interpolation computes
/// them. Cells alternate: cell 2i is the open interval below `edges[i]` (above `edges[i−1]`),
/// cell 2i+1 holds values equal to `edges[i]`, and the last cell is above the last edge. Windows
/// count their values in the same cells, so that:
/// - PSI and Jensen–Shannon on the PSI bins are exact (ties at edges included);
/// - the KS statistic is exact at every edge, and off by at most the reference mass strictly
///   inside one cell (≤ 1/200) in between;
/// - the Wasserstein distance integrates |F_ref − F_win| cell by cell, exactly where the two CDFs
///   do not cross inside a cell (window values assumed spread in a cell as the reference's are).
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

    /// Quantile levels of the fine edges: 0, 1/200, …, 1.
    public static let fineLevels = 200

    /// The PSI bin (`searchsorted(psi_edges, v, side="right")`) of each cell.
    public let psiBinOfCell: [Int]
    /// A uniform grid over [minimum, maximum]: for each of its ``gridSize`` steps, the first
    /// edge at or above the step's start, so that placing a value searches a few edges, not all.
    private let grid: [UInt16]
    private let gridScale: Double
    static let gridSize = 256  // 514 bytes per feature: stays in cache beside the edges

    /// Summarises finite values (at least one). `psiEdges` replaces the quantile PSI edges
    /// with fixed ones (a feature's declared `bins`).
    public init(values: [Double], psiEdges fixedEdges: [Double]? = nil) {
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
        for i in 0...Self.fineLevels { all.append(Quantiles.linear(sorted, Double(i) / Double(Self.fineLevels))) }
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
        // Cell 2i lies below edges[i] (bin: PSI edges before index i); cell 2i+1 is edges[i] itself.
        var bins = [Int](repeating: 0, count: counts.count)
        var passed = 0
        for c in bins.indices {
            if c % 2 == 1, psiEdgeIndices.contains(c / 2) { passed += 1 }
            bins[c] = passed
        }
        psiBinOfCell = bins
        let low = unique[0], span = unique[unique.count - 1] - low
        gridScale = span > 0 && span.isFinite ? Double(Self.gridSize) / span : 0
        var grid = [UInt16](repeating: 0, count: Self.gridSize + 1)
        var e = 0
        for k in 0...Self.gridSize {
            let start = low + Double(k) / Double(Self.gridSize) * span
            while e < unique.count && unique[e] < start { e += 1 }
            grid[k] = UInt16(min(e, Int(UInt16.max)))
        }
        self.grid = grid
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
    @inline(__always)
    public static func cell(of v: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {  // first edge ≥ v
            let mid = (lo + hi) >> 1
            if edges[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < edges.count && edges[lo] == v ? 2 * lo + 1 : 2 * lo
    }

    /// The cell of `v`: as ``cell(of:edges:)``, searching only between the grid's bounds.
    public func cell(of v: Double) -> Int {
        edges.withUnsafeBufferPointer { e in
            let last = e.count - 1
            guard v > e[0] else { return v == e[0] ? 1 : 0 }
            guard v < e[last] else { return v == e[last] ? 2 * last + 1 : 2 * last + 2 }
            guard gridScale > 0 else { return Self.cell(of: v, edges: edges) }
            let k = min(Int((v - e[0]) * gridScale), Self.gridSize - 1)
            // The first edge ≥ v lies in [grid[k], grid[k + 1]]; widened by one for rounding
            // of the step starts, and checked.
            var lo = max(0, Int(grid[k]) - 1), hi = min(e.count, Int(grid[k + 1]) + 1)
            if hi - lo <= 8 {  // usually: a short forward scan (predictable branches)
                while lo < hi && e[lo] < v { lo += 1 }
            } else {
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if e[mid] < v { lo = mid + 1 } else { hi = mid }
                }
            }
            guard (lo == 0 || e[lo - 1] < v) && (lo == e.count || e[lo] >= v) else { return Self.cell(of: v, edges: edges) }
            return lo < e.count && e[lo] == v ? 2 * lo + 1 : 2 * lo
        }
    }

    /// The cell of `v` and where it sits inside an open cell (0 at the lower edge, 1 at the upper).
    public func locate(_ v: Double) -> (cell: Int, offset: Double) {
        let c = cell(of: v)
        guard c % 2 == 0, c > 0, c < cellCounts.count - 1 else { return (c, 0) }
        let a = edges[c / 2 - 1], b = edges[c / 2]
        return (c, (v - a) / (b - a))
    }

    public var cellCount: Int { cellCounts.count }
}

/// The summary of a categorical reference column: counts of its most frequent categories.
public final class CategoricalReference: Sendable {
    /// Kept categories, most frequent first (ties by name).
    public let categories: [String]
    public let counts: [Double]
    /// Reference values of categories beyond the limit (the `__other__` bin).
    public let otherCount: Double
    public let count: Int
    private let index: [String: Int]

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
        index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
    }

    /// The index of a kept category, or nil (unseen, or beyond the limit).
    public func position(of category: String) -> Int? { index[category] }

}
