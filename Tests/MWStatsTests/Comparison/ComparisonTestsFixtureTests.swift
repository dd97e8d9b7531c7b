// SPDX-License-Identifier: Apache-2.0
// The canary tests against statsmodels and scipy on fixed data (Tests/Fixtures/comparison.json,
// written by make_comparison_fixtures.py).

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

@Suite struct ComparisonTestsFixtureTests {
    nonisolated(unsafe) static let root = Fixtures.jsonObject("comparison.json")  // read-only after load

    static func cases(_ key: String) -> [[String: Double]] {
        (root[key] as? [[String: NSNumber]] ?? []).map { $0.mapValues(\.doubleValue) }
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test func proportionsAsStatsmodels() throws {
        let cases = Self.cases("proportions")
        #expect(cases.count >= 8)
        for c in cases {
            let d = try #require(ComparisonTests.proportions(c["x1"]!, c["n1"]!, c["x2"]!, c["n2"]!))
            let at = "\(c)"
            #expect(Self.close(d.statistic, c["z"]!), "z \(at)")
            #expect(Self.close(d.pValue, c["p"]!), "p \(at): \(d.pValue)")
            #expect(Self.close(d.low, c["low"]!), "low \(at): \(d.low)")
            #expect(Self.close(d.high, c["high"]!), "high \(at): \(d.high)")
        }
        #expect(ComparisonTests.proportions(10, 10, 5, 5) == nil, "both perfect: no variance, no test")
        #expect(ComparisonTests.proportions(1, 0, 5, 5) == nil)
    }

    @Test func welchAsScipy() throws {
        let cases = Self.cases("welch")
        #expect(cases.count >= 5)
        for c in cases {
            let d = try #require(ComparisonTests.welch(mean1: c["mean1"]!, sumSquares1: c["ss1"]!, n1: c["n1"]!,
                                                      mean2: c["mean2"]!, sumSquares2: c["ss2"]!, n2: c["n2"]!))
            let at = "n \(c["n1"]!)/\(c["n2"]!)"
            #expect(Self.close(d.statistic, c["t"]!, 1e-7), "t \(at): \(d.statistic) vs \(c["t"]!)")
            #expect(Self.close(d.pValue, c["p"]!, 1e-7), "p \(at): \(d.pValue) vs \(c["p"]!)")
            #expect(Self.close(d.low, c["low"]!, 1e-7), "low \(at): \(d.low) vs \(c["low"]!)")
            #expect(Self.close(d.high, c["high"]!, 1e-7), "high \(at): \(d.high) vs \(c["high"]!)")
        }
    }

    @Test func studentQuantilesAsScipy() {
        for c in Self.cases("t_quantiles") {
            #expect(Self.close(ComparisonTests.studentTQuantile975(c["df"]!), c["q"]!, 1e-8), "df \(c["df"]!)")
        }
    }

    @Test func hanleyMcNeilAsThePaper() throws {
        for c in Self.cases("auc") {
            let d = try #require(ComparisonTests.rocAUC(c["auc1"]!, positives1: c["pos1"]!, negatives1: c["neg1"]!,
                                                       c["auc2"]!, positives2: c["pos2"]!, negatives2: c["neg2"]!))
            #expect(Self.close(d.statistic, c["z"]!) && Self.close(d.pValue, c["p"]!) && Self.close(d.low, c["low"]!)
                    && Self.close(d.high, c["high"]!), "\(c)")
        }
    }
}
