// SPDX-License-Identifier: Apache-2.0
// A model written to its snapshot form and read back behaves as the original, now and later.

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

@Suite struct ModelStateSnapshotTests {
    enum Kind: String, CaseIterable { case binary, multiclass, regression }

    /// Seeded random traffic for a model of `kind`: predictions with numeric and categorical
    /// features, labels (some for unknown ids: early labels), versions, clock running forward.
    struct Traffic {
        var rng: SplitMix
        let kind: Kind
        var next = 0

        mutating func predictions(_ n: Int) -> [(index: Int, event: PredictionEvent)] {
            (0..<n).map { i in
                var e = PredictionEvent()
                e.id = "e\(next)"
                next += 1
                e.version = ["v1", "v2"][Int(rng.next() % 2)]
                let x = Double(rng.next() % 10_000) / 100
                e.features = Features([Feature(name: "amount", value: .number(x)),
                                       Feature(name: "country", value: .category(["ES", "FR", "DE", "IT"][Int(rng.next() % 4)]))])
                switch kind {
                case .binary:
                    e.prediction = .number(Double(rng.next() % 2))
                    e.score = Double(rng.next() % 1000) / 1000
                case .multiclass:
                    let classes = ["a", "b", "c"]
                    e.prediction = .string(classes[Int(rng.next() % 3)])
                    e.scores = classes.map { ClassScore(className: $0, probability: 1.0 / 3) }
                case .regression:
                    e.prediction = .number(x * 1.1)
                }
                e.latencyMs = Double(rng.next() % 50)
                if rng.next() % 3 == 0 { e.business = [BusinessValue(name: ["revenue", "margin"][Int(rng.next() % 2)], value: x)] }
                return (i, e)
            }
        }

        mutating func labels(_ n: Int) -> [(index: Int, event: LabelEvent)] {
            (0..<n).map { i in
                let id = rng.next() % 5 == 0 ? "unknown\(rng.next() % 1000)" : "e\(Int(rng.next() % UInt64(max(1, next))))"
                let label: TargetValue
                switch kind {
                case .binary: label = .number(Double(rng.next() % 2))
                case .multiclass: label = .string(["a", "b", "c"][Int(rng.next() % 3)])
                case .regression: label = .number(Double(rng.next() % 10_000) / 90)
                }
                return (i, LabelEvent(id: id, label: label))
            }
        }
    }

    static func options(_ kind: Kind) -> ModelOptions {
        var o = ModelOptions()
        o.task = ModelTask(rawValue: kind.rawValue)
        o.labelGrace = 120
        o.costs = kind == .regression ? .absoluteError(0.5) : kind == .binary ? .binary(falsePositive: 1, falseNegative: 4)
            : .matrix(["a": ["b": 2], "c": ["a": 1]])
        o.baseline = "v1"
        return o
    }

    /// Where two descriptions first differ (empty when equal), with some context.
    static func difference(_ a: String, _ b: String) -> String {
        let x = Array(a.utf8), y = Array(b.utf8)
        let common = min(x.count, y.count)
        guard let i = (0..<common).first(where: { x[$0] != y[$0] }) ?? (x.count == y.count ? nil : common) else { return "" }
        let from = max(0, i - 300)
        return "at \(i): …" + String(decoding: x[from..<min(x.count, i + 80)], as: UTF8.self) + "\n  vs …"
            + String(decoding: y[from..<min(y.count, i + 80)], as: UTF8.self)
    }

    static func roundTrip(_ state: ModelState) throws -> (ModelState, Int) {
        var w = SnapshotWriter()
        state.write(to: &w)
        var r = SnapshotReader(w.bytes)
        let restored = try ModelState(name: state.name, options: state.options, from: &r)
        #expect(r.isAtEnd)
        return (restored, w.bytes.count)
    }

    @Test(arguments: Kind.allCases)
    func restoredModelMatchesTheOriginalNowAndLater(_ kind: Kind) throws {
        var traffic = Traffic(rng: SplitMix(seed: 42), kind: kind)
        var original = ModelState(name: "m", options: Self.options(kind), key: FingerprintKey(k0: 9, k1: 11))
        var now = 1_764_612_000.0
        // A reference from the first 300 rows, then traffic across several window slices.
        // Reference rows carry labels too, so classification models get a calibration and
        // their windows estimated performance.
        var builder = ReferenceBuilder()
        for (k, var e) in traffic.predictions(300) {
            switch kind {
            case .binary: e.label = .number(Double(k % 3 == 0 ? 1 : 0))
            case .multiclass: e.label = .string(["a", "b", "c"][k % 3])
            case .regression: e.label = .number(Double(k))
            }
            builder.add(e)
        }
        original.install(reference: try builder.build(task: original.task, options: original.options, strict: true,
                                                      positiveClass: original.positiveClassName))
        #expect((original.calibration != nil) == (kind != .regression))
        for _ in 0..<40 {
            _ = original.ingest(predictions: traffic.predictions(25), now: now)
            _ = original.ingest(labels: traffic.labels(15), now: now + 0.5)
            now += 7
        }
        var (restored, bytes) = try Self.roundTrip(original)
        #expect(bytes > 0)
        do {
            var w1 = SnapshotWriter(), w2 = SnapshotWriter()
            original.write(to: &w1)
            restored.write(to: &w2)
            #expect(w1.bytes == w2.bytes, "written again at once")
        }
        #expect(Self.difference("\(restored.report(now: now))", "\(original.report(now: now))") == "")
        #expect(restored.calibration == original.calibration)
        #expect(restored.businessNames == original.businessNames && original.businessNames.count == 2)
        #expect(original.report(now: now).versions.filter { $0.predictions > 0 }.allSatisfy { $0.costTotal != nil && !$0.businessTotals.isEmpty })
        #expect(!original.report(now: now).comparisons.isEmpty)
        #expect(original.report(now: now).versions.contains { $0.windows.contains { $0.estimated != nil } } == (kind != .regression))
        #expect(restored.pendingLabels == original.pendingLabels && restored.pendingLabels > 0)
        // The same traffic afterwards (labels joining pending predictions, early labels
        // meeting their predictions, windows sliding, expiry) gives the same state.
        var a = original, b = restored
        var more = traffic
        for _ in 0..<30 {
            let p = more.predictions(20), l = more.labels(20)
            #expect(a.ingest(predictions: p, now: now).accepted == b.ingest(predictions: p, now: now).accepted)
            #expect(a.ingest(labels: l, now: now).accepted == b.ingest(labels: l, now: now).accepted)
            now += 61
        }
        #expect(Self.difference("\(a.report(now: now))", "\(b.report(now: now))") == "")
        // Written twice, the bytes are the same (nothing depends on hashing order or caches).
        var w1 = SnapshotWriter(), w2 = SnapshotWriter()
        a.write(to: &w1)
        b.write(to: &w2)
        let firstDifference = zip(w1.bytes, w2.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil && w1.bytes.count == w2.bytes.count,
                "first difference at \(firstDifference ?? -1) of \(w1.bytes.count)/\(w2.bytes.count): \(Array(w1.bytes[max(0, (firstDifference ?? 0) - 16)..<min(w1.bytes.count, (firstDifference ?? 0) + 16)])) vs \(Array(w2.bytes[max(0, (firstDifference ?? 0) - 16)..<min(w2.bytes.count, (firstDifference ?? 0) + 16)]))")
    }

    @Test func truncatedOrCorruptBytesAreRefusedNotTrusted() throws {
        var traffic = Traffic(rng: SplitMix(seed: 1), kind: .binary)
        var state = ModelState(name: "m", options: Self.options(.binary), key: FingerprintKey(k0: 1, k1: 2))
        _ = state.ingest(predictions: traffic.predictions(200), now: 1000)
        var w = SnapshotWriter()
        state.write(to: &w)
        var rng = SplitMix(seed: 3)
        for _ in 0..<1000 {
            var bytes = w.bytes
            if rng.next() % 2 == 0 {
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            } else {
                bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(1 + rng.next() % 255)
            }
            var r = SnapshotReader(bytes)
            // Either an error or a model (a flipped bit in a number is still a number); never a crash.
            _ = try? ModelState(name: "m", options: state.options, from: &r)
        }
    }
}
