// SPDX-License-Identifier: Apache-2.0
// Segment drift: PSI of each segment value's window against the reference rows of the same
// value, against numpy (Tests/Fixtures/segment_drift.json, written by make_segment_drift_fixtures.py).

import Foundation
import MWTestSupport
import Testing
@testable import MWStats

@Suite struct SegmentDriftTests {
    nonisolated(unsafe) static let root = Fixtures.jsonObject("segment_drift.json")  // read-only after load

    static func options(drift: [String], segment: String = "country") -> ModelOptions {
        var o = ModelOptions()
        o.task = .binary
        o.positiveClass = "1"
        o.segments = [segment]
        o.segmentDrift = drift
        return o
    }

    static func event(_ row: [String: Any], id: String?, countryAsTag: Bool = false) -> PredictionEvent {
        var e = PredictionEvent()
        e.id = id
        e.score = (row["score"] as! NSNumber).doubleValue
        e.prediction = .number((row["prediction"] as! NSNumber).doubleValue)
        let f = row["features"] as! [String: Any]
        var features = [
            Feature(name: "amount", value: (f["amount"] as? NSNumber).map { .number($0.doubleValue) } ?? .missing),
            Feature(name: "channel", value: .category(f["channel"] as! String)),
        ]
        if countryAsTag {
            e.tags = [EventTag(name: "country", value: f["country"] as! String)]
        } else {
            features.insert(Feature(name: "country", value: .category(f["country"] as! String)), at: 0)
        }
        e.features = Features(features)
        return e
    }

    /// A model with the fixture's reference installed and its live rows ingested at `now`.
    static func model(drift: [String] = ["amount", "channel"], countryAsTag: Bool = false) throws -> ModelState {
        let reference = try #require(root["reference"] as? [[String: Any]])
        let live = try #require(root["live"] as? [[String: Any]])
        var state = ModelState(name: "m", options: options(drift: drift, segment: countryAsTag ? "tag:country" : "country"),
                               key: FingerprintKey(k0: 5, k1: 6))
        var b = ReferenceBuilder()
        for row in reference { b.add(event(row, id: nil, countryAsTag: countryAsTag)) }
        state.install(reference: try b.build(task: state.task, options: state.options, strict: true))
        _ = state.ingest(predictions: live.enumerated().map { ($0, event($1, id: "p\($0)", countryAsTag: countryAsTag)) }, now: 100)
        return state
    }

    static func drift(_ model: ModelState, window: String = "5m") -> [String: [String: SegmentDrift]] {
        var state = model
        var out: [String: [String: SegmentDrift]] = [:]
        let segment = state.report(now: 101).versions[0].segments.first { $0.window.name == window }!
        for e in segment.values {
            out[e.value] = Dictionary(uniqueKeysWithValues: e.drift.map { ($0.feature ?? "prediction", $0) })
        }
        return out
    }

    @Test func psiPerValueMatchesNumpyOnTheRowsOfTheSameValue() throws {
        let expected = try #require(Self.root["expected"] as? [String: [String: [String: NSNumber]]])
        let got = Self.drift(try Self.model())
        #expect(Set(got.keys) == Set(expected.keys))
        for (country, columns) in expected {
            for (column, want) in columns {
                let d = try #require(got[country]?[column], "\(country) \(column)")
                #expect(d.count == want["count"]!.intValue, "\(country) \(column) count")
                #expect(d.referenceCount == want["reference_count"]!.intValue, "\(country) \(column) reference count")
                #expect(abs(d.psi - want["psi"]!.doubleValue) < 1e-12, "\(country) \(column): \(d.psi) vs \(want["psi"]!)")
            }
        }
        // FR is the value that drifted; the others did not.
        #expect(got["FR"]!["amount"]!.psi > 1 && got["ES"]!["amount"]!.psi < 0.05)
    }

    @Test func aTagSplitsAsTheFeatureWould() throws {
        // The country sent as a tag (not a model input) instead of a feature: the same groups,
        // so the same volumes and PSIs; and no drift of its own as a feature.
        var tagged = try Self.model(countryAsTag: true)
        var featured = try Self.model()
        let t = tagged.report(now: 101).versions[0], f = featured.report(now: 101).versions[0]
        #expect(t.segments.map(\.segment).first == "tag:country")
        let volumes = { (r: VersionReport) in Dictionary(uniqueKeysWithValues: r.segments[0].values.map { ($0.value, $0.performance.predictions) }) }
        #expect(volumes(t) == volumes(f) && volumes(t).count == 4)
        #expect(Self.drift(tagged) == Self.drift(featured))
        #expect(!t.windows[0].drift.features.contains { $0.name == "country" })
    }

    @Test func onlyThePredictionWithoutSegmentDriftFeatures() throws {
        let got = Self.drift(try Self.model(drift: []))
        #expect(got["FR"].map { Set($0.keys) } == ["prediction"])
    }

    @Test func survivesASnapshotAndStartsOverWhenTheDriftColumnsChange() throws {
        let state = try Self.model()
        var w = SnapshotWriter()
        state.write(to: &w)
        var r = SnapshotReader(w.bytes)
        let restored = try ModelState(name: "m", options: state.options, from: &r)
        #expect(restored.segmentReferences == state.segmentReferences)
        #expect(Self.drift(restored)["FR"]!["amount"]!.psi == Self.drift(state)["FR"]!["amount"]!.psi)

        // Restored under other segment_drift settings: the layout differs, the old counts are not read.
        var r2 = SnapshotReader(w.bytes)
        let other = try ModelState(name: "m", options: Self.options(drift: ["channel"]), from: &r2)
        #expect(Self.drift(other)["FR"]?.isEmpty ?? true)

        // Changed live: the same.
        var live = state
        try live.update(options: Self.options(drift: ["amount"]))
        #expect(Self.drift(live)["FR"]?.isEmpty ?? true)
    }

    @Test func aNewReferenceStartsTheCountsOver() throws {
        var state = try Self.model()
        let reference = try #require(Self.root["reference"] as? [[String: Any]])
        var b = ReferenceBuilder()
        for row in reference.prefix(1000) { b.add(Self.event(row, id: nil)) }
        state.install(reference: try b.build(task: state.task, options: state.options, strict: true))
        // counted against the old reference's bins: not read against the new one
        #expect(Self.drift(state)["FR"]?.isEmpty ?? true)
        let live = try #require(Self.root["live"] as? [[String: Any]])
        _ = state.ingest(predictions: live.enumerated().map { ($0, Self.event($1, id: "q\($0)")) }, now: 100.5)
        #expect(Self.drift(state)["FR"]!["amount"]!.psi > 1)
    }

    @Test func aReferenceBuilderInProgressKeepsItsRowsInTheSnapshot() throws {
        let reference = try #require(Self.root["reference"] as? [[String: Any]])
        for tag in [false, true] {
            var b = ReferenceBuilder()
            for row in reference { b.add(Self.event(row, id: nil, countryAsTag: tag)) }
            var w = SnapshotWriter()
            b.write(to: &w)
            var r = SnapshotReader(w.bytes)
            let restored = try ReferenceBuilder(from: &r)
            let options = Self.options(drift: ["amount"], segment: tag ? "tag:country" : "country")
            let built = try b.build(task: .binary, options: options, strict: true).segments
            #expect(built.first?.values.count == 4)
            #expect(try restored.build(task: .binary, options: options, strict: true).segments == built)
        }
    }
}
