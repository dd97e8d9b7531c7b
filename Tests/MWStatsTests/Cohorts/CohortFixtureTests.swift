// SPDX-License-Identifier: Apache-2.0
// Cohort metrics against scikit-learn on the same outcomes grouped by prediction time, with an
// injected clock across slice boundaries and TTL expiry (Tests/Fixtures/cohorts.json, written
// by make_cohort_fixtures.py).

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

struct CohortCase: CustomTestStringConvertible, Sendable {
    let name: String
    let events: [[String: any Sendable]]
    let reads: [(now: Double, cohorts: [String: [String: Double]])]
    var testDescription: String { name }

    nonisolated(unsafe) static let root = Fixtures.jsonObject("cohorts.json")  // read-only after load

    static func load() -> [CohortCase] {
        guard let cases = root["cases"] as? [[String: Any]] else { return [] }
        return cases.map { c in
            CohortCase(name: c["name"] as! String,
                       events: (c["events"] as! [[String: Any]]).map { e in e.mapValues { v -> any Sendable in
                           if let s = v as? String { return s }
                           return (v as! NSNumber).doubleValue
                       } },
                       reads: (c["reads"] as! [[String: Any]]).map { r in
                           ((r["now"] as! NSNumber).doubleValue,
                            (r["cohorts"] as! [String: [String: NSNumber]]).mapValues { $0.mapValues(\.doubleValue) })
                       })
        }
    }

    static var options: ModelOptions {
        var o = ModelOptions()
        o.task = .binary
        o.minSamples = 1
        o.cohortSlice = (root["slice"] as? NSNumber)?.doubleValue ?? 100
        o.labelTTL = (root["ttl"] as? NSNumber)?.doubleValue ?? 250
        o.cohorts = ((root["cohorts"] as? [[Any]]) ?? []).map {
            CohortSpec(name: $0[0] as! String, lower: ($0[1] as! NSNumber).doubleValue, upper: ($0[2] as! NSNumber).doubleValue)
        }
        return o
    }
}

@Suite struct CohortFixtureTests {
    static let cases = CohortCase.load()

    @Test func fixtureFileIsPresent() { #expect(Self.cases.count >= 3 && CohortCase.options.cohorts.count == 3) }

    @Test(arguments: cases)
    func cohortsMatchScikitLearn(_ fixture: CohortCase) {
        var state = ModelState(name: "m", options: CohortCase.options, key: FingerprintKey(k0: 1, k1: 2))
        var next = 0
        for read in fixture.reads {
            while next < fixture.events.count, let t = fixture.events[next]["t"] as? Double, t <= read.now {
                let e = fixture.events[next]
                if e["kind"] as? String == "prediction" {
                    var p = PredictionEvent()
                    p.id = e["id"] as? String
                    p.timestamp = e["timestamp"] as? Double
                    p.prediction = .number(e["prediction"] as! Double)
                    p.score = e["score"] as? Double
                    _ = state.ingest(predictions: [(0, p)], now: t)
                } else {
                    _ = state.ingest(labels: [(0, LabelEvent(id: e["id"] as! String, label: .number(e["label"] as! Double)))], now: t)
                }
                next += 1
            }
            let report = state.report(now: read.now)
            let cohorts = Dictionary(uniqueKeysWithValues: (report.versions.first?.cohorts ?? []).map { ($0.name, $0) })
            for (name, expected) in read.cohorts {
                let got = cohorts[name]
                let at = "\(fixture.name) at \(read.now), cohort \(name)"
                #expect(Double(got?.performance.predictions ?? 0) == expected["predictions"], "\(at): predictions")
                #expect(Double(got?.performance.labelled ?? 0) == expected["labelled"], "\(at): labelled")
                guard let accuracy = expected["accuracy"] else {
                    #expect(got?.performance.classification == nil, "\(at): no outcomes, no metrics")
                    continue
                }
                guard let c = got?.performance.classification else {
                    Issue.record("\(at): no metrics")
                    continue
                }
                let positive = c.perClass.first { report.classNames[$0.classIndex] == "1" }
                #expect(abs(c.accuracy - accuracy) < 1e-12, "\(at): accuracy")
                #expect(abs((positive?.precision ?? 0) - expected["precision"]!) < 1e-12, "\(at): precision")
                #expect(abs((positive?.recall ?? 0) - expected["recall"]!) < 1e-12, "\(at): recall")
                #expect(abs((positive?.f1 ?? 0) - expected["f1"]!) < 1e-12, "\(at): f1")
                if let auc = expected["roc_auc"] { #expect(abs((c.rocAUC ?? -1) - auc) < 0.002, "\(at): roc_auc") }
            }
        }
    }
}
