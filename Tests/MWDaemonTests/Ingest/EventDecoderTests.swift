// SPDX-License-Identifier: Apache-2.0
// Body shapes, JSON strictness and per-field validation of the event decoder.

import Foundation
import MWStats
import Testing
@testable import MWDaemon

@Suite struct EventDecoderTests {
    private func predictions(_ text: String, ndjson: Bool = false, limits: EventLimits = EventLimits()) throws(BodyError) -> DecodedBatch<PredictionEvent> {
        try EventDecoder.predictions(Array(text.utf8), ndjson: ndjson, limits: limits)
    }

    private func rejection(_ text: String) throws -> EventRejection {
        let batch = try predictions(text)
        #expect(batch.events.isEmpty)
        return try #require(batch.errors.first?.rejection)
    }

    @Test func aSingleObjectWithEveryField() throws {
        let batch = try predictions("""
            {"id": "req-81723", "version": "v3", "timestamp": 1732430000.5,
             "features": {"amount": 123.45, "country": "ES", "age": 37, "is_new": true, "coupon": null},
             "prediction": 1, "score": 0.87, "latency_ms": 12.5}
            """)
        #expect(batch.errors.isEmpty)
        let e = try #require(batch.events.first?.event)
        #expect(e.id == "req-81723")
        #expect(e.version == "v3")
        #expect(e.timestamp == 1_732_430_000.5)
        #expect(e.features == [Feature(name: "amount", value: .number(123.45)), Feature(name: "country", value: .category("ES")),
                               Feature(name: "age", value: .number(37)), Feature(name: "is_new", value: .category("true")),
                               Feature(name: "coupon", value: .missing)])
        #expect(e.prediction == .number(1))
        #expect(e.score == 0.87)
        #expect(e.latencyMs == 12.5)
    }

    @Test func tagsAreNamedStringsAndBadOnesAreRefusedNamingTheTag() throws {
        let e = try #require(try predictions(#"{"prediction": 1, "tags": {"region": "eu", "build": 42, "beta": true, "gone": null}}"#).events.first?.event)
        #expect(e.tags == [EventTag(name: "region", value: "eu"), EventTag(name: "build", value: "42"), EventTag(name: "beta", value: "true")])
        #expect(e.features.count == 0)  // not features
        let bad: [(String, String, String)] = [
            (#"{"prediction": 1, "tags": "eu"}"#, "tags", "invalid_type"),
            (#"{"prediction": 1, "tags": {"region": ["eu"]}}"#, "tags.region", "invalid_type"),
            (#"{"prediction": 1, "tags": {"9x": "eu"}}"#, "tags.9x", "invalid_name"),
            (#"{"prediction": 1, "tags": {"a": "x", "a": "y"}}"#, "tags.a", "duplicate_field"),
            (#"{"prediction": 1, "tags": {"a": "\#(String(repeating: "x", count: 257))"}}"#, "tags.a", "string_too_long"),
            ("{\"prediction\": 1, \"tags\": {" + (0..<17).map { "\"t\($0)\": \"v\"" }.joined(separator: ",") + "}}", "tags", "too_many_tags"),
        ]
        for (body, field, reason) in bad {
            let r = try rejection(body)
            #expect(r.field == field && r.reason.rawValue == reason, "\(body): \(r)")
        }
    }

    @Test func arraysAndNDJSONKeepIndices() throws {
        let array = try predictions(#"[{"prediction": 1}, 5, {"prediction": "x", "bogus": 1}, {"prediction": true}]"#)
        #expect(array.events.map(\.index) == [0, 3])
        #expect(array.errors.map(\.index) == [1, 2])
        #expect(array.errors.map(\.rejection.reason) == [.notAnObject, .unknownField])

        let lines = "{\"prediction\": 1}\n\n{\"prediction\": 2}\r\n{broken\n{\"prediction\": 3}\n"
        for ndjson in [true, false] {  // recognised without its content type too
            let batch = try predictions(lines, ndjson: ndjson)
            #expect(batch.events.map(\.index) == [0, 1, 3])
            #expect(batch.errors.map(\.index) == [2])
            #expect(batch.errors.first?.rejection.reason.rawValue == "invalid_json")
            #expect(batch.errors.first?.rejection.message.hasPrefix("line 4:") == true)
        }
    }

    @Test func unparseableBodiesAreRefusedWhole() {
        #expect(throws: BodyError.empty) { try predictions("  \n") }
        for text in [#"[{"prediction": 1},"#, #"{"prediction": 1"#, #"[{"prediction": 1}] x"#, #""just a string""#,
                     #"{"prediction": 01}"#, #"{"prediction": 1.}"#, "{\"id\": \"a\u{01}\"}", #"{"id": "\x"}"#,
                     #"{"id": "\ud800"}"#, #"[{"prediction": 1,}]"#] {
            #expect(throws: BodyError.self, "\(text)") { try predictions(text) }
        }
        #expect(throws: BodyError.self) { try EventDecoder.predictions([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], ndjson: false, limits: EventLimits()) }
        // Every NDJSON line broken: nothing parses at all.
        #expect(throws: BodyError.self) { try predictions("{x\n{y\n", ndjson: true) }
    }

    @Test func eventLimit() {
        var limits = EventLimits()
        limits.maxEvents = 2
        #expect(throws: BodyError.tooManyEvents(limit: 2)) { try predictions(#"[{"prediction":1},{"prediction":1},{"prediction":1}]"#, limits: limits) }
        #expect(throws: BodyError.tooManyEvents(limit: 2)) { try predictions("{\"prediction\":1}\n{\"prediction\":1}\n{\"prediction\":1}", ndjson: true, limits: limits) }
    }

    @Test func depthLimit() {
        var limits = EventLimits()
        limits.maxDepth = 4
        #expect(throws: BodyError.self) { try predictions(#"{"prediction": 1, "x": [[[[1]]]]}"#, limits: limits) }
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: BodyError.self) { try predictions(#"{"x": \#(deep)"#) }
    }

    @Test func numbersAreExact() throws {
        for (text, value) in [("0.1", 0.1), ("1e-7", 1e-7), ("-0.0", -0.0), ("123456789012345678901", 123456789012345678901.0),
                              ("0.30000000000000004", 0.30000000000000004), ("1.7976931348623157e308", 1.7976931348623157e308),
                              ("5e-324", 5e-324), ("2.2250738585072014E-308", 2.2250738585072014e-308), ("12.5e+1", 125)] {
            let e = try #require(try predictions(#"{"prediction": \#(text)}"#).events.first?.event)
            #expect(e.prediction == .number(value), "\(text)")
        }
    }

    /// Plain decimals take a one-pass path (Clinger); it must round exactly as strtod does, on
    /// both sides of its limits (19 digits, 2^53, 22 decimals), in feature values too.
    @Test func plainDecimalsRoundLikeStrtod() throws {
        var rng = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "0.0", "9007199254740991", "9007199254740993", "0.1234567890123456789",
                     "1234567890123456789", "12345678901234567890", "0.0000000000000000000001", "0.00000000000000000000001",
                     "-45.123", "99999.99999"]
        for _ in 0..<2_000 {
            let integer = String(UInt64.random(in: 0...UInt64.max, using: &rng)).prefix(Int.random(in: 1...12, using: &rng))
            let fraction = String(UInt64.random(in: 0...UInt64.max, using: &rng)).prefix(Int.random(in: 0...14, using: &rng))
            let trimmed = integer.count > 1 ? String(integer.drop { $0 == "0" }.isEmpty ? "0" : String(integer.drop { $0 == "0" })) : String(integer)
            texts.append((Bool.random(using: &rng) ? "-" : "") + trimmed + (fraction.isEmpty ? "" : "." + fraction))
        }
        // Features first and bytes after them, so that the 8-byte digit reads of the compact
        // path apply (they need 16 readable bytes).
        let body = texts.map { #"{"features":{"x":\#($0)},"prediction":\#($0),"latency_ms":0.000000000001}"# }
            .joined(separator: "\n")
        let batch = try predictions(body, ndjson: true)
        #expect(batch.errors.isEmpty)
        for (text, (_, event)) in zip(texts, batch.events) {
            let want = strtod(text, nil)
            #expect(event.prediction == .number(want), "\(text)")
            #expect(event.features.value(at: 0) == .number(want), "\(text)")
        }
    }

    /// A cache seeded with another body's names (the model's last) lets the next body share
    /// them; names that differ, in part or in all, are read and checked as usual.
    @Test func namesSeededFromAnEarlierBody() throws {
        var names = FeatureNameCache()
        let first = try EventDecoder.predictions(Array(#"{"prediction": 1, "features": {"a": 1, "b": "x"}}"#.utf8),
                                                 ndjson: false, limits: EventLimits(), names: &names)
        let seed = try #require(names.known)
        var next = FeatureNameCache(known: seed)
        let second = try EventDecoder.predictions(Array(#"{"prediction": 1, "features": {"a": 2, "b": "y"}}"#.utf8),
                                                  ndjson: false, limits: EventLimits(), names: &next)
        #expect(second.events[0].event.features.names === first.events[0].event.features.names)
        #expect(second.events[0].event.features.values == [.number(2), .category("y")])

        var other = FeatureNameCache(known: seed)
        let diverging = try EventDecoder.predictions(Array(#"{"prediction": 1, "features": {"a": 3, "c": 4, "a": 5}}"#.utf8),
                                                     ndjson: false, limits: EventLimits(), names: &other)
        #expect(diverging.errors.first?.rejection.reason.rawValue == "duplicate_field")

        var limits = EventLimits()
        limits.maxFeatures = 1  // lowered since the seed was made: the seed is not trusted
        var lowered = FeatureNameCache(known: seed)
        let refused = try EventDecoder.predictions(Array(#"{"prediction": 1, "features": {"a": 1, "b": "x"}}"#.utf8),
                                                   ndjson: false, limits: limits, names: &lowered)
        #expect(refused.errors.first?.rejection.reason.rawValue == "too_many_features")
    }

    @Test func stringsUnescape() throws {
        let e = try #require(try predictions(#"{"prediction": "a\"b\\c\/d\n\u00e9\ud83d\ude00"}"#).events.first?.event)
        #expect(e.prediction == .string("a\"b\\c/d\né😀"))
    }

    @Test(arguments: [
        (#"{"prediction": NaN}"#, "prediction", "not_finite"),
        (#"{"prediction": 1, "score": -Infinity}"#, "score", "not_finite"),
        (#"{"prediction": 1e400}"#, "prediction", "out_of_range"),
        (#"{"prediction": 1, "score": 1.5}"#, "score", "out_of_range"),
        (#"{"prediction": 1, "score": "0.5"}"#, "score", "invalid_type"),
        (#"{"prediction": 1, "latency_ms": -1}"#, "latency_ms", "out_of_range"),
        (#"{"prediction": 1, "id": 5}"#, "id", "invalid_type"),
        (#"{"prediction": 1, "id": ""}"#, "id", "invalid_id"),
        (#"{"prediction": 1, "version": "v 1"}"#, "version", "invalid_name"),
        (#"{"prediction": 1, "timestamp": -5}"#, "timestamp", "out_of_range"),
        (#"{"prediction": 1, "timestamp": "yesterday"}"#, "timestamp", "invalid_timestamp"),
        (#"{"prediction": 1, "features": {"9lives": 1}}"#, "features.9lives", "invalid_name"),
        (#"{"prediction": 1, "features": {"a": 1, "a": 2}}"#, "features.a", "duplicate_field"),
        (#"{"prediction": 1, "features": {"a": [1]}}"#, "features.a", "invalid_type"),
        (#"{"prediction": 1, "features": [1]}"#, "features", "invalid_type"),
        (#"{"prediction": 1, "prediction": 2}"#, "prediction", "duplicate_field"),
        (#"{"prediction": {"a": 1}}"#, "prediction", "invalid_type"),
        (#"{"score": 0.5}"#, "prediction", "missing_field"),
        (#"{"prediction": "a", "scores": {"a": 2}}"#, "scores.a", "out_of_range"),
        (#"{"prediction": "a", "scores": [0.5]}"#, "scores", "invalid_type"),
        (#"{"prediction": 1, "score": 0.5, "scores": {"a": 0.5}}"#, "scores", "conflicting_fields"),
        (#"{"prediction": 1, "predicton": 1}"#, "predicton", "unknown_field"),
    ])
    func fieldErrorsNameTheFieldAndReason(text: String, field: String, reason: String) throws {
        let r = try rejection(text)
        #expect(r.field == field)
        #expect(r.reason.rawValue == reason)
        #expect(!r.message.isEmpty)
    }

    @Test func duplicateFeatureNamesInWideEvents() throws {
        let names = (0..<80).map { "feature_\($0)" }
        for duplicateAt in [3, 17, 40, 79] {
            var fields = names.map { "\"\($0)\": 1" }
            fields.append("\"\(names[duplicateAt])\": 2")
            let text = #"{"prediction": 1, "features": {"# + fields.joined(separator: ", ") + "}}"
            let r = try rejection(text)
            #expect(r.field == "features.\(names[duplicateAt])" && r.reason.rawValue == "duplicate_field")
        }
        let distinct = #"{"prediction": 1, "features": {"# + names.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}}"
        let ok = try predictions(distinct)
        #expect(ok.errors.isEmpty && ok.events[0].event.features.map(\.name) == names)
    }

    /// Names matched against the previous event of the body are still checked once they differ.
    @Test func namesReusedFromThePreviousEventStayChecked() throws {
        func line(_ names: [String]) -> String {
            #"{"prediction": 1, "features": {"# + names.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}}"
        }
        let twenty = (0..<20).map { "f\($0)" }
        let lines = [
            line(twenty),                                   // 0: ok
            line(twenty + ["f3"]),                          // 1: duplicate after a matched prefix (table path)
            line(Array(twenty.prefix(10)) + ["f0"]),        // 2: duplicate after a matched prefix (linear path)
            line(twenty.enumerated().map { $0.offset == 5 ? "9bad" : $0.element }),  // 3: invalid name mid-way
            "  " + line(twenty).replacingOccurrences(of: ", ", with: " ,\t"),          // 4: ok, other whitespace
            line(["a", "a"]),                               // 5: duplicate
            line(["a", "a"]),                               // 6: the same again: still a duplicate
            line(["b", "a"]),                               // 7: ok
        ]
        let batch = try predictions(lines.joined(separator: "\n"), ndjson: true)
        #expect(batch.events.map(\.index) == [0, 4, 7])
        #expect(batch.events[1].event.features.map(\.name) == twenty)
        let reasons = Dictionary(uniqueKeysWithValues: batch.errors.map { ($0.index, "\($0.rejection.field) \($0.rejection.reason)") })
        #expect(reasons == [1: "features.f3 duplicate_field", 2: "features.f0 duplicate_field", 3: "features.9bad invalid_name",
                            5: "features.a duplicate_field", 6: "features.a duplicate_field"])
    }

    @Test func featureNamesAtTheEdgesOfTheRule() throws {
        let longest = "f" + String(repeating: "x", count: 127)
        let ok = try predictions(#"{"prediction": 1, "features": {"\#(longest)": 1, "_a.b-c9": 2, "a\u0062": 3}}"#)
        #expect(ok.errors.isEmpty)
        #expect(ok.events.first?.event.features.map(\.name) == [longest, "_a.b-c9", "ab"])
        for bad in [longest + "x", "", "9a", ".a", "a b", "é", "a/b"] {
            let r = try rejection(#"{"prediction": 1, "features": {"\#(bad)": 1}}"#)
            #expect(r.reason.rawValue == "invalid_name", "\(bad)")
        }
    }

    @Test func referenceRowsNeedNoPrediction() throws {
        let rows = try EventDecoder.referenceRows(Array(#"[{"features": {"a": 1}}, {"features": {"a": 2}, "prediction": 1}]"#.utf8),
                                                  ndjson: false, limits: EventLimits())
        #expect(rows.errors.isEmpty && rows.events.count == 2)
        #expect(try predictions(#"{"features": {"a": 1}}"#).errors.first?.rejection.reason.rawValue == "missing_field")
    }

    @Test func stringAndFeatureLimits() throws {
        var limits = EventLimits()
        limits.maxStringBytes = 4
        limits.maxFeatures = 2
        let long = try predictions(#"{"prediction": "abcde"}"#, limits: limits)
        #expect(long.errors.first?.rejection.reason.rawValue == "string_too_long")
        let many = try predictions(#"{"prediction": 1, "features": {"a": 1, "b": 2, "c": 3}}"#, limits: limits)
        #expect(many.errors.first?.rejection.reason.rawValue == "too_many_features")
        let id = try predictions(#"{"prediction": 1, "id": "\#(String(repeating: "x", count: 129))"}"#)
        #expect(id.errors.first?.rejection.reason.rawValue == "invalid_id")
    }

    @Test func labels() throws {
        let batch = try EventDecoder.labels(Array(#"[{"id": "a", "label": 0, "timestamp": "2024-11-24T06:33:20Z"}, {"label": 1}, {"id": "b"}]"#.utf8),
                                            ndjson: false, limits: EventLimits())
        #expect(batch.events.first?.event == LabelEvent(id: "a", label: .number(0), timestamp: 1_732_430_000))
        #expect(batch.errors.map(\.rejection.field) == ["id", "label"])
    }

    @Test func rfc3339() {
        #expect(RFC3339.parse("2024-11-24T06:33:20Z") == 1_732_430_000)
        #expect(RFC3339.parse("2024-11-24t07:33:20.5+01:00") == 1_732_430_000.5)
        #expect(RFC3339.parse("2024-11-24 06:33:20-00:30") == 1_732_431_800)
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        for bad in ["2023-02-29T00:00:00Z", "2024-11-24T06:33:20", "2024-13-01T00:00:00Z", "2024-11-24T25:00:00Z", "20241124T063320Z",
                    "2024-11-24T06:33:20.Z", "2024-11-24T06:33:20Zjunk"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }
}
