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

    /// The 8-byte digit run: every length, every digit, and the bytes that end a run.
    @Test func digitRunsEightBytesAtATime() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...8, using: &rng)
            var bytes = (0..<count).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
            let enders: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "e"), 0x2F, 0x3A, 0xFF, 0x00, 0xB0]
            while bytes.count < 8 { bytes.append(bytes.count == count ? enders.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)) }
            let (n, value) = bytes.withUnsafeBufferPointer { JSONScanner.digitRun($0.baseAddress!) }
            #expect(n == count, "\(bytes)")
            if count > 0 && count < 8 {
                #expect(value == UInt64(String(decoding: bytes.prefix(count), as: UTF8.self))!, "\(bytes)")
            }
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

    /// The compact fast path (a line repeating the previous line's names) decodes exactly as
    /// the general code does on the same line alone: values, errors, and refusals alike. Each
    /// features object is tried last in the line (the fast path stops short of the end, where
    /// its 8-byte reads would not fit) and first, with other fields after it.
    @Test(arguments: [
        #"{"a":1.5,"b":"x","c":-2}"#,
        #"{"a":1.5,"b":"x","c":-2,}"#,  // trailing comma
        #"{"a":1.5,}"#,  // trailing comma after a prefix
        #"{"a":1.5,"b":"x"}"#,  // a prefix of the names
        #"{"a":1.5, "b":"x","c":-2}"#,  // whitespace midway
        #"{"a":1.5,"b":"x","c":-2 }"#,
        #"{"a":1e3,"b":"x","c":-2}"#,  // exponent
        #"{"a":1.5e3,"b":"x","c":-2.25E-2}"#,  // exponents after a point (one 8-byte read)
        #"{"a":1234567.5e1,"b":"x","c":-2.1234567e+8}"#,  // and after the two-run parse
        #"{"a":-123456.7,"b":"x","c":-1}"#,  // a sign and 7 more characters: separator beyond the word
        #"{"a":-12345.6,"b":"x","c":-1.5}"#,  // a sign and 6: separator in the word read after the sign
        #"{"a":1.5.5,"b":"x","c":1}"#,  // a second point
        #"{"a":01,"b":"x","c":-2}"#,  // leading zero
        #"{"a":-,"b":"x","c":-2}"#,
        #"{"a":1.,"b":"x","c":-2}"#,
        #"{"a":12345678901234567890,"b":"x","c":-2}"#,
        #"{"a":0.1234567890123456789012345,"b":"x","c":-2}"#,
        #"{"a":null,"b":true,"c":-2}"#,
        #"{"a":{"x":1},"b":"x","c":-2}"#,  // not a scalar
        #"{"a":1,"b":"café","c":-2}"#,  // escape
        #"{"a":1,"b":"tab\#there","c":-2}"#,
        #"{"a":1,"b":"0123456789","c":-2}"#,  // over the string limit
        #"{"a":1,"b":"012345678","c":-2}"#,  // at it
        #"{"a":1,"b":"x","c":-2,"d":4}"#,  // one more name
        #"{"a":1,"c":"x","b":-2}"#,  // other order
        #"{"a":1,"a":2,"c":-2}"#,  // duplicate after a match
        #"{"a":1,"b":"x","c":-2"#,  // unterminated
        #"{"a":1,"b":"x","c":-2]"#,
        #"{"a":-0.5,"b":"x","c":0}"#,  // signs and zeros
        #"{"a":-0,"b":"x","c":7}"#,
        #"{"a":1234567,"b":"x","c":12345678}"#,  // 7 and 8 digits
        #"{"a":123.4567,"b":"x","c":-1.234567}"#,  // 8 characters
        #"{"a":00.5,"b":"x","c":1}"#,
        #"{"a":1,"b":"abcdefg","c":1}"#,  // 7 bytes: one word
        #"{"a":1,"b":"abcdefgh","c":1}"#,  // 8 bytes
        #"{"a":1,"b":"","c":1}"#,  // empty
        #"{"a":1,"b":"a\"b","c":1}"#,  // escaped quote
        #"{"a":1,"b":"a\\b","c":1}"#,  // escaped backslash
        #"{"a":1,"b":"a\#u{01}b","c":1}"#,  // raw control byte
        #"{"a":1,"b":"\#u{E9}","c":1}"#,  // raw UTF-8
        #"{"a":1,"b":"\#u{7F}~ ","c":1}"#,  // DEL, tilde, space
        #"{"a":1,"b":"x,"c":1}"#,  // unterminated string
    ])
    func compactPathDecodesAsTheGeneralCode(_ features: String) throws {
        var limits = EventLimits()
        limits.maxStringBytes = 9
        for line in [#"{"prediction":1,"features":"# + features + "}",
                     #"{"features":"# + features + #","prediction":1,"score":0.5,"id":"padding-padding-padding"}"#] {
            // The same line after one with its names (the compact path) and after one with others.
            let same = #"{"prediction":1,"features":{"a":0,"b":"y","c":1}}"#, other = #"{"prediction":1,"features":{"z":0}}"#
            let fast = try EventDecoder.predictions(Array((same + "\n" + line).utf8), ndjson: true, limits: limits)
            let general = try EventDecoder.predictions(Array((other + "\n" + line).utf8), ndjson: true, limits: limits)
            let fastEvent = fast.events.first { $0.index == 1 }?.event, generalEvent = general.events.first { $0.index == 1 }?.event
            #expect(fastEvent?.features.values == generalEvent?.features.values, "\(line)")
            #expect(fastEvent?.features.map(\.name) == generalEvent?.features.map(\.name), "\(line)")
            #expect(fast.errors.map(\.rejection) == general.errors.map(\.rejection), "\(line)")
            #expect((fastEvent != nil) != fast.errors.contains { $0.index == 1 }, "an event or an error")
        }
    }

    /// Names of every length up to 40 bytes (one word, two, and beyond) are matched in place
    /// and give the names and values the general code gives; a name that differs in its last
    /// byte is not taken for a known one.
    @Test func compactPathNamesOfEveryLength() throws {
        let names: [String] = (1...40).map { (n: Int) -> String in
            String(decoding: (0..<n).map { (k: Int) -> UInt8 in UInt8(97 + (k * 7 + n) % 26) }, as: UTF8.self)
        }
        func object(_ names: [String]) -> String {
            let members: [String] = names.enumerated().map { (i, name) in #""\#(name)":\#(i).25"# }
            return "{" + members.joined(separator: ",") + "}"
        }
        let line = #"{"features":"# + object(names) + #","prediction":1,"id":"padding-padding-padding"}"#
        let decoded = try EventDecoder.predictions(Array((line + "\n" + line + "\n").utf8), ndjson: true, limits: EventLimits())
        #expect(decoded.errors.isEmpty)
        #expect(decoded.events.count == 2)
        #expect(decoded.events[1].event.features.names === decoded.events[0].event.features.names)
        #expect(decoded.events[1].event.features.map { $0.name } == names)
        let expected: [FeatureValue] = (0..<40).map { .number(Double($0) + 0.25) }
        #expect(decoded.events[1].event.features.values == expected)
        for n in [3, 10, 20, 40] {  // the last byte of one name changed: read as a new name, not the known one
            var changed = names
            changed[n - 1] = String(changed[n - 1].dropLast()) + "Z"
            let next = #"{"features":"# + object(changed) + #","prediction":1,"id":"padding-padding-padding"}"#
            let two = try EventDecoder.predictions(Array((line + "\n" + next).utf8), ndjson: true, limits: EventLimits())
            #expect(two.events.count == 2)
            #expect(two.events[1].event.features.map { $0.name } == changed)
        }
    }

    /// A known name that JSON spells with an escape (not a valid feature name, but the cache
    /// does not rely on that) is never matched by its raw bytes: a line whose bytes spell it
    /// unescaped is not valid JSON, and is refused as the general code refuses it.
    @Test func namesNeedingEscapesAreNotMatchedInPlace() throws {
        let broken = #"{"features":{"q"x":1,"b":2},"prediction":1,"id":"padding-padding-padding"}"#
        var seeded = FeatureNameCache(known: KnownNames(["q\"x", "b"]))
        var fresh = FeatureNameCache()
        #expect(throws: BodyError.self) {
            try EventDecoder.predictions(Array(broken.utf8), ndjson: true, limits: EventLimits(), names: &seeded)
        }
        #expect(throws: BodyError.self) {
            try EventDecoder.predictions(Array(broken.utf8), ndjson: true, limits: EventLimits(), names: &fresh)
        }
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
