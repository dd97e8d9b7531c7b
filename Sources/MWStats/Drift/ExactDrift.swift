// SPDX-License-Identifier: Apache-2.0
// KS and Wasserstein of a window that still holds its values (few values: where decisions are made).

/// The KS statistic and the Wasserstein distance of a window's own values against a reference:
/// as `scipy.stats.ks_2samp` and `scipy.stats.wasserstein_distance` compute them when the
/// reference kept its values (``NumericReference/sortedValues``), else against the reference's
/// CDF taken as linear inside each cell (its cut points are quantiles 1/200 apart).
enum ExactDrift {
    /// sup |F_ref − F_win| over every point; `window` ascending.
    static func ksStatistic(_ reference: NumericReference, window: [Double]) -> Double {
        if let sorted = reference.sortedValues { return twoSampleKS(sorted, window) }
        let cdf = LinearCellCDF(reference)
        let n = Double(window.count)
        var d = 0.0, i = 0
        while i < window.count {
            let x = window[i]
            var j = i
            while j < window.count && window[j] == x { j += 1 }
            // Just below x and at x: the window's CDF jumps from i/n to j/n, the reference's may too.
            d = max(d, abs(cdf.below(x) - Double(i) / n), abs(cdf.atOrBelow(x) - Double(j) / n))
            i = j
        }
        return d
    }

    /// `ks_2samp`'s statistic: both empirical CDFs after each distinct value of either sample.
    static func twoSampleKS(_ a: [Double], _ b: [Double]) -> Double {
        let na = Double(a.count), nb = Double(b.count)
        var i = 0, j = 0, d = 0.0
        while i < a.count || j < b.count {
            let x = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
            d = max(d, abs(Double(i) / na - Double(j) / nb))
        }
        return d
    }

    /// ∫ |F_ref − F_win|; `window` ascending.
    static func wasserstein(_ reference: NumericReference, window: [Double]) -> Double {
        if let sorted = reference.sortedValues { return twoSampleWasserstein(sorted, window) }
        // Breakpoints: the edges and the window's values; between two, F_win is constant and
        // F_ref linear, so each piece integrates exactly.
        let cdf = LinearCellCDF(reference)
        var points = reference.edges + window
        points.sort()
        let n = Double(window.count)
        var total = 0.0, below = 0
        for k in 0..<(points.count - 1) {
            let x0 = points[k], x1 = points[k + 1]
            while below < window.count && window[below] <= x0 { below += 1 }
            guard x1 > x0 else { continue }
            let fw = Double(below) / n
            let g0 = cdf.atOrBelow(x0) - fw, g1 = cdf.below(x1) - fw  // F is right-continuous
            if g0 * g1 >= 0 {
                total += abs(g0 + g1) / 2 * (x1 - x0)
            } else {
                total += (g0 * g0 + g1 * g1) / (2 * abs(g1 - g0)) * (x1 - x0)
            }
        }
        return total
    }

    /// `scipy.stats.wasserstein_distance(a, b)`: Σ |F_a − F_b| · Δ over the merged values.
    static func twoSampleWasserstein(_ a: [Double], _ b: [Double]) -> Double {
        let na = Double(a.count), nb = Double(b.count)
        var i = 0, j = 0, total = 0.0
        var previous = a[0] < b[0] ? a[0] : b[0]
        while i < a.count || j < b.count {
            let x = j == b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            total += abs(Double(i) / na - Double(j) / nb) * (x - previous)
            previous = x
            while i < a.count && a[i] == x { i += 1 }
            while j < b.count && b[j] == x { j += 1 }
        }
        return total
    }
}

/// The reference's CDF from its cells: exact at every cut point, linear inside each open cell.
struct LinearCellCDF {
    let edges: [Double]
    /// Reference share strictly below each edge (`before[i]`) and up to and at it (`through[i]`).
    private var before: [Double] = []
    private var through: [Double] = []

    init(_ reference: NumericReference) {
        edges = reference.edges
        let nr = Double(reference.count), cells = reference.cellCounts
        var running = 0.0
        for k in edges.indices {
            running += cells[2 * k]
            before.append(running / nr)
            running += cells[2 * k + 1]
            through.append(running / nr)
        }
    }

    /// The first edge at or above `x` (edges.count when none).
    private func firstEdge(atOrAbove x: Double) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// F(x−): the share strictly below x.
    func below(_ x: Double) -> Double {
        let k = firstEdge(atOrAbove: x)
        if k == edges.count { return 1 }
        if edges[k] == x { return before[k] }
        return inside(x, k)
    }

    /// F(x): the share at or below x.
    func atOrBelow(_ x: Double) -> Double {
        let k = firstEdge(atOrAbove: x)
        if k == edges.count { return 1 }
        if edges[k] == x { return through[k] }
        return inside(x, k)
    }

    /// F at x strictly inside the open cell below edge k.
    private func inside(_ x: Double, _ k: Int) -> Double {
        guard k > 0 else { return 0 }
        let a = edges[k - 1], b = edges[k]
        return through[k - 1] + (before[k] - through[k - 1]) * (x - a) / (b - a)
    }
}
