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

    @Test func thePageEscapesWhatItShows() {
        #expect(StatusPage.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
    }
}
