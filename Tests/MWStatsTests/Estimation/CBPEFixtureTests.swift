// SPDX-License-Identifier: Apache-2.0
// Estimated performance against NannyML's CBPE on the same reference and chunks
// (Tests/Fixtures/cbpe.json, written by make_cbpe_fixtures.py).

import Foundation
import Testing
@testable import MWStats

struct CBPECase: CustomTestStringConvertible, Sendable {
    let name: String
    let binary: Bool
    let classes: [String]
    let chunkSize: Int
    let calibrated: [Bool]
    let referenceScores: [[Double]]  // binary: [score]
    let referenceLabels: [Int]
    let analysisScores: [[Double]]
    let analysisPredictions: [Int]
    let chunks: [[String: Double]]
    /// NannyML's estimates per chunk with calibration off.
    let uncalibratedChunks: [[String: Double]]
    var testDescription: String { name }

    static func load() -> [CBPECase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/cbpe.json")
        guard let data = try? Data(contentsOf: url),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return (root["cases"] as! [[String: Any]]).map { c in
            let binary = c["task"] as! String == "binary"
            let classes = binary ? ["0", "1"] : c["classes"] as! [String]
            let reference = c["reference"] as! [String: Any], analysis = c["analysis"] as! [String: Any]
            func scores(_ part: [String: Any]) -> [[Double]] {
                binary ? (part["score"] as! [NSNumber]).map { [$0.doubleValue] }
                    : (part["scores"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            }
            func classIndices(_ values: [Any]) -> [Int] {
                values.map { v in binary ? (v as! NSNumber).intValue : classes.firstIndex(of: v as! String)! }
            }
            return CBPECase(name: c["name"] as! String, binary: binary, classes: classes, chunkSize: c["chunk_size"] as! Int,
                            calibrated: c["calibrated"] as! [Bool], referenceScores: scores(reference),
                            referenceLabels: classIndices(reference["label"] as! [Any]), analysisScores: scores(analysis),
                            analysisPredictions: classIndices(analysis["prediction"] as! [Any]),
                            chunks: (c["chunks"] as! [[String: Any]]).map { $0.compactMapValues { ($0 as? NSNumber)?.doubleValue } },
                            uncalibratedChunks: (c["chunks"] as! [[String: Any]]).map {
                                ($0["uncalibrated"] as! [String: NSNumber]).mapValues(\.doubleValue)
                            })
        }
    }

    /// The calibration fitted as ModelState fits it from a reference.
    var calibration: ScoreCalibration {
        let fitted = (binary ? [1] : Array(classes.indices)).map { k in
            ScoreCalibration.fitClass(scores: referenceScores.map { $0[binary ? 0 : k] },
                                      outcomes: referenceLabels.map { $0 == k ? 1 : 0 })
        }
        return ScoreCalibration(classNames: binary ? ["1"] : classes, calibrators: fitted, binary: binary, rows: referenceLabels.count)
    }
}

@Suite struct CBPEFixtureTests {
    static let cases = CBPECase.load()

    @Test func fixtureFileIsPresent() { #expect(Self.cases.count >= 5) }

    /// Where the scores are already calibrated, whether isotonic calibration lowers the
    /// held-out error is a toss-up that NannyML settles with a random split and modelwatch with
    /// a fixed one; the estimates are compared under the decision modelwatch took (NannyML's
    /// own estimates with calibration off are in the fixture). Everywhere else they agree.
    static let borderline: Set<String> = ["binary_calibrated"]

    @Test(arguments: cases)
    func calibrationDecisionMatchesNannyML(_ fixture: CBPECase) {
        let decided = fixture.calibration.calibrators.map { $0 != nil }
        if Self.borderline.contains(fixture.name) {
            #expect(decided == [false], "the calibrated scores are left as they are here")
        } else {
            #expect(decided == fixture.calibrated)
        }
    }

    @Test(arguments: cases)
    func estimatesWithinOneHundredthOfNannyML(_ fixture: CBPECase) {
        let calibration = fixture.calibration
        let sameDecision = calibration.calibrators.map { $0 != nil } == fixture.calibrated
        let uncalibrated = calibration.calibrators.allSatisfy { $0 == nil }
        #expect(sameDecision || uncalibrated, "compared against NannyML's estimates under the same calibration")
        for (i, expected) in (sameDecision ? fixture.chunks : fixture.uncalibratedChunks).enumerated() {
            var counts = EstimatedCounts()
            for row in (i * fixture.chunkSize)..<((i + 1) * fixture.chunkSize) {
                let predicted = fixture.analysisPredictions[row]
                if fixture.binary {
                    counts.recordBinary(predicted: predicted, positive: 1, negative: 0,
                                        probability: calibration.probability(score: fixture.analysisScores[row][0]))
                } else {
                    counts.recordMulticlass(predicted: predicted, probabilities: calibration.probabilities(fixture.analysisScores[row]))
                }
            }
            let m = EstimatedMetrics(counts)!
            let positive = m.perClass.first { $0.classIndex == 1 }!
            let got: [String: Double] = [
                "accuracy": m.accuracy,
                "precision": fixture.binary ? positive.precision : m.precisionMacro,
                "recall": fixture.binary ? positive.recall : m.recallMacro,
                "f1": fixture.binary ? positive.f1 : m.f1Macro,
                "roc_auc": m.rocAUC ?? .nan,
            ]
            for metric in ["accuracy", "precision", "recall", "f1", "roc_auc"] {
                let want = expected[metric]!, have = got[metric]!
                #expect(abs(have - want) < 0.01, "chunk \(i) \(metric): \(have) against NannyML's \(want)")
            }
        }
    }

    /// How far from NannyML, for docs/label-lag.md (printed, not asserted beyond the test above).
    @Test func reportLargestDifference() {
        var worst: [String: Double] = [:]
        for fixture in Self.cases {
            let calibration = fixture.calibration
            let same = calibration.calibrators.map { $0 != nil } == fixture.calibrated
            for (i, expected) in (same ? fixture.chunks : fixture.uncalibratedChunks).enumerated() {
                var counts = EstimatedCounts()
                for row in (i * fixture.chunkSize)..<((i + 1) * fixture.chunkSize) {
                    if fixture.binary {
                        counts.recordBinary(predicted: fixture.analysisPredictions[row], positive: 1, negative: 0,
                                            probability: calibration.probability(score: fixture.analysisScores[row][0]))
                    } else {
                        counts.recordMulticlass(predicted: fixture.analysisPredictions[row],
                                                probabilities: calibration.probabilities(fixture.analysisScores[row]))
                    }
                }
                let m = EstimatedMetrics(counts)!
                let key = fixture.binary ? "binary" : "multiclass"
                worst["\(key) accuracy", default: 0] = max(worst["\(key) accuracy", default: 0], abs(m.accuracy - expected["accuracy"]!))
                worst["\(key) roc_auc", default: 0] = max(worst["\(key) roc_auc", default: 0], abs((m.rocAUC ?? 0) - expected["roc_auc"]!))
                let positive = m.perClass.first { $0.classIndex == 1 }!
                for (name, value) in [("f1", fixture.binary ? positive.f1 : m.f1Macro),
                                      ("precision", fixture.binary ? positive.precision : m.precisionMacro),
                                      ("recall", fixture.binary ? positive.recall : m.recallMacro)] {
                    worst["\(key) \(name)", default: 0] = max(worst["\(key) \(name)", default: 0], abs(value - expected[name]!))
                }
            }
        }
        print("CBPE largest differences from NannyML:", worst.sorted { $0.key < $1.key })
        #expect(!worst.isEmpty)
    }
}
