// SPDX-License-Identifier: Apache-2.0
// Replays the event streams of Tests/Fixtures/performance.json through ModelState and compares
// every window's metrics with scikit-learn's (make_performance_fixtures.py made the file).

import Foundation
import Testing
@testable import MWStats

/// One case of the fixture file.
struct FixtureCase: CustomTestStringConvertible, Sendable {
    let name: String
    let raw: [String: any Sendable]
    var testDescription: String { name }

    static func load() throws -> [FixtureCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/performance.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map {
            FixtureCase(name: $0["name"] as! String, raw: $0.mapValues { FixtureCase.sendable($0) })
        }
    }

    // JSONSerialization hands back Any; the values are plist types, which are Sendable in practice.
    private static func sendable(_ value: Any) -> any Sendable { value as! (any Sendable) }
}

func fixtureTarget(_ raw: Any) -> TargetValue {
    let d = raw as! [String: Any]
    if let s = d["s"] as? String { return .string(s) }
    if let b = d["b"] as? Bool, d["n"] == nil { return .bool(b) }
    return .number((d["n"] as! NSNumber).doubleValue)
}

@Suite struct ScikitLearnFixtureTests {
    static let cases: [FixtureCase] = (try? FixtureCase.load()) ?? []

    @Test func fixtureFileIsPresent() {
        #expect(Self.cases.count >= 10, "Tests/Fixtures/performance.json is missing or empty")
    }

    @Test(arguments: cases)
    func windowsMatchScikitLearn(_ fixture: FixtureCase) throws {
        let raw = fixture.raw
        var options = ModelOptions()
        options.task = ModelTask(rawValue: raw["task"] as! String)
        options.positiveClass = raw["positive_class"] as? String
        options.minSamples = raw["min_samples"] as! Int
        options.windows = [WindowSpec(name: "5m", seconds: 300), WindowSpec(name: "1h", seconds: 3600)]
        let extra = raw["options"] as! [String: Any]
        if let ttl = extra["label_ttl"] as? Double { options.labelTTL = ttl }
        if let grace = extra["label_grace"] as? Double { options.labelGrace = grace }
        if let maxPending = extra["max_pending"] as? Int { options.maxPending = maxPending }
        var state = ModelState(name: fixture.name, options: options, key: FingerprintKey(k0: 1, k1: 2))

        for case let event as [String: Any] in raw["events"] as! [Any] {
            let t = event["t"] as! Double
            let id = event["id"] as! String
            if event["kind"] as! String == "prediction" {
                var p = PredictionEvent()
                p.id = id
                p.prediction = fixtureTarget(event["prediction"]!)
                p.score = event["score"] as? Double
                p.scores = (event["scores"] as? [[Any]])?.map { ClassScore(className: $0[0] as! String, probability: $0[1] as! Double) }
                let result = state.ingest(predictions: [(0, p)], now: t)
                #expect(result.errors.isEmpty, "\(result.errors)")
            } else {
                let result = state.ingest(labels: [(0, LabelEvent(id: id, label: fixtureTarget(event["label"]!)))], now: t)
                #expect(result.errors.isEmpty, "\(result.errors)")
            }
        }

        let report = state.report(now: raw["now"] as! Double)
        let counts = raw["counts"] as! [String: Int]
        let version = try #require(report.versions.first)
        #expect(version.predictions == UInt64(counts["predictions"]!))
        #expect(version.duplicatePredictions == UInt64(counts["duplicate_predictions"]!))
        #expect(version.labels.matched == UInt64(counts["matched"]!))
        #expect(version.labels.unmatched == UInt64(counts["unmatched"]!))
        #expect(version.labels.duplicate == UInt64(counts["duplicate"]!))
        #expect(version.labels.expired == UInt64(counts["expired"]!))
        #expect(version.pendingLabels == counts["pending"]!)

        let expected = raw["expected"] as! [String: Any]
        for window in version.windows {
            let want = expected[window.window.name]
            guard let want = want as? [String: Any] else {
                #expect(window.performance.classification == nil && window.performance.regression == nil, "\(window.window.name) should report nothing")
                continue
            }
            #expect(window.performance.outcomes == UInt64(want["outcomes"] as! Int), "\(window.window.name) outcomes")
            if options.task == .regression {
                let m = try #require(window.performance.regression)
                close(m.mae, want["mae"], "mae")
                close(m.rmse, want["rmse"], "rmse")
                close(m.mape, want["mape"], "mape")
                close(m.r2, want["r2"], "r2")
            } else {
                let m = try #require(window.performance.classification, "\(window.window.name) classification")
                close(m.accuracy, want["accuracy"], "accuracy")
                close(m.precisionMacro, want["precision_macro"], "precision_macro")
                close(m.recallMacro, want["recall_macro"], "recall_macro")
                close(m.f1Macro, want["f1_macro"], "f1_macro")
                close(m.f1Weighted, want["f1_weighted"], "f1_weighted")
                close(m.logLoss, want["log_loss"], "log_loss")
                close(m.brierScore, want["brier"], "brier")
                close(m.rocAUC, want["roc_auc"], "roc_auc", tolerance: 0.002)
                let precision = want["precision"] as! [String: Double]
                let recall = want["recall"] as! [String: Double]
                let f1 = want["f1"] as! [String: Double]
                #expect(Set(m.perClass.map { report.classNames[$0.classIndex] }) == Set(precision.keys))
                for c in m.perClass {
                    let name = report.classNames[c.classIndex]
                    close(c.precision, precision[name], "precision[\(name)]")
                    close(c.recall, recall[name], "recall[\(name)]")
                    close(c.f1, f1[name], "f1[\(name)]")
                }
            }
        }
    }

    private func close(_ actual: Double?, _ expected: Any?, _ what: String, tolerance: Double = 1e-9,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let want = expected as? Double
        guard let want else {
            #expect(actual == nil, "\(what): expected no value, got \(String(describing: actual))", sourceLocation: sourceLocation)
            return
        }
        guard let actual else {
            Issue.record("\(what): expected \(want), got nothing", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(actual - want) <= tolerance, "\(what): \(actual) vs scikit-learn \(want)", sourceLocation: sourceLocation)
    }
}
