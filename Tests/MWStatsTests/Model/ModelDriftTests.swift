// SPDX-License-Identifier: Apache-2.0
// Drift, data quality and concept drift through ModelState: references, windows, decisions.

import Foundation
import Testing
@testable import MWStats

@Suite struct ModelDriftTests {
    private func model(_ configure: (inout ModelOptions) -> Void = { _ in }) -> ModelState {
        var o = ModelOptions()
        configure(&o)
        return ModelState(name: "m", options: o, key: FingerprintKey(k0: 1, k1: 2))
    }

    private func row(_ features: [String: FeatureValue], prediction: TargetValue? = .number(2.5), score: Double? = nil,
                     label: TargetValue? = nil, id: String? = nil) -> PredictionEvent {
        var e = PredictionEvent()
        e.id = id
        e.features = Features(features.sorted { $0.key < $1.key }.map { Feature(name: $0.key, value: $0.value) })
        e.prediction = prediction
        e.score = score
        e.label = label
        return e
    }

    private func reference(_ rows: [PredictionEvent], for state: ModelState) throws -> ModelReference {
        var b = ReferenceBuilder()
        for r in rows { b.add(r) }
        return try b.build(task: state.task, options: state.options, strict: true)
    }

    private func feature(_ report: ModelReport, _ name: String, window: Int = 0, version: Int = 0) -> ColumnDriftReport? {
        report.versions[version].windows[window].drift.features.first { $0.name == name }
    }

    private func value(_ any: Any) -> FeatureValue {
        switch any {
        case let n as NSNumber: .number(n.doubleValue)
        case let s as String: .category(s)
        default: .missing
        }
    }

    /// The scipy fixtures again, this time through the whole model: reference rows, prediction
    /// events with the values (nulls included), the report's window.
    @Test(arguments: ScipyDriftFixtureTests.cases)
    func fixturesThroughTheModel(_ fixture: DriftCase) throws {
        let c = fixture.object
        let want = c["expected"] as! [String: Any]
        var state = model()
        state.install(reference: try reference((c["reference"] as! [Any]).map { row(["x": value($0)]) }, for: state))
        let events = (c["window"] as! [Any]).enumerated().map { (i, v) in (i, row(["x": value(v)])) }
        let result = state.ingest(predictions: events, now: 1000)
        #expect(result.accepted == events.count)
        let report = state.report(now: 1000)
        let x = try #require(feature(report, "x"))
        #expect(abs(try #require(x.missingRatio) - (want["missing_ratio"] as! Double)) < 1e-12)
        #expect(abs(x.scores.first { $0.method == "psi" }!.score - (want["psi"] as! Double)) < 1e-6)
        #expect(abs(x.scores.first { $0.method == "jensenshannon" }!.score - (want["jensenshannon"] as! Double)) < 1e-6)
        let enough = Int(x.present) >= state.options.minSamples
        if c["type"] as! String == "numeric" {
            let n = try #require(x.numeric)
            #expect(abs(n.ksStatistic - (want["ks_statistic"] as! Double)) <= 0.01)
            #expect(abs(try #require(x.mean) - (want["mean"] as! Double)) < 1e-9)
            #expect(abs(n.outOfRangeRatio - (want["out_of_range_ratio"] as! Double)) < 1e-12)
            // The auto rule on scipy's own values must agree with the model's decision.
            let referenceRows = (c["reference"] as! [Any]).count
            if enough {
                let expected: Bool
                if referenceRows <= 1000 {
                    expected = (want["ks_p_value"] as! Double) < 0.05
                    #expect(x.method == .ks)
                } else if let w = want["wasserstein"] as? Double {
                    expected = w > 0.1
                    #expect(x.method == .wasserstein)
                } else {
                    expected = (want["jensenshannon"] as! Double) > 0.1
                }
                #expect(x.drifted == expected, "\(fixture.name): \(String(describing: x.method))")
            } else {
                #expect(x.drifted == nil, "below min_samples values: no verdict")
            }
        } else {
            let k = try #require(x.categorical)
            #expect(abs(k.unseenRatio - (want["unseen_ratio"] as! Double)) < 1e-12)
            if let chi = want["chi2"] as? Double {
                #expect(abs(try #require(k.chiSquare) - chi) < 1e-6 * max(1, chi))
            }
            if (c["reference"] as! [Any]).count <= 1000, let p = want["chi2_p_value"] as? Double {
                #expect(x.method == .chi2)
                #expect(x.drifted == (p < 0.05))
            } else {
                #expect(x.method == .jensenshannon)
                #expect(x.drifted == ((want["jensenshannon"] as! Double) > 0.1))
            }
        }
    }

    @Test func replacingTheReferenceWhileTrafficFlowsStartsCountingAfresh() throws {
        var state = model()
        let normal = (0..<1000).map { i in row(["x": .number(Double(i % 100))]) }
        let shifted = (0..<1000).map { i in row(["x": .number(Double(i % 100) + 500)]) }
        state.install(reference: try reference(normal, for: state))
        _ = state.ingest(predictions: normal.prefix(300).enumerated().map { ($0, $1) }, now: 1000)
        var x = try #require(feature(state.report(now: 1000), "x"))
        #expect(x.drifted == false)
        #expect(x.numeric?.count == 300)

        // The new reference: older slices no longer count for drift, but still for the mean.
        state.install(reference: try reference(shifted, for: state))
        #expect(state.referenceGeneration == 1)
        x = try #require(feature(state.report(now: 1000), "x"))
        #expect(x.numeric == nil && x.drifted == nil)
        #expect(x.present == 300 && x.missingRatio == 0)

        _ = state.ingest(predictions: normal.prefix(100).enumerated().map { ($0, $1) }, now: 1001)
        x = try #require(feature(state.report(now: 1001), "x"))
        #expect(x.numeric?.count == 100, "only values counted against the new reference")
        #expect(x.drifted == true)
        #expect(x.numeric?.outOfRangeRatio == 1)
        _ = state.ingest(predictions: shifted.prefix(900).enumerated().map { ($0, $1) }, now: 1002)
        x = try #require(feature(state.report(now: 1002), "x"))
        #expect(x.numeric?.count == 1000 && abs(x.numeric!.outOfRangeRatio - 0.1) < 1e-12)
    }

    @Test func firstEventsBecomeTheReference() throws {
        var state = model { $0.reference = .first(events: 100) }
        let events = (0..<150).map { i in (i, row(["x": .number(Double(i % 50)), "c": .category(i % 2 == 0 ? "a" : "b")])) }
        _ = state.ingest(predictions: Array(events.prefix(99)), now: 10)
        #expect(state.referenceStatus.installed == false && state.referenceStatus.collected == 99)
        _ = state.ingest(predictions: Array(events[99..<150]), now: 10)
        #expect(state.referenceStatus.installed && state.referenceRows == 100)
        let report = state.report(now: 10)
        let x = try #require(feature(report, "x"))
        #expect(x.numeric?.count == 50, "values after the reference was complete")
        #expect(x.drifted == false)
        #expect(feature(report, "c")?.categorical?.unseenRatio == 0)
        // The prediction column has a reference too (regression: the value).
        #expect(report.versions[0].windows[0].drift.prediction?.numeric != nil)
    }

    @Test func missingAbsentAndMistypedValuesCountAsMissing() throws {
        var state = model()
        let events: [(Int, PredictionEvent)] = [
            (0, row(["x": .number(1), "c": .category("a")])),
            (1, row(["x": .missing, "c": .category("b")])),
            (2, row(["c": .category("a")])),
            (3, row(["x": .category("oops")])),
        ]
        _ = state.ingest(predictions: events, now: 5)
        let report = state.report(now: 5)
        #expect(feature(report, "x")?.missingRatio == 0.75)
        #expect(feature(report, "x")?.type == .numeric)
        #expect(feature(report, "x")?.mean == 1)
        #expect(feature(report, "c")?.missingRatio == 0.25)
        #expect(feature(report, "c")?.mean == nil)
    }

    @Test func declaredTypesAndFixedBins() throws {
        var state = model {
            $0.features = ["zip": FeatureSettings(type: .categorical), "amount": FeatureSettings(type: .numeric, bins: [10, 100, 1000])]
        }
        let rows = (0..<200).map { i in row(["zip": .number(Double(75000 + i % 5)), "amount": .number(Double(i * 7))]) }
        let ref = try reference(rows, for: state)
        guard case .categorical(let zip)? = ref.features["zip"] else { Issue.record("zip is not categorical"); return }
        #expect(zip.categories.contains("75003"))
        guard case .numeric(let amount)? = ref.features["amount"] else { Issue.record("amount is not numeric"); return }
        #expect(amount.psiBinLabels == ["(-Inf,10)", "[10,100)", "[100,1000)", "[1000,+Inf)"])
        state.install(reference: ref)
        _ = state.ingest(predictions: [(0, row(["zip": .category("75001"), "amount": .number(50)])),
                                       (1, row(["zip": .category("99999"), "amount": .number(100)]))], now: 1)
        let report = state.report(now: 1)
        let bins = try #require(report.versions[0].featureBins.first { $0.feature == "amount" })
        #expect(bins.bins.map(\.count) == [0, 1, 1, 0])
        let zipBins = try #require(report.versions[0].featureBins.first { $0.feature == "zip" })
        #expect(zipBins.bins.last! == ("__other__", 1))
        #expect(feature(report, "zip")?.categorical?.unseenRatio == 0.5)
        // The reference side of PSI, in the same bins: amount 0, 7, …, 1393 → 2, 13, 128, 57 of 200.
        let ratios = try #require(report.referenceBins.first { $0.feature == "amount" })
        #expect(ratios.bins.map(\.bin) == bins.bins.map(\.bin))
        #expect(ratios.bins.map(\.ratio) == [2, 13, 128, 57].map { $0 / 200.0 })
        // A version whose events never carried a feature still exports its bins, from 0.
        var other = row(["zip": .category("75001")])
        other.version = "v2"
        _ = state.ingest(predictions: [(0, other)], now: 2)
        let v2 = try #require(state.report(now: 2).versions.first { $0.name == "v2" })
        #expect(v2.featureBins.first { $0.feature == "amount" }?.bins.map(\.count) == [0, 0, 0, 0])

        // A strict build refuses a string for a declared numeric feature, naming it.
        #expect(throws: ReferenceError.self) {
            try reference([row(["amount": .category("lots")])], for: state)
        }
    }

    @Test func featuresBeyondTheLimitAreCountedNotTracked() {
        var state = model { $0.maxFeatures = 2 }
        _ = state.ingest(predictions: [(0, row(["a": .number(1), "b": .number(2), "c": .number(3)]))], now: 1)
        let report = state.report(now: 1)
        #expect(report.versions[0].windows[0].drift.features.map(\.name).sorted() == ["a", "b"])
        #expect(report.untrackedFeatureValues == 1)
    }

    @Test func driftedShareCountsInputFeaturesOnly() throws {
        var state = model()
        let rows = (0..<500).map { i in row(["a": .number(Double(i % 100)), "b": .number(Double(i % 100))]) }
        state.install(reference: try reference(rows, for: state))
        let live = (0..<200).map { i in (i, row(["a": .number(Double(i % 100)), "b": .number(Double(i % 100) + 80)])) }
        _ = state.ingest(predictions: live, now: 1)
        let drift = state.report(now: 1).versions[0].windows[0].drift
        #expect(drift.features.first?.name == "b", "worst first")
        #expect(drift.driftedShare == 0.5 && drift.dataDrift == true)
    }

    @Test func binaryPredictionDriftUsesTheScoreAndLabelDriftCountsAtLabelTime() throws {
        var state = model { $0.task = .binary }
        var rows: [PredictionEvent] = []
        for i in 0..<400 {
            let parity = Double(i % 2)
            rows.append(row([:], prediction: .number(parity), score: Double(i % 100) / 100, label: .number(parity)))
        }
        state.install(reference: try reference(rows, for: state))
        var live: [(Int, PredictionEvent)] = []
        for i in 0..<100 { live.append((i, row([:], prediction: .number(1), score: 0.9 + Double(i % 10) / 100, id: "p\(i)"))) }
        _ = state.ingest(predictions: live, now: 1)
        var report = state.report(now: 1)
        let prediction = try #require(report.versions[0].windows[0].drift.prediction)
        #expect(prediction.type == .numeric && prediction.drifted == true)
        #expect(report.versions[0].windows[0].drift.label?.present ?? 0 == 0)
        _ = state.ingest(labels: (0..<100).map { ($0, LabelEvent(id: "p\($0)", label: .number(1))) }, now: 2)
        report = state.report(now: 2)
        let label = try #require(report.versions[0].windows[0].drift.label)
        #expect(label.present == 100 && label.type == .categorical)
        #expect(label.drifted == true, "all labels are 1 against a 50/50 reference")
    }

    @Test func detectorsRunOnTheOutcomeStreamInLabelOrder() {
        var state = model { $0.task = .binary }
        var direct = DDM()
        var detections = 0
        var n = 0
        for i in 0..<3000 {
            let wrong = i >= 1500 ? i % 2 == 0 : i % 10 == 0
            _ = state.ingest(predictions: [(0, row([:], prediction: .number(1), id: "e\(i)"))], now: 1)
            _ = state.ingest(labels: [(0, LabelEvent(id: "e\(i)", label: .number(wrong ? 0 : 1)))], now: 2)
            if direct.update(wrong ? 1 : 0) { detections += 1 }
            n += 1
        }
        let detectors = state.report(now: 2).versions[0].detectors
        #expect(detectors.map(\.name) == ["ddm", "page_hinkley", "adwin"])
        #expect(detections >= 1)
        #expect(detectors[0].detections == UInt64(detections))
        #expect(detectors[2].detections >= 1, "ADWIN sees the error rate jump")

        var regression = model { $0.task = .regression }
        _ = regression.ingest(predictions: [(0, row([:], prediction: .number(3), id: "r"))], now: 1)
        _ = regression.ingest(labels: [(0, LabelEvent(id: "r", label: .number(5)))], now: 1)
        #expect(regression.report(now: 1).versions[0].detectors.map(\.name) == ["page_hinkley", "adwin"])
    }
}
