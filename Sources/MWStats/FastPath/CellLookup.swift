// SPDX-License-Identifier: Apache-2.0
// Placing a number in a numeric reference's cells: a grid over the edges, then a short count.

/// Finds the cell of a value among a numeric reference's edges: `2·i` for the open interval
/// below `edges[i]`, `2·i + 1` for `edges[i]` itself. A uniform grid of steps over
/// [first edge, last edge] gives, for each step, the first edge at or above the step's start.
/// The grid is fine (about eight steps per edge), so most steps hold at most two edges and a
/// lookup reads one grid entry and compares two edges, with no branch per edge; crowded steps
/// count up to 8 edges in one vector comparison, and beyond that fall back to a binary search.
///
/// Memory is raw and owned by whoever built the lookup (``NumericReference``, which frees it
/// on deinit): the ingestion path copies this struct next to the column and places values
/// with no reference counting, bounds checks or mispredicted loop exits.
struct CellLookup: @unchecked Sendable {  // immutable; the owner keeps the memory alive
    /// Grid steps per edge (rounded up to a power of two, at least 256 steps, at most 2^14):
    /// 201 edges take 2,048 steps, a 4 KB grid.
    static let stepsPerEdge = 8
    /// Edges past the last one filled with +∞, so that a count of 8 never reads outside.
    static let padding = 8  // the count below reads 8 edges

    let edges: UnsafePointer<Double>
    let grid: UnsafePointer<UInt16>
    let count: Int
    let first: Double
    let last: Double
    /// Grid steps per unit of value (0 when all edges are equal).
    let scale: Double

    /// Allocates the lookup of `edges` (ascending, unique, at least one); free it with ``deallocate()``.
    static func make(edges unique: [Double]) -> CellLookup {
        let count = unique.count
        let low = unique[0], span = unique[count - 1] - low
        let steps = gridSteps(edges: count)
        let scale = span > 0 && (Double(steps) / span).isFinite ? Double(steps) / span : 0  // 0: one step
        let edges = UnsafeMutablePointer<Double>.allocate(capacity: count + padding)
        edges.initialize(from: unique, count: count)
        (edges + count).initialize(repeating: .infinity, count: padding)
        // grid[k] = the number of edges whose step (computed exactly as a lookup computes a
        // value's) is below k. Steps never decrease with the value, so a value in step k has
        // its first edge ≥ it at an index in [grid[k], grid[k + 1]], with no rounding slack.
        // Two entries more than steps: a value just below the last edge can round to step
        // `steps`, whose range ends at entry `steps + 1`.
        let grid = UnsafeMutablePointer<UInt16>.allocate(capacity: steps + 2)
        var below = 0
        for k in 0...(steps + 1) {
            while below < count && step(unique[below], first: low, scale: scale) < k { below += 1 }
            grid[k] = UInt16(min(below, Int(UInt16.max)))
        }
        return CellLookup(edges: edges, grid: grid, count: count, first: low, last: unique[count - 1], scale: scale)
    }

    /// Grid steps for `count` edges: ``stepsPerEdge`` per edge rounded up to a power of two,
    /// between 2^8 and 2^14. Edge indices must fit the UInt16 grid: beyond that, one step sends
    /// every lookup to the binary search.
    static func gridSteps(edges count: Int) -> Int {
        guard count < Int(UInt16.max) else { return 1 }
        var steps = 1 << 8
        while steps < count * stepsPerEdge && steps < 1 << 14 { steps <<= 1 }
        return steps
    }

    func deallocate() {
        UnsafeMutablePointer(mutating: edges).deallocate()
        UnsafeMutablePointer(mutating: grid).deallocate()
    }

    /// The cell of `v` by binary search over all the edges (the reference answer).
    @inline(never)  // the rare path: kept out of the inlined lookup
    static func binarySearchCell(of v: Double, edges: UnsafePointer<Double>, count: Int) -> Int {
        var lo = 0, hi = count
        while lo < hi {  // first edge ≥ v
            let mid = (lo + hi) >> 1
            if edges[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && edges[lo] == v ? 2 * lo + 1 : 2 * lo
    }

    /// The grid step of `v` (first ≤ v ≤ last): 0…steps.
    @inline(__always)
    static func step(_ v: Double, first: Double, scale: Double) -> Int {
        // (v − first)·scale lies in 0…steps: adding 2^52 rounds it to an integer in the low
        // bits of the sum (the grid is built with this same function, so rounding to nearest
        // instead of down changes nothing), without the checks of a conversion to Int.
        let x = (v - first) * scale + 0x1p52
        return Int(truncatingIfNeeded: x.bitPattern & 0xFFFF_FFFF)
    }

    /// The cell of `v`. (Wrapping arithmetic: indices are bounded by `count`, far from overflow.)
    @inline(__always)
    func cell(of v: Double) -> Int { locate(v).cell }

    /// The index of the first edge ≥ v, for first < v < last: between 1 and count − 1.
    /// Edges of an earlier step lie below v and edges of a later step above it (a step never
    /// decreases with the value), so only the edges of v's own step need comparing.
    @inline(__always)
    private func firstEdge(atOrAbove v: Double) -> Int {
        let k = Self.step(v, first: first, scale: scale)
        let lo = Int(grid[k]), hi = Int(grid[k &+ 1])
        let e = edges + lo
        if hi &- lo <= 2 {  // the common case: the two edges from `lo` (padding beyond the last)
            return lo &+ (e[0] < v ? 1 : 0) &+ (e[1] < v ? 1 : 0)
        }
        guard hi &- lo <= 8 else {
            return Self.binarySearchCell(of: v, edges: edges, count: count) >> 1
        }
        // Edges ascend: the number of the 8 from `lo` below v is the distance to the first ≥ v
        // (one vector comparison and a bit count, written so that the compiler emits them).
        var below = 0
        for j in 0..<8 { below &+= Int(truncatingIfNeeded: UInt8(bitPattern: Int8(truncatingIfNeeded: e[j] < v ? 1 : 0))) }
        return lo &+ below
    }

    /// The cell of `v` and, inside an open cell between two edges, how far above its lower
    /// edge it lies (0 elsewhere): a subtraction, where a position in 0…1 would cost a division
    /// per value; the statistics divide the sums by the widths once per read.
    @inline(__always)
    func locate(_ v: Double) -> (cell: Int, offset: Double) {
        guard v > first else { return (v == first ? 1 : 0, 0) }
        guard v < last else { return (v == last ? 2 &* count &- 1 : 2 &* count, 0) }
        return locate(inside: v)
    }

    /// ``locate(_:)`` for first < v < last (so neither tail cell).
    @inline(__always)
    func locate(inside v: Double) -> (cell: Int, offset: Double) {
        let at = firstEdge(atOrAbove: v)  // 1…count − 1: an edge lies below v
        if edges[at] == v { return (2 &* at &+ 1, 0) }
        return (2 &* at, v - edges[at &- 1])
    }
}
