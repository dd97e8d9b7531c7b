// SPDX-License-Identifier: Apache-2.0
// Segments: metrics per value against scikit-learn (Tests/Fixtures/segments.json, written by
// make_segment_fixtures.py), and the caps under a hostile stream of distinct values.

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

@Suite struct SegmentTests {
    nonisolated(unsafe) static let root = Fixtures.jsonObject("segments.json")  // read-only after load

    static func model(segments: [String], values: Int = 20) -> ModelState {
        var o = ModelOptions()
        o.task = .multiclass
        o.segments = segments
        o.segmentValues = values
        return ModelState(name: "m", options: o, key: FingerprintKey(k0: 2, k1: 3))
    }

    @Test func metricsPerValueMatchScikitLearn() throws {
        let rows = try #require(Self.root["rows"] as? [[String: String]])
        let expected = try #require(Self.root["expected"] as? [String: [String: [String: NSNumber]]])
        var state = Self.model(segments: ["country", "device"])
        var predictions: [(index: Int, event: PredictionEvent)] = [], labels: [(index: Int, event: LabelEvent)] = []
        for (i, row) in rows.enumerated() {
            var e = PredictionEvent()
            e.id = "r\(i)"
            e.prediction = .string(row["prediction"]!)
            e.features = Features([Feature(name: "country", value: .category(row["country"]!)),
                                   Feature(name: "device", value: .category(row["device"]!)), Feature(name: "x", value: .number(1))])
            predictions.append((i, e))
            labels.append((i, LabelEvent(id: "r\(i)", label: .string(row["label"]!))))
        }
        _ = state.ingest(predictions: predictions, now: 100)
        _ = state.ingest(labels: labels, now: 101)
        let report = state.report(now: 102)
        let segments = report.versions[0].segments.filter { $0.window.name == "5m" }
        #expect(segments.map(\.segment) == ["country", "device"])
        for s in segments {
            let want = try #require(expected[s.segment])
            #expect(Set(s.values.map(\.value)) == Set(want.keys), "\(s.segment): no __other__ under the cap")
            for e in s.values {
                let w = try #require(want[e.value])
                let c = try #require(e.performance.classification)
                let at = "\(s.segment)=\(e.value)"
                #expect(e.performance.predictions == w["count"]!.uint64Value && e.performance.outcomes == e.performance.predictions, "\(at)")
                #expect(abs(c.accuracy - w["accuracy"]!.doubleValue) < 1e-12, "\(at) accuracy")
                #expect(abs(c.precisionMacro - w["precision_macro"]!.doubleValue) < 1e-12, "\(at) precision")
                #expect(abs(c.recallMacro - w["recall_macro"]!.doubleValue) < 1e-12, "\(at) recall")
                #expect(abs(c.f1Macro - w["f1_macro"]!.doubleValue) < 1e-12, "\(at) f1")
            }
        }
        // Worst first: PT, where the model fails.
        #expect(segments[0].values.first?.value == "PT")
    }

    @Test func capsHoldUnderAHostileStreamOfDistinctValues() throws {
        var state = Self.model(segments: ["user"], values: 20)
        var rng = SplitMix(seed: 5)
        for batch in 0..<100 {
            var predictions: [(index: Int, event: PredictionEvent)] = []
            var labels: [(index: Int, event: LabelEvent)] = []
            for k in 0..<1000 {
                let i = batch * 1000 + k
                var e = PredictionEvent()
                e.id = "h\(i)"
                e.prediction = .string(["a", "b"][Int(rng.next() % 2)])
                e.features = Features([Feature(name: "user", value: .category("u\(i)"))])  // 100,000 distinct values
                predictions.append((k, e))
                labels.append((k, LabelEvent(id: "h\(i)", label: .string("a"))))
            }
            _ = state.ingest(predictions: predictions, now: 10)
            _ = state.ingest(labels: labels, now: 10)
        }
        let tracker = try #require(state.versionStates.first?.segments.first)
        #expect(tracker.values.count == 40 && tracker.slots.count == 40, "memory: twice segment_values slots")
        #expect(tracker.untracked == 100_000 - 40)
        for s in state.report(now: 11).versions[0].segments {
            #expect(s.values.count == 21, "\(s.window.name): 20 values and __other__")
            let other = try #require(s.values.last)
            #expect(other.value == "__other__" && other.performance.predictions == 100_000 - 20 && other.performance.outcomes == 100_000 - 20)
            #expect(s.values.reduce(0) { $0 + $1.performance.predictions } == 100_000)
        }
        var w = SnapshotWriter()
        state.write(to: &w)
        #expect(w.bytes.count < 3_000_000 + 100_000 * 60, "the join holds 100,000 pending ids; the segments stay small")
    }

    /// Events of one body share a table of category strings; their slots are then read from a
    /// cache (a lookup per distinct value). Against the same events each with a table of its own
    /// (every lookup by value): the same segments, the same __other__ and untracked counts, with
    /// values beyond the cap repeating (they are not cached), across bodies and versions.
    @Test func slotsCachedPerBodyGiveWhatLookupsByValueGive() throws {
        var shared = Self.model(segments: ["country", "device"], values: 3)
        var separate = Self.model(segments: ["country", "device"], values: 3)
        var rng = SplitMix(seed: 12)
        for body in 0..<20 {
            let table = CategoryStrings(), names = FeatureNames(["x", "country", "device"])
            var indices: [String: Int] = [:]  // one index per distinct string, as the decoder's are
            let index = { (s: String) -> Int in
                if let k = indices[s] { return k }
                indices[s] = table.append(s)
                return indices[s]!
            }
            var a: [(index: Int, event: PredictionEvent)] = [], b: [(index: Int, event: PredictionEvent)] = []
            for k in 0..<200 {
                let country = "c\(rng.next() % 9)", device = "d\(rng.next() % 4)"
                var e = PredictionEvent()
                e.id = "b\(body)-\(k)"
                e.version = rng.next() % 5 == 0 ? "v2" : "v1"
                e.prediction = .string(["a", "b"][Int(rng.next() % 2)])
                e.features = Features(names: names, packed: [PackedValue(number: 1), PackedValue(category: index(country)),
                                                             PackedValue(category: index(device))], categories: table)
                a.append((k, e))
                e.features = Features([Feature(name: "x", value: .number(1)), Feature(name: "country", value: .category(country)),
                                       Feature(name: "device", value: .category(device))])
                b.append((k, e))
            }
            _ = shared.ingest(predictions: a, now: 10)
            _ = separate.ingest(predictions: b, now: 10)
        }
        let x = shared.report(now: 11).versions, y = separate.report(now: 11).versions
        #expect(x.count == 2 && x.map(\.name) == y.map(\.name))
        for (p, q) in zip(x, y) {
            #expect(p.segments.map { $0.values.map { [$0.value, "\($0.performance.predictions)"] } } == q.segments.map { $0.values.map { [$0.value, "\($0.performance.predictions)"] } })
            #expect(p.segments.map(\.untracked) == q.segments.map(\.untracked) && p.segments.contains { $0.untracked > 0 })
        }
    }
}
