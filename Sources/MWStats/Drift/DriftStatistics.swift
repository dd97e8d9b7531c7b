// SPDX-License-Identifier: Apache-2.0
// Drift of a window against its reference (SPEC section 4), from cell counts.

import Foundation

/// Drift and data quality of a numeric feature in one window.
public struct NumericDrift: Sendable, Equatable {
    /// Values the window holds in the current reference's cells.
    public let count: Int
    public let psi: Double
    public let ksStatistic: Double
    public let ksPValue: Double
    /// Wasserstein distance divided by the reference's population standard deviation; nil
    /// when the reference is constant.
    public let wasserstein: Double?
    public let jensenShannon: Double
    /// Share of the window's values outside [reference min, reference max].
    public let outOfRangeRatio: Double
    /// Approximate window quantiles (interpolated inside a cell): 0.5 and 0.95.
    public let median: Double
    public let p95: Double
}

/// Drift and data quality of a categorical feature in one window.
public struct CategoricalDrift: Sendable, Equatable {
    public let count: Int
    public let psi: Double
    public let jensenShannon: Double
    /// Chi-square goodness of fit over the reference's categories; nil with fewer than two
    /// categories or no window value among them.
    public let chiSquare: Double?
    public let chiSquarePValue: Double?
    /// Share of the window's values the reference never saw (or kept beyond `max_categories`).
    public let unseenRatio: Double
}

/// The statistics of SPEC section 4.
public enum DriftStatistics {
    /// Empty bin proportions are replaced by this in PSI (not in Jensen–Shannon).
    public static let psiFloor = 0.0001

    /// Σ (q − p)·ln(q / p) over bins, zero proportions replaced by ``psiFloor``.
    public static func psi(reference p: [Double], current q: [Double]) -> Double {
        var total = 0.0
        for i in p.indices {
            let a = p[i] == 0 ? psiFloor : p[i], b = q[i] == 0 ? psiFloor : q[i]
            total += (b - a) * Foundation.log(b / a)
        }
        return total
    }

    /// `scipy.spatial.distance.jensenshannon(p, q, base=2)`.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        var js = 0.0
        for i in p.indices {
            let a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2
            if a > 0 { js += a * Foundation.log(a / m) }
            if b > 0 { js += b * Foundation.log(b / m) }
        }
        return max(0, js / Foundation.log(2.0) / 2).squareRoot()
    }

    static func proportions(_ counts: [Double]) -> [Double] {
        let total = counts.reduce(0, +)
        return total > 0 ? counts.map { $0 / total } : counts
    }

    /// Counts in the 10 PSI bins (`searchsorted(psi_edges, v, side="right")`) from cell counts.
    static func psiBins(_ cells: [Double], _ reference: NumericReference) -> [Double] {
        var prefix = [Double](repeating: 0, count: cells.count + 1)
        for i in cells.indices { prefix[i + 1] = prefix[i] + cells[i] }
        // Values strictly below edge k: cells 0 … 2k.
        var bins: [Double] = []
        var below = 0.0
        for k in reference.psiEdgeIndices {
            let strictlyBelow = prefix[2 * k + 1]
            bins.append(strictlyBelow - below)
            below = strictlyBelow
        }
        bins.append(prefix[cells.count] - below)
        return bins
    }

    /// Numeric drift of a window whose values fell in `cells` (of `reference`), with the sums of
    /// the sums of their offsets above their cells' lower edges, and the sums of the values
    /// below and above the reference range.
    /// `values`, when the window still holds them (``FeatureSketch/exactValues(generation:)``),
    /// give the KS statistic, the Wasserstein distance and the quantiles exactly (see ``ExactDrift``).
    public static func numeric(_ reference: NumericReference, cells: [Double], offsets: [Double], lowSum: Double,
                               highSum: Double, values: [Double]? = nil) -> NumericDrift? {
        let n = cells.reduce(0, +)
        guard n > 0 else { return nil }
        let nr = Double(reference.count)
        let refCells = reference.cellCounts
        let edges = reference.edges

        // PSI and Jensen–Shannon on the PSI bins.
        let p = proportions(psiBins(refCells, reference)), q = proportions(psiBins(cells, reference))
        let psiValue = psi(reference: p, current: q)
        let js = jensenShannon(p, q)

        // KS: both CDFs exactly at every edge, from below and at it.
        var d = 0.0, cr = 0.0, cw = 0.0
        for k in edges.indices {
            cr += refCells[2 * k]; cw += cells[2 * k]
            d = max(d, abs(cr / nr - cw / n))
            cr += refCells[2 * k + 1]; cw += cells[2 * k + 1]
            d = max(d, abs(cr / nr - cw / n))
        }
        var sortedWindow: [Double]?
        if let values, values.count == Int(n) {
            sortedWindow = values.sorted()
            d = max(d, ExactDrift.ksStatistic(reference, window: sortedWindow!))
        }
        let en = (max(nr, n) * min(nr, n) / (nr + n)).rounded()
        let pValue = SpecialFunctions.kolmogorovSurvival(d, n: max(1, Int(en)))

        // Wasserstein: from the values when the window has them, else cell by cell.
        let w = sortedWindow.map { ExactDrift.wasserstein(reference, window: $0) }
            ?? cellWasserstein(reference, cells: cells, offsets: offsets, n: n, lowSum: lowSum, highSum: highSum)
        let last = cells.count - 1
        let wasserstein = reference.standardDeviation > 0 ? w / reference.standardDeviation : nil

        let outside = (cells[0] + cells[last]) / n
        return NumericDrift(count: Int(n), psi: psiValue, ksStatistic: d, ksPValue: pValue, wasserstein: wasserstein,
                            jensenShannon: js, outOfRangeRatio: outside,
                            median: sortedWindow.map { Quantiles.linear($0, 0.5) } ?? quantile(0.5, cells, n, reference, lowSum, highSum),
                            p95: sortedWindow.map { Quantiles.linear($0, 0.95) } ?? quantile(0.95, cells, n, reference, lowSum, highSum))
    }

    /// ∫|F_ref − F_win| cell by cell: exact in cells where the CDFs do not cross; one crossing
    /// sized as if both were linear there.
    static func cellWasserstein(_ reference: NumericReference, cells: [Double], offsets: [Double], n: Double,
                                lowSum: Double, highSum: Double) -> Double {
        let nr = Double(reference.count), refCells = reference.cellCounts, edges = reference.edges
        var w = 0.0
        let last = cells.count - 1
        if cells[0] > 0 { w += cells[0] / n * (edges[0] - lowSum / cells[0]) }          // below the reference: F_ref = 0
        if cells[last] > 0 { w += cells[last] / n * (highSum / cells[last] - edges[edges.count - 1]) }  // above: F_ref = 1
        var fr = refCells[0] / nr + refCells[1] / nr, fw = cells[0] / n + cells[1] / n  // CDFs at edges[0]
        for k in 1..<max(1, edges.count) {
            let a = edges[k - 1], b = edges[k], width = b - a
            let mr = refCells[2 * k] / nr, mw = cells[2 * k] / n
            // ∫ F over a cell = F(a)·width + m·(b − mean of the cell's values).
            let referenceMean = refCells[2 * k] > 0 ? reference.cellSums[2 * k] / refCells[2 * k] : (a + b) / 2
            let windowMean = cells[2 * k] > 0 ? a + offsets[2 * k] / cells[2 * k] : (a + b) / 2
            let d0 = fr - fw, d1 = (fr + mr) - (fw + mw)
            // Signed ∫(F_ref − F_win) over the cell: exact.
            let signed = (fr - fw) * width + mr * (b - referenceMean) - mw * (b - windowMean)
            if d0 * d1 >= 0 {
                w += abs(signed)  // exact unless the CDFs cross twice inside the cell
            } else {
                // One crossing: |signed| plus twice the smaller-signed part, sized as if both
                // CDFs were linear inside the cell.
                let positive = width * d0 * d0 / (2 * (abs(d0) + abs(d1)))
                let negative = width * d1 * d1 / (2 * (abs(d0) + abs(d1)))
                w += abs(signed) + 2 * min(positive, negative)
            }
            fr += mr + refCells[2 * k + 1] / nr
            fw += mw + cells[2 * k + 1] / n
        }
        return w
    }

    /// The window's `q`-quantile, placed inside its cell by rank (tails: their mean).
    static func quantile(_ q: Double, _ cells: [Double], _ n: Double, _ reference: NumericReference,
                         _ lowSum: Double, _ highSum: Double) -> Double {
        let rank = q * (n - 1)  // 0-based, numpy's linear rule
        var before = 0.0
        let edges = reference.edges
        for c in cells.indices where cells[c] > 0 {
            if rank < before + cells[c] {
                if c == 0 { return lowSum / cells[0] }
                if c == cells.count - 1 { return highSum / cells[c] }
                if c % 2 == 1 { return edges[c / 2] }
                let a = edges[c / 2 - 1], b = edges[c / 2]
                return a + (b - a) * (rank - before + 0.5) / cells[c]
            }
            before += cells[c]
        }
        return edges[edges.count - 1]
    }

    /// Categorical drift of a window with `counts` per reference category and, last, unseen values.
    public static func categorical(_ reference: CategoricalReference, counts: [Double]) -> CategoricalDrift? {
        let n = counts.reduce(0, +)
        guard n > 0 else { return nil }
        let k = reference.categories.count
        let p = proportions(reference.counts + [reference.otherCount])
        let q = proportions(counts)
        var chi: Double?, chiP: Double?
        let observed = Array(counts[0..<k])
        let observedTotal = observed.reduce(0, +)
        let referenceTotal = reference.counts.reduce(0, +)
        if k >= 2 && observedTotal > 0 {
            var stat = 0.0
            for i in 0..<k {
                let expected = reference.counts[i] / referenceTotal * observedTotal
                stat += (observed[i] - expected) * (observed[i] - expected) / expected
            }
            chi = stat
            chiP = SpecialFunctions.chiSquareSurvival(stat, degreesOfFreedom: Double(k - 1))
        }
        return CategoricalDrift(count: Int(n), psi: psi(reference: p, current: q), jensenShannon: jensenShannon(p, q),
                                chiSquare: chi, chiSquarePValue: chiP, unseenRatio: counts[k] / n)
    }
}
