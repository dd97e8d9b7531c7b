// SPDX-License-Identifier: Apache-2.0
// The grid-accelerated cell lookup must agree with a plain binary search everywhere.

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

@Suite struct CellLookupTests {
    static let shapes: [(String, @Sendable (inout SplitMix) -> Double)] = [
        ("normal", { rng in Self.normal(&rng) }),
        ("lognormal with outliers", { rng in exp(Self.normal(&rng) * 2) + (rng.next() % 500 == 0 ? 1e9 : 0) }),
        ("integers with ties", { rng in Double(rng.next() % 7) }),
        ("constant", { _ in 42 }),
        ("tiny spread", { rng in 1 + Double(rng.next() % 1000) * 1e-15 }),
        ("subnormal spread", { rng in Double(rng.next() % 50) * .leastNonzeroMagnitude }),
        ("close pairs", { rng in Double(rng.next() % 90) + (rng.next() % 2 == 0 ? 0 : 1e-7) }),
        ("crowded", { rng in rng.next() % 10 == 0 ? Self.normal(&rng) * 1e6 : Double(rng.next() % 100_000) * 1e-9 }),
    ]

    static func normal(_ rng: inout SplitMix) -> Double {
        let u = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), v = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    @Test(arguments: 0..<8, [false, true])
    func gridLookupAgreesWithBinarySearch(shape: Int, fixedBins: Bool) {
        var rng = SplitMix(seed: UInt64(shape + 1))
        let draw = Self.shapes[shape].1
        let values = (0..<3000).map { _ in draw(&rng) }
        let reference = NumericReference(values: values, psiEdges: fixedBins ? [-1e12, -3, 0, 0.5, 2, 1e12] : nil)
        var probes = reference.edges + reference.edges.map { $0.nextUp } + reference.edges.map { $0.nextDown }
        probes += (0..<5000).map { _ in draw(&rng) } + [-.greatestFiniteMagnitude, .greatestFiniteMagnitude, 0, -0.0]
        for v in probes {
            #expect(reference.cell(of: v) == NumericReference.cell(of: v, edges: reference.edges), "\(Self.shapes[shape].0): \(v)")
        }
    }

    /// More edges than the grid's 16-bit entries can index: every lookup takes the binary search.
    @Test func lookupBeyondTheGridsReach() {
        let edges = (0..<70_000).map { Double($0) * 0.5 }
        let lookup = CellLookup.make(edges: edges)
        defer { lookup.deallocate() }
        var rng = SplitMix(seed: 9)
        for _ in 0..<20_000 {
            let v = Double(rng.next() % 80_000) * 0.4375 - 10
            #expect(lookup.cell(of: v) == NumericReference.cell(of: v, edges: edges), "\(v)")
        }
    }
}
