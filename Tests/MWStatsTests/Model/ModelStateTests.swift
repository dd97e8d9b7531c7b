// SPDX-License-Identifier: Apache-2.0
// Validation, task inference and the join rules of ModelState, with a manual clock.

import Testing
@testable import MWStats

@Suite struct ModelStateTests {
    private func model(_ configure: (inout ModelOptions) -> Void = { _ in }) -> ModelState {
        var options = ModelOptions()
        options.minSamples = 1
        configure(&options)
        return ModelState(name: "m", options: options, key: FingerprintKey(k0: 3, k1: 4))
    }

    private func prediction(_ id: String?, _ value: TargetValue, score: Double? = nil, scores: [ClassScore]? = nil,
                            label: TargetValue? = nil, version: String? = nil) -> PredictionEvent {
        var p = PredictionEvent()
        p.id = id
        p.prediction = value
        p.score = score
        p.scores = scores
        p.label = label
        p.version = version
        return p
    }

    @Test(arguments: [
        (TargetValue.bool(true), nil as Double?, false, ModelTask.binary),
        (.number(1), nil, false, .binary),
        (.number(0), 0.3, false, .binary),
        (.string("cat"), nil, false, .multiclass),
        (.string("cat"), nil, true, .multiclass),
        (.number(3), nil, false, .regression),
        (.number(12.5), nil, false, .regression),
    ])
    func taskIsInferredFromTheFirstPrediction(value: TargetValue, score: Double?, withScores: Bool, task: ModelTask) {
        var m = model()
        let scores = withScores ? [ClassScore(className: "cat", probability: 0.9)] : nil
        let result = m.ingest(predictions: [(0, prediction("a", value, score: score, scores: scores))], now: 100)
        #expect(result.accepted == 1)
        #expect(m.task == task)
    }

    @Test func binaryModelsRefuseAThirdClassAndLeaveNoTrace() {
        var m = model { $0.task = .binary }
        _ = m.ingest(predictions: [(0, prediction("a", .number(0))), (1, prediction("b", .number(1)))], now: 10)
        let result = m.ingest(predictions: [(7, prediction("c", .number(2)))], now: 11)
        #expect(result.accepted == 0)
        #expect(result.errors.map(\.index) == [7])
        #expect(result.errors.first?.rejection.reason.rawValue == "too_many_classes")
        #expect(m.classes.names == ["0", "1"])
        #expect(m.rejected["too_many_classes"] == 1)
        #expect(m.report(now: 12).versions[0].predictions == 2)
    }

    @Test func declaredClassesAreEnforced() {
        var m = model { $0.task = .multiclass; $0.classes = ["cat", "dog"] }
        let result = m.ingest(predictions: [(0, prediction("a", .string("cow"))), (1, prediction("b", .string("dog")))], now: 1)
        #expect(result.accepted == 1)
        #expect(result.errors.first?.rejection.reason.rawValue == "unknown_class")
        #expect(result.errors.first?.rejection.field == "prediction")
    }

    @Test func regressionRefusesClassesAndScores() {
        var m = model { $0.task = .regression }
        let result = m.ingest(predictions: [(0, prediction("a", .string("x"))), (1, prediction("b", .number(2), score: 0.5)),
                                            (2, prediction("c", .number(2), label: .bool(true)))], now: 1)
        #expect(result.accepted == 0)
        #expect(result.errors.map(\.rejection.field) == ["prediction", "score", "label"])
        #expect(result.errors.allSatisfy { $0.rejection.reason.rawValue == "task_mismatch" })
    }

    @Test func wrongLabelTypeIsRejectedAndThePredictionStillWaits() {
        var m = model { $0.task = .regression }
        _ = m.ingest(predictions: [(0, prediction("a", .number(2)))], now: 1)
        let bad = m.ingest(labels: [(0, LabelEvent(id: "a", label: .string("x")))], now: 2)
        #expect(bad.errors.first?.rejection.reason.rawValue == "task_mismatch")
        let good = m.ingest(labels: [(0, LabelEvent(id: "a", label: .number(3)))], now: 3)
        #expect(good.accepted == 1)
        let report = m.report(now: 4)
        #expect(report.versions[0].labels.matched == 1)
        #expect(report.versions[0].windows[0].performance.regression?.mae == 1)
    }

    @Test func inlineLabelsAreOutcomesAtOnce() {
        var m = model { $0.task = .binary }
        _ = m.ingest(predictions: [(0, prediction("a", .number(1), score: 0.8, label: .number(1))),
                                   (1, prediction(nil, .number(0), score: 0.1, label: .number(1)))], now: 5)
        let v = m.report(now: 6).versions[0]
        #expect(v.labels.matched == 2)
        #expect(v.pendingLabels == 0)
        #expect(v.windows[0].performance.outcomes == 2)
        #expect(v.windows[0].performance.classification?.accuracy == 0.5)
        // A later label for the same id is a duplicate.
        let again = m.ingest(labels: [(0, LabelEvent(id: "a", label: .number(0)))], now: 7)
        #expect(again.duplicates == 1)
    }

    @Test func versionsAreTrackedSeparately() {
        var m = model { $0.task = .binary }
        _ = m.ingest(predictions: [(0, prediction("a", .number(1), version: "v1")), (1, prediction("b", .number(1), version: "v2")),
                                   (2, prediction("c", .number(0), version: "v2"))], now: 1)
        let report = m.report(now: 2)
        #expect(report.versions.map(\.name) == ["v1", "v2"])
        #expect(report.versions.map(\.predictions) == [1, 2])
        #expect(report.versions.map(\.pendingLabels) == [1, 2])
    }

    @Test func versionLimit() {
        var m = model { $0.maxVersions = 2 }
        let result = m.ingest(predictions: (0..<3).map { ($0, prediction("p\($0)", .number(1), version: "v\($0)")) }, now: 1)
        #expect(result.accepted == 2)
        #expect(result.errors.first?.rejection.reason.rawValue == "too_many_versions")
    }

    @Test func labelCoverageIsTheLabelledShareOfTheWindowsPredictions() {
        var m = model { $0.task = .binary }
        _ = m.ingest(predictions: (0..<4).map { ($0, prediction("p\($0)", .number(1))) }, now: 10)
        _ = m.ingest(labels: [(0, LabelEvent(id: "p0", label: .number(1)))], now: 20)
        let window = m.report(now: 21).versions[0].windows[0]
        #expect(window.performance.predictions == 4)
        #expect(window.performance.labelCoverage == 0.25)
    }

    @Test func windowsForgetOutcomesAsTheySlideOut() {
        var m = model { $0.task = .binary; $0.windows = [WindowSpec(name: "5m", seconds: 300)] }
        _ = m.ingest(predictions: [(0, prediction("a", .number(1)))], now: 1000)
        _ = m.ingest(labels: [(0, LabelEvent(id: "a", label: .number(1)))], now: 1002)
        #expect(m.report(now: 1299).versions[0].windows[0].performance.outcomes == 1)  // slice [1000, 1005) still inside
        #expect(m.report(now: 1305).versions[0].windows[0].performance.outcomes == 0)
        #expect(m.report(now: 1305).versions[0].windows[0].performance.classification == nil)
        #expect(m.report(now: 1305).versions[0].labels.matched == 1)  // counters stay
    }

    @Test func updatingOptionsCannotChangeTheTaskOfAModelWithData() throws {
        var m = model { $0.task = .binary }
        _ = m.ingest(predictions: [(0, prediction("a", .number(1)))], now: 1)
        var options = m.options
        options.task = .regression
        #expect(throws: EventRejection.self) { try m.update(options: options) }
        options.task = .binary
        options.labelTTL = 60
        try m.update(options: options)
        #expect(m.options.labelTTL == 60)
    }
}
