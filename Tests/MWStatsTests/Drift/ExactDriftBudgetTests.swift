// SPDX-License-Identifier: Apache-2.0
// The daemon-wide allowance for exact drift: what a reference reserves, falls back to, returns.

import Testing
@testable import MWStats

@Suite struct ExactDriftBudgetTests {
    let small = (0..<500).map { Double($0) / 7 }     // 500 unique values
    let medium = (0..<3000).map { Double($0 % 1500) }  // 3,000 rows, 1,500 unique

    @Test func referencesReserveWhatExactnessCostsAndReturnIt() {
        let budget = ExactDriftBudget(bytes: 1 << 30)
        do {
            let r = NumericReference(values: small, budget: budget, slices: 181)
            #expect(r.sortedValues?.count == 500 && r.edges.count >= 500)
            // 500 values kept, and 2·(500 − 201) extra cells in each of 181 slices
            #expect(budget.reserved == 500 * 8 + 2 * (500 - 201) * 8 * 181)
            let m = NumericReference(values: medium, budget: budget, slices: 181)
            #expect(m.sortedValues?.count == 3000 && m.edges.count <= 211)  // too many unique values for a cut point each
            #expect(budget.reserved == 500 * 8 + 2 * (500 - 201) * 8 * 181 + 3000 * 8)
        }
        #expect(budget.reserved == 0)
    }

    @Test func aReferenceThatDoesNotFitFallsBackToTheQuantileSummary() {
        let budget = ExactDriftBudget(bytes: 6_000)
        let r = NumericReference(values: small, budget: budget, slices: 181)
        #expect(r.sortedValues != nil)          // 4,000 bytes fit
        #expect(r.edges.count <= 211)           // the cut points' 433 KB do not
        #expect(budget.reserved == 4000)
        let again = NumericReference(values: small, budget: budget, slices: 181)
        #expect(again.sortedValues == nil && budget.reserved == 4000)
        // still within the cell bounds: KS at the quantile cut points, a lower bound
        var sketch = FeatureSketch()
        for x in small.map({ $0 * 1.1 }) {
            let (cell, offset) = again.locate(x)
            sketch.add(cell: cell, offset: offset, value: x, generation: 0, cellCount: again.cellCount)
        }
        let d = drift(sketch, again)!
        let ks = ScipyDefinitions.ks(small, small.map { $0 * 1.1 })
        #expect(again.largestShareInsideCell == 3.0 / 500)  // ⌈499/200⌉ = 3 values strictly inside a cell
        #expect(d.ksStatistic <= ks + 1e-12 && ks - d.ksStatistic <= again.largestShareInsideCell + 1e-12)
    }
}
