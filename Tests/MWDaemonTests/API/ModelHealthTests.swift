// SPDX-License-Identifier: Apache-2.0
// A model's health: which of the alerts' conditions hold now, with the model's thresholds.

import MWStats
import Testing
@testable import MWDaemon

@Suite struct ModelHealthTests {
    static let now = 1_700_000_000.0

    /// A binary model with `n` predictions, the first `labelled` of them labelled, `correct` of
    /// those right.
    static func model(predictions n: Int, labelled: Int, correct: Int, rejected: Int = 0) -> ModelReport {
        var o = ModelOptions()
        o.task = .binary
        o.minSamples = 1
        var state = ModelState(name: "m", options: o, key: FingerprintKey(k0: 1, k1: 2))
        for i in 0..<n {
            var p = PredictionEvent()
            p.id = "p\(i)"
            p.prediction = .number(1)
            _ = state.ingest(predictions: [(0, p)], now: now - 10)
        }
        let labels = (0..<labelled).map { i in (i, LabelEvent(id: "p\(i)", label: .number(i < correct ? 1 : 0))) }
        _ = state.ingest(labels: labels, now: now - 5)
        if rejected > 0 { state.countRejected(reason: RejectionReason.missingField.rawValue, count: UInt64(rejected)) }
        return state.report(now: now)
    }

    static func thresholds(_ values: [String: Double]) -> AlertThresholds {
        var t = AlertThresholds()
        for (k, v) in values {
            let known = t.set(k, v)
            #expect(known)
        }
        return t
    }

    @Test func aGoodModelIsOkAndAnEmptyOneHasNoData() {
        let good = ModelHealth(Self.model(predictions: 600, labelled: 600, correct: 570), thresholds: AlertThresholds())
        #expect(good.status == .ok && good.findings.isEmpty, "\(good.findings.map(\.message))")
        let empty = ModelHealth(Self.model(predictions: 0, labelled: 0, correct: 0), thresholds: AlertThresholds())
        #expect(empty.status == .noData)
    }

    @Test func lowAccuracyIsFoundOnlyWithEnoughOutcomes() throws {
        let poor = ModelHealth(Self.model(predictions: 600, labelled: 600, correct: 300), thresholds: AlertThresholds())
        #expect(poor.status == .degraded)
        let finding = try #require(poor.findings.first { $0.check == "accuracy" })
        #expect(finding.window == "5m" && finding.version == "default")
        #expect(finding.message == "accuracy 0.5 < 0.8 over 5m (600 outcomes)")
        // Under the model's own floor, or below min_outcomes: nothing to say.
        #expect(ModelHealth(Self.model(predictions: 600, labelled: 600, correct: 300), thresholds: Self.thresholds(["accuracy": 0.4])).status == .ok)
        let few = ModelHealth(Self.model(predictions: 50, labelled: 50, correct: 10), thresholds: AlertThresholds())
        #expect(!few.findings.contains { $0.check == "accuracy" })
    }

    @Test func lowCoverageAndManyRejectionsAreFound() throws {
        let unlabelled = ModelHealth(Self.model(predictions: 600, labelled: 100, correct: 100), thresholds: AlertThresholds())
        let coverage = try #require(unlabelled.findings.first { $0.check == "label_coverage" })
        #expect(coverage.window == "1h" && coverage.message.hasPrefix("label coverage 0.167 < 0.5 over 1h"))
        let rejecting = ModelHealth(Self.model(predictions: 600, labelled: 600, correct: 600, rejected: 100), thresholds: AlertThresholds())
        let rejected = try #require(rejecting.findings.first { $0.check == "rejected_ratio" })
        #expect(rejected.message == "100 of 1300 events rejected since start (share 0.077 > 0.05) (mostly missing_field)")
        #expect(rejecting.json["status"] as? String == "degraded")
        // Too few events to judge a share: 10 of 60 rejected is not a finding.
        let few = ModelHealth(Self.model(predictions: 25, labelled: 25, correct: 25, rejected: 10), thresholds: AlertThresholds())
        #expect(!few.findings.contains { $0.check == "rejected_ratio" })
    }

    /// A binary model with a reference of 1,000 rows (`x`, `y` uniform on [0, 1), scores around
    /// 0.3), then 600 predictions of which `shifted` features sit at 5 and scores around 0.8.
    static func drifted(shifted: [String], shiftScores: Bool) throws -> ModelReport {
        var o = ModelOptions()
        o.task = .binary
        var state = ModelState(name: "m", options: o, key: FingerprintKey(k0: 1, k1: 2))
        func event(_ i: Int, reference: Bool) -> PredictionEvent {
            var e = PredictionEvent()
            e.id = reference ? nil : "p\(i)"
            let u = Double((i * 7919) % 1000) / 1000
            e.features = Features(["x", "y"].map { name in
                Feature(name: name, value: .number(!reference && shifted.contains(name) ? 5 + u : u))
            })
            e.prediction = .number(1)
            e.score = (!reference && shiftScores ? 0.75 : 0.25) + u / 10
            return e
        }
        var b = ReferenceBuilder()
        for i in 0..<1000 { b.add(event(i, reference: true)) }
        state.install(reference: try b.build(task: state.task, options: state.options, strict: true))
        _ = state.ingest(predictions: (0..<600).map { ($0, event($0, reference: false)) }, now: now - 10)
        return state.report(now: now)
    }

    @Test func driftedInputsAndAShiftedPredictionAreFound() throws {
        let calm = ModelHealth(try Self.drifted(shifted: [], shiftScores: false), thresholds: AlertThresholds())
        #expect(!calm.findings.contains { $0.check == "drifted_features_share" || $0.check == "prediction_psi" },
                "\(calm.findings.map(\.message))")
        // One of two features drifted: at the default share of 0.5, a finding.
        let half = ModelHealth(try Self.drifted(shifted: ["y"], shiftScores: false), thresholds: AlertThresholds())
        let share = try #require(half.findings.first { $0.check == "drifted_features_share" })
        #expect(share.message.hasPrefix("1 of 2 features drifted over 5m (share 0.5 ≥ 0.5): y"), "\(share.message)")
        // The model's own threshold: 0.6 needs both.
        #expect(!ModelHealth(try Self.drifted(shifted: ["y"], shiftScores: false), thresholds: Self.thresholds(["drifted_features_share": 0.6]))
            .findings.contains { $0.check == "drifted_features_share" })
        let scores = ModelHealth(try Self.drifted(shifted: [], shiftScores: true), thresholds: AlertThresholds())
        let psi = try #require(scores.findings.first { $0.check == "prediction_psi" }, "\(scores.findings.map(\.message))")
        #expect(psi.message.hasPrefix("the prediction's PSI ") && psi.message.hasSuffix(" > 0.2 over 5m"))
    }

    @Test func aDetectorInDriftIsFound() throws {
        var o = ModelOptions()
        o.task = .binary
        o.minSamples = 1
        var state = ModelState(name: "m", options: o, key: FingerprintKey(k0: 1, k1: 2))
        // 300 right, then wrong ones until a detector is in drift.
        var found: ModelHealth.Finding?
        for i in 0..<1000 where found == nil {
            var p = PredictionEvent()
            p.id = "p\(i)"
            p.prediction = .number(1)
            _ = state.ingest(predictions: [(0, p)], now: Self.now - 10)
            _ = state.ingest(labels: [(0, LabelEvent(id: "p\(i)", label: .number(i < 300 ? 1 : 0)))], now: Self.now - 5)
            if i >= 300 {
                found = ModelHealth(state.report(now: Self.now), thresholds: AlertThresholds()).findings.first { $0.check == "concept_drift" }
            }
        }
        let finding = try #require(found)
        #expect(finding.window == nil && finding.message.contains("detects concept drift"))
    }

    @Test func thePageEscapesWhatItShows() {
        #expect(StatusPage.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
    }
}
