// SPDX-License-Identifier: Apache-2.0
// Realised and expected costs from the cost matrix.

import Testing
@testable import MWStats

@Suite struct CostsTests {
    @Test func binaryCostsCountFalsePositivesAndNegatives() throws {
        var slice = PerformanceSlice()
        // classes: 0 "0", 1 "1"; positive "1"
        slice.classification.confusion.add(actual: 0, predicted: 1, count: 7)  // false positives
        slice.classification.confusion.add(actual: 1, predicted: 0, count: 3)  // false negatives
        slice.classification.confusion.add(actual: 1, predicted: 1, count: 40)
        let costs = Costs.binary(falsePositive: 5, falseNegative: 50)
        #expect(costs.realised(slice, classes: ["0", "1"], positive: "1") == 185.0)
        var e = EstimatedCounts()
        e.recordBinary(predicted: 1, positive: 1, negative: 0, probability: 0.9)  // expected FP 0.1
        e.recordBinary(predicted: 0, positive: 1, negative: 0, probability: 0.2)  // expected FN 0.2
        #expect(abs(costs.expected(e, classes: ["0", "1"], positive: "1")! - (0.1 * 5 + 0.2 * 50)) < 1e-12)
        #expect(costs.realised(PerformanceSlice(), classes: ["0", "1"], positive: "1") == nil)
    }

    @Test func matrixAndRegressionCosts() throws {
        var slice = PerformanceSlice()
        slice.classification.confusion.add(actual: 0, predicted: 2, count: 2)
        slice.classification.confusion.add(actual: 2, predicted: 0, count: 1)
        slice.classification.confusion.add(actual: 1, predicted: 1, count: 9)
        let matrix = Costs.matrix(["stay": ["leave": 3], "leave": ["stay": 20]])
        #expect(matrix.realised(slice, classes: ["stay", "downgrade", "leave"], positive: "1") == 26.0)
        var e = EstimatedCounts()
        e.recordMulticlass(predicted: 0, probabilities: [0.5, 0.2, 0.3])  // expected (leave, stay) 0.3
        #expect(abs(matrix.expected(e, classes: ["stay", "downgrade", "leave"], positive: "1")! - 0.3 * 20) < 1e-12)
        var r = PerformanceSlice()
        r.regression.record(actual: 10, predicted: 12)
        r.regression.record(actual: 5, predicted: 4)
        #expect(Costs.absoluteError(0.5).realised(r, classes: [], positive: "1") == 1.5)
    }
}
