// SPDX-License-Identifier: Apache-2.0
// Drift statistics from reference summaries and window sketches against scipy's values on the
// raw data (Tests/Fixtures/drift.json, written by make_drift_fixtures.py).

import Foundation
import Testing
@testable import MWStats

struct DriftCase: CustomTestStringConvertible, Sendable {
    let name: String
    let json: String
    var testDescription: String { name }

    var object: [String: Any] { try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any] }

    static func load() -> [DriftCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/drift.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return (root["cases"] as! [[String: Any]]).map {
            DriftCase(name: $0["name"] as! String,
                      json: String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self))
        }
    }
}

@Suite struct ScipyDriftFixtureTests {
    static let cases = DriftCase.load()

    @Test func fixtureFileIsPresent() { #expect(Self.cases.count >= 14) }

    @Test(arguments: cases)
    func matchesScipy(_ fixture: DriftCase) throws {
        let c = fixture.object
        let want = c["expected"] as! [String: Any]
        let window = c["window"] as! [Any]
        let missing = Double(window.filter { $0 is NSNull }.count) / Double(window.count)
        #expect(abs(missing - (want["missing_ratio"] as! Double)) < 1e-12)

        if c["type"] as! String == "numeric" {
            let reference = NumericReference(values: (c["reference"] as! [NSNumber]).map(\.doubleValue))
            var sketch = FeatureSketch()
            for case let v as NSNumber in window {
                let x = v.doubleValue
                let (cell, offset) = reference.locate(x)
                sketch.add(cell: cell, offset: offset, value: x, generation: 0, cellCount: reference.cellCount)
            }
            let cells = try #require(sketch.cells(generation: 0, cellCount: reference.cellCount))
            let d = try #require(DriftStatistics.numeric(reference, cells: cells.counts, offsets: cells.offsets,
                                                         lowSum: sketch.lowSum, highSum: sketch.highSum))
            #expect(abs(d.psi - (want["psi"] as! Double)) < 1e-6, "psi \(d.psi)")
            #expect(abs(d.jensenShannon - (want["jensenshannon"] as! Double)) < 1e-6, "js \(d.jensenShannon)")
            #expect(abs(d.ksStatistic - (want["ks_statistic"] as! Double)) <= 0.01, "ks \(d.ksStatistic)")
            #expect(d.ksStatistic <= (want["ks_statistic"] as! Double) + 1e-12, "ks is a lower bound of the exact value")
            #expect(abs(d.outOfRangeRatio - (want["out_of_range_ratio"] as! Double)) < 1e-12)
            #expect(abs(Double(sketch.sum) / Double(sketch.present) - (want["mean"] as! Double)) < 1e-9)
            if let w = want["wasserstein"] as? Double {
                let mine = try #require(d.wasserstein)
                // Within 2 %, or 0.002 reference standard deviations for near-zero distances (see docs/drift.md).
                #expect(abs(mine - w) <= max(0.02 * w, 0.002), "wasserstein \(mine) vs scipy \(w)")
            } else {
                #expect(d.wasserstein == nil)
            }
            // The p-value follows from the statistic; compare it at scipy's own statistic too.
            let p = want["ks_p_value"] as! Double
            #expect(abs(d.ksPValue - p) < 0.05 || abs(d.ksStatistic - (want["ks_statistic"] as! Double)) > 1e-9, "p \(d.ksPValue) vs \(p)")
            let nr = Double(reference.count), nw = Double(d.count)
            let en = Int((max(nr, nw) * min(nr, nw) / (nr + nw)).rounded())
            let atScipyStatistic = SpecialFunctions.kolmogorovSurvival(want["ks_statistic"] as! Double, n: en)
            #expect(abs(atScipyStatistic - p) < (en >= 30 ? 1e-4 : 6e-3), "kstwo.sf: \(atScipyStatistic) vs \(p)")
        } else {
            let reference = CategoricalReference(values: c["reference"] as! [String], limit: 1000)
            var counts = [Double](repeating: 0, count: reference.categories.count + 1)
            for case let v as String in window { counts[reference.position(of: v) ?? reference.categories.count] += 1 }
            let d = try #require(DriftStatistics.categorical(reference, counts: counts))
            #expect(abs(d.psi - (want["psi"] as! Double)) < 1e-6, "psi \(d.psi)")
            #expect(abs(d.jensenShannon - (want["jensenshannon"] as! Double)) < 1e-6)
            #expect(abs(d.unseenRatio - (want["unseen_ratio"] as! Double)) < 1e-12)
            if let chi = want["chi2"] as? Double {
                #expect(abs(try #require(d.chiSquare) - chi) < 1e-6 * max(1, chi))
                #expect(abs(try #require(d.chiSquarePValue) - (want["chi2_p_value"] as! Double)) < 1e-6)
            } else {
                #expect(d.chiSquare == nil)
            }
        }
    }

    @Test func quantilesMatchNumpy() {
        let a = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(Quantiles.linear(a, 0.1) == 1.9)
        #expect(Quantiles.linear(a, 0.5) == 5.5)
        #expect(Quantiles.linear(a, 0.9) == 9.1)
        #expect(Quantiles.linear([3], 0.7) == 3)
    }

    @Test func chiSquareSurvivalMatchesKnownValues() {
        // scipy.stats.chi2.sf
        #expect(abs(SpecialFunctions.chiSquareSurvival(3.84145882069412, degreesOfFreedom: 1) - 0.05) < 1e-10)
        #expect(abs(SpecialFunctions.chiSquareSurvival(10, degreesOfFreedom: 3) - 0.01856613546304325) < 1e-12)
        #expect(abs(SpecialFunctions.chiSquareSurvival(0.5, degreesOfFreedom: 7) - 0.9994464813904249) < 1e-12)
    }
}
