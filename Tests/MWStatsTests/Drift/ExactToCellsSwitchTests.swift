// SPDX-License-Identifier: Apache-2.0
// A window that grows past the exact-value cap and shrinks back under it as slices expire:
// its drift against scipy's definitions on the values the window holds at each read.

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

/// scipy's definitions, written out independently of the code under test: `ks_2samp`'s
/// statistic from `searchsorted(side="right")` over the pooled values, `wasserstein_distance`
/// as Σ |U − V| · Δ over the sorted pooled values.
enum ScipyDefinitions {
    static func searchsortedRight(_ sorted: [Double], _ x: Double) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func ks(_ a: [Double], _ b: [Double]) -> Double {
        let a = a.sorted(), b = b.sorted()
        return (a + b).map { x in
            abs(Double(searchsortedRight(a, x)) / Double(a.count) - Double(searchsortedRight(b, x)) / Double(b.count))
        }.max()!
    }

    static func wasserstein(_ a: [Double], _ b: [Double]) -> Double {
        let a = a.sorted(), b = b.sorted(), all = (a + b).sorted()
        var total = 0.0
        for i in 0..<(all.count - 1) {
            let u = Double(searchsortedRight(a, all[i])) / Double(a.count)
            let v = Double(searchsortedRight(b, all[i])) / Double(b.count)
            total += abs(u - v) * (all[i + 1] - all[i])
        }
        return total
    }

    static func std(_ a: [Double]) -> Double {
        let mean = a.reduce(0, +) / Double(a.count)
        return (a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(a.count)).squareRoot()
    }
}

@Suite struct ExactToCellsSwitchTests {
    /// Seeded traffic into a 60 s window of 1 s slices that grows past 4,096 values (and single
    /// slices past 256), then falls back under both as slices expire; every few seconds the
    /// window is read and compared with scipy's definitions on exactly the values it holds.
    @Test(arguments: [(500, UInt64(1)), (3000, UInt64(2)), (20_000, UInt64(3))])
    func driftAcrossTheSwitch(referenceSize: Int, seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        func normal() -> Double {
            let u = max(Double.random(in: 0..<1, using: &random), 1e-12), v = Double.random(in: 0..<1, using: &random)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let referenceValues = (0..<referenceSize).map { _ in (normal() * 10).rounded() / 4 }  // ties, as real data has
        let reference = NumericReference(values: referenceValues)
        var windows = CascadingWindows(lengths: [60], sliceCount: 60, empty: FeatureSketch())
        var sent: [(second: Int, value: Double)] = []
        var exactReads = 0, cellReads = 0
        // 0-59 s: 40-100 a second (the window passes 4,096 near the end); 60-89 s: 150-250
        // (past the window cap, every slice under 256); 90-99 s: 270-330 (slices past 256);
        // 100-179 s: 0-20 (the window shrinks back, the full slices expire).
        for second in 0..<180 {
            let range = second < 60 ? 40...100 : second < 90 ? 150...250 : second < 100 ? 270...330 : 0...20
            let burst = Int.random(in: range, using: &random)
            let shift = second >= 75 ? 1.5 : 0
            for _ in 0..<burst {
                let x = (normal() * 10 + shift * 10).rounded() / 4
                sent.append((second, x))
                let (cell, offset) = reference.locate(x)
                windows.update(at: Double(second) + 0.5) {
                    $0.add(cell: cell, offset: offset, value: x, generation: 0, cellCount: reference.cellCount)
                }
            }
            guard second % 3 == 2 else { continue }
            let now = Double(second) + 0.9
            let held = sent.filter { $0.second > second - 60 }
            let perSecond = Dictionary(grouping: held, by: \.second).mapValues(\.count)
            let sketch = windows.merged(window: 0, at: now)
            let values = held.map(\.value)
            let exactExpected = values.count <= FeatureSketch.exactLimit && perSecond.values.allSatisfy { $0 <= FeatureSketch.sparseLimit }
            #expect((sketch.exactValues(generation: 0) != nil) == exactExpected, "second \(second): \(values.count) values")
            guard !values.isEmpty, let d = drift(sketch, reference) else { continue }
            #expect(d.count == values.count)
            let ks = ScipyDefinitions.ks(referenceValues, values)
            let w = ScipyDefinitions.wasserstein(referenceValues, values) / ScipyDefinitions.std(referenceValues)
            let kept = referenceSize <= NumericReference.keptValueLimit
            if exactExpected && kept {
                exactReads += 1
                #expect(abs(d.ksStatistic - ks) < 1e-9, "second \(second)")
                #expect(abs(try #require(d.wasserstein) - w) < 1e-9 * max(1, w), "second \(second)")
                #expect(d.median == Quantiles.linear(values.sorted(), 0.5))
            } else {
                cellReads += 1
                if Set(referenceValues).count <= NumericReference.exactEdgeLimit {
                    #expect(abs(d.ksStatistic - ks) < 1e-9, "second \(second): every unique value is a cut point")
                } else {
                    #expect(d.ksStatistic <= ks + 1e-12 && ks - d.ksStatistic <= reference.largestShareInsideCell + 1e-12, "second \(second)")
                }
                #expect(abs(try #require(d.wasserstein) - w) <= max(0.02 * w, 0.002), "second \(second): \(d.wasserstein!) vs \(w)")
            }
        }
        // both regimes were visited, in both directions
        #expect(cellReads >= 5 && (referenceSize > NumericReference.keptValueLimit || exactReads >= 5))
    }

    /// A stored slice that receives many small merges (a 1 h slice gets one per 5 s unit) keeps
    /// at most 256 values one by one, then tallies.
    @Test func storedSlicesAreCompacted() {
        let reference = NumericReference(values: (0..<100).map(Double.init))
        var stored = FeatureSketch()
        for unit in 0..<20 {
            var pending = FeatureSketch()
            for i in 0..<50 {
                let x = Double((unit * 50 + i) % 100)
                let (cell, offset) = reference.locate(x)
                pending.add(cell: cell, offset: offset, value: x, generation: 0, cellCount: reference.cellCount)
            }
            stored.merge(pending)
            stored.compact()
            #expect((stored.exactValues(generation: 0) != nil) == ((unit + 1) * 50 <= FeatureSketch.sparseLimit))
        }
        #expect(stored.present == 1000)
        #expect(stored.cells(generation: 0, cellCount: reference.cellCount)!.counts.reduce(0, +) == 1000)
    }
}
