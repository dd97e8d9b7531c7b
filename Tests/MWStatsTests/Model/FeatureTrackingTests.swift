// SPDX-License-Identifier: Apache-2.0
// The ingestion path of features: batches tracked column by column, packed values, the
// per-cell totals behind modelwatch_feature_values_total, category cells per body.

import MWTestSupport
import Testing
@testable import MWStats

@Suite struct FeatureTrackingTests {
    private func model() -> ModelState {
        var o = ModelOptions()
        o.task = .regression
        o.minSamples = 1
        return ModelState(name: "m", options: o, key: FingerprintKey(k0: 3, k1: 4))
    }

    /// Events with numbers, categories, nulls and absent names, in one of three name orders and
    /// two versions; one name list object per order, as the decoder shares them. `mistyped`:
    /// some numbers in the categorical column and some categories in a numeric one.
    private func events(_ n: Int, seed: UInt64, idPrefix: String, mistyped: Bool = false) -> [PredictionEvent] {
        var rng = SplitMix(seed: seed)
        let orders = [["a", "b", "c", "d"], ["b", "a", "d"], ["a", "b", "c", "d", "e"]].map(FeatureNames.init)
        let table = CategoryStrings()
        let colours = ["red", "green", "blue", "a-much-longer-category-name"].map { table.append($0) }
        return (0..<n).map { i in
            let names = orders[Int.random(in: 0..<3, using: &rng)]
            let packed = names.names.map { name -> PackedValue in
                if Int.random(in: 0..<10, using: &rng) == 0 { return .missing }
                if mistyped && Int.random(in: 0..<12, using: &rng) == 0 {
                    return name == "b" ? PackedValue(number: Double(Int.random(in: 0...2, using: &rng))) : PackedValue(category: colours[0])
                }
                switch name {
                case "a": return PackedValue(number: Double(Int.random(in: -500...500, using: &rng)) / 10)
                case "b": return PackedValue(category: colours[Int.random(in: 0..<4, using: &rng)])
                case "c": return PackedValue(number: Double(Int.random(in: 0...3, using: &rng)))
                default: return PackedValue(number: Double.random(in: 0..<1, using: &rng))
                }
            }
            var e = PredictionEvent()
            e.id = "\(idPrefix)\(i)"
            e.version = Int.random(in: 0..<4, using: &rng) == 0 ? "v2" : "v1"
            e.features = Features(names: names, packed: packed, categories: table)
            e.prediction = .number(Double(i % 7))
            return e
        }
    }

    private func reference(_ rows: [PredictionEvent], options: ModelOptions) throws -> ModelReference {
        var b = ReferenceBuilder()
        for r in rows { b.add(r) }
        return try b.build(task: .regression, options: options, strict: false)
    }

    private func summary(_ report: ModelReport) -> [String] {
        report.versions.flatMap { v in
            v.windows.flatMap { w in
                w.drift.features.map { f in
                    "\(v.name) \(w.window.name) \(f.name) present=\(f.present) missing=\(f.missingRatio ?? -1) "
                        + "mean=\(f.mean.map { ($0 * 1e9).rounded() } ?? -1) numeric=\(String(describing: f.numeric?.count)) "
                        + "psi=\(f.numeric.map { ($0.psi * 1e9).rounded() } ?? -1) cat=\(String(describing: f.categorical))"
                }
            } + v.featureBins.map { "\(v.name) bins \($0.feature) \($0.bins.map { "\($0.bin)=\($0.count)" })" }
        }.sorted()
    }

    /// One batch (tracked column by column over blocks) and the same events one per call
    /// (event by event) give the same windows, drift and bin counts, before and after a
    /// reference is installed, with a type inferred from the first value of a column.
    @Test func batchesEqualOneEventAtATime() throws {
        var batch = model(), single = model()
        let warmup = events(300, seed: 1, idPrefix: "w")
        _ = batch.ingest(predictions: warmup.enumerated().map { ($0, $1) }, now: 1_000)
        for (i, e) in warmup.enumerated() { _ = single.ingest(predictions: [(i, e)], now: 1_000) }
        #expect(summary(batch.report(now: 1_000)) == summary(single.report(now: 1_000)))

        let ref = try reference(events(500, seed: 2, idPrefix: "r"), options: batch.options)
        batch.install(reference: ref)
        single.install(reference: ref)
        let traffic = events(700, seed: 3, idPrefix: "t", mistyped: true)
        _ = batch.ingest(predictions: traffic.enumerated().map { ($0, $1) }, now: 1_003)
        for (i, e) in traffic.enumerated() { _ = single.ingest(predictions: [(i, e)], now: 1_003) }
        let a = summary(batch.report(now: 1_004)), b = summary(single.report(now: 1_004))
        #expect(a == b)
        #expect(a.contains { $0.contains(" bins b ") } && a.contains { $0.contains(" bins a ") })
        // And both are right: a number in the categorical column counts as present (a category
        // the reference never saw), a category in a numeric column as missing.
        let report = batch.report(now: 1_004)
        for (name, counts) in [("b", { (v: FeatureValue) in v != .missing }), ("a", { (v: FeatureValue) in if case .number = v { true } else { false } })] {
            let expected = (warmup + traffic).filter { $0.version == "v1" }
                .compactMap { e in e.features.first { $0.name == name }?.value }.filter(counts).count
            let present = report.versions.first { $0.name == "v1" }?.windows[0].drift.features.first { $0.name == name }?.present
            #expect(present.map(Int.init) == expected, "\(name)")
        }
    }

    /// `modelwatch_feature_values_total` counts every value once whether its slice was flushed
    /// (a later unit, a read), is still pending, or bypassed the pending slice (the clock
    /// stepped back), and restarts with a new reference.
    @Test func valueTotalsAcrossUnitsReadsAndClockSteps() throws {
        var state = model()
        let options = state.options
        let ref = try reference((0..<400).map { i in
            var e = PredictionEvent()
            e.features = [Feature(name: "x", value: .number(Double(i % 100)))]
            return e
        }, options: options)
        state.install(reference: ref)
        guard case .numeric(let r)? = ref.features["x"] else { Issue.record("x is not numeric"); return }
        var expected = [UInt64](repeating: 0, count: r.psiBinCount)
        var id = 0
        func send(_ values: [Double], at now: Double) {
            let batch = values.map { x -> (Int, PredictionEvent) in
                id += 1
                var e = PredictionEvent()
                e.id = "e\(id)"
                e.features = [Feature(name: "x", value: .number(x))]
                e.prediction = .number(1)
                expected[r.psiBinOfCell[r.cell(of: x)]] += 1
                return (id, e)
            }
            _ = state.ingest(predictions: batch, now: now)
        }
        func bins(_ report: ModelReport) -> [UInt64] { report.versions[0].featureBins.first { $0.feature == "x" }?.bins.map(\.count) ?? [] }

        send([1, 2, 3, 50, 99, 150, -4], at: 2_000)
        #expect(bins(state.snapshotReport(now: 2_000)) == expected)  // pending only
        send([10, 20, 30], at: 2_006)                                  // the first unit is flushed
        #expect(bins(state.report(now: 2_006)) == expected)            // a read flushes the second
        send([40, 41], at: 2_007)
        send([60, 61, 62], at: 2_001)                                  // the clock stepped back
        send([70], at: 2_013)
        #expect(bins(state.report(now: 2_013)) == expected)
        #expect(expected.reduce(0, +) == 16)

        state.install(reference: ref)  // a new generation: the counter starts over
        expected = [UInt64](repeating: 0, count: r.psiBinCount)
        #expect(bins(state.report(now: 2_013)) == expected)  // every bin at 0, none missing
        send([5, 95], at: 2_014)
        #expect(bins(state.report(now: 2_014)) == expected)
    }

    /// A category's cell is cached per body's strings and reference: events that share one
    /// `CategoryStrings` across a reference replacement are placed in the new reference's
    /// cells, not in those the old one gave.
    @Test func categoryCellsFollowAReplacedReference() throws {
        var state = model()
        func rows(_ counts: [(String, Int)]) -> [PredictionEvent] {
            counts.flatMap { (category, n) in
                (0..<n).map { _ in
                    var e = PredictionEvent()
                    e.features = [Feature(name: "b", value: .category(category))]
                    return e
                }
            }
        }
        let table = CategoryStrings()
        let x = Features(names: FeatureNames(["b"]), packed: [PackedValue(category: table.append("x"))], categories: table)
        var id = 0
        func send(_ n: Int, at now: Double) {
            let batch = (0..<n).map { _ -> (Int, PredictionEvent) in
                id += 1
                var e = PredictionEvent()
                e.id = "e\(id)"
                e.features = x  // the same strings in every event and call
                e.prediction = .number(1)
                return (id, e)
            }
            _ = state.ingest(predictions: batch, now: now)
        }
        func bins(_ now: Double) -> [String: UInt64] {
            let found = state.report(now: now).versions.first?.featureBins.first { $0.feature == "b" }?.bins ?? []
            return Dictionary(found.map { ($0.bin, $0.count) }, uniquingKeysWith: +)
        }
        state.install(reference: try reference(rows([("x", 10), ("y", 5)]), options: state.options))
        send(7, at: 3_000)
        #expect(bins(3_000)["x"] == 7)
        state.install(reference: try reference(rows([("w", 10), ("x", 3), ("y", 1)]), options: state.options))
        send(5, at: 3_001)
        let after = bins(3_001)
        #expect(after["x"] == 5, "\(after)")
        #expect(after["w"] ?? 0 == 0, "\(after)")
    }

    @Test func packedValuesRoundTrip() {
        for x in [0.0, -0.0, 1.5, -1e308, 1e308, .leastNonzeroMagnitude, 123_456.789] {
            let v = PackedValue(number: x)
            #expect(v.number?.bitPattern == x.bitPattern && v.categoryIndex == nil && !v.isMissing)
        }
        for i in [0, 1, 65_535, 1 << 40] {
            let v = PackedValue(category: i)
            #expect(v.categoryIndex == i && v.number == nil && !v.isMissing)
        }
        #expect(PackedValue.missing.isMissing && PackedValue.missing.number == nil && PackedValue.missing.categoryIndex == nil)
        let f = Features([Feature(name: "n", value: .number(2)), Feature(name: "c", value: .category("ES")),
                          Feature(name: "m", value: .missing)])
        #expect(f.values == [.number(2), .category("ES"), .missing])
        #expect(f.map(\.name) == ["n", "c", "m"])
    }
}
