// SPDX-License-Identifier: Apache-2.0
// The compact fast path of the feature decoder against the general code: fixed edge cases,
// names of every length, and seeded random objects.

import Foundation
import MWStats
import MWTestSupport
import Testing
@testable import MWDaemon

@Suite struct CompactFeaturesTests {
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
        try Self.expectSameAsGeneral(features, note: "")
    }

    /// `features` (an object over the names a, b, c) in a line after one with the same names
    /// (the compact path) and after one with others (the general code), last in the line and
    /// first with other fields after it: the same values, names and errors.
    static func expectSameAsGeneral(_ features: String, note: String) throws {
        var limits = EventLimits()
        limits.maxStringBytes = 9
        for line in [#"{"prediction":1,"features":"# + features + "}",
                     #"{"features":"# + features + #","prediction":1,"score":0.5,"id":"padding-padding-padding"}"#] {
            let same = #"{"prediction":1,"features":{"a":0,"b":"y","c":1}}"#, other = #"{"prediction":1,"features":{"z":0}}"#
            let fast = try? EventDecoder.predictions(Array((same + "\n" + line).utf8), ndjson: true, limits: limits)
            let general = try? EventDecoder.predictions(Array((other + "\n" + line).utf8), ndjson: true, limits: limits)
            #expect((fast == nil) == (general == nil), "\(note) \(line): refused whole by one only")
            guard let fast, let general else { continue }
            let fastEvent = fast.events.first { $0.index == 1 }?.event, generalEvent = general.events.first { $0.index == 1 }?.event
            #expect(fastEvent?.features.values == generalEvent?.features.values, "\(note) \(line)")
            #expect(fastEvent?.features.map(\.name) == generalEvent?.features.map(\.name), "\(note) \(line)")
            #expect(fast.errors.map(\.rejection) == general.errors.map(\.rejection), "\(note) \(line)")
            #expect((fastEvent != nil) != fast.errors.contains { $0.index == 1 }, "\(note) an event or an error")
        }
    }

    /// Seeded random features objects over the same names, mostly in the compact shape and now
    /// and then off it (whitespace, exponents, escapes, long strings, other kinds, other names,
    /// broken syntax): the compact path gives what the general code gives, every time.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomObjectsDecodeAsTheGeneralCode(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }) }
        func value() -> String {
            switch Int.random(in: 0..<16, using: &rng) {
            case 0..<6: return (Bool.random(using: &rng) ? "-" : "") + digits(Int.random(in: 1...8, using: &rng))
                + (Bool.random(using: &rng) ? "." + digits(Int.random(in: 1...8, using: &rng)) : "")
            case 6: return digits(Int.random(in: 1...3, using: &rng)) + ["e3", "E-2", ".5e+1", "e"].randomElement(using: &rng)!
            case 7..<10:
                let alphabet = Array("abcXYZ 019~_-")
                return "\"" + String((0..<Int.random(in: 0...11, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) + "\""
            case 10: return ["\"a\\\"b\"", "\"caf\u{E9}\"", "\"t\\tb\"", "\"x"].randomElement(using: &rng)!
            case 11: return ["true", "false", "null"].randomElement(using: &rng)!
            case 12: return ["{\"x\":1}", "[1,2]", "01", "1.", "-", "1.5.5"].randomElement(using: &rng)!
            default: return digits(Int.random(in: 9...22, using: &rng)) + "." + digits(Int.random(in: 1...20, using: &rng))
            }
        }
        for k in 0..<600 {
            var names = ["a", "b", "c"]
            if Int.random(in: 0..<10, using: &rng) == 0 { names.shuffle(using: &rng) }
            if Int.random(in: 0..<10, using: &rng) == 0 { names.append(["d", "a", "ab"].randomElement(using: &rng)!) }
            if Int.random(in: 0..<10, using: &rng) == 0 { names.removeLast() }
            let members = names.map { name -> String in
                let gap = Int.random(in: 0..<12, using: &rng) == 0 ? " " : ""
                return "\"\(name)\":" + gap + value()
            }
            var object = "{" + members.joined(separator: ",") + (Int.random(in: 0..<20, using: &rng) == 0 ? "," : "") + "}"
            if Int.random(in: 0..<30, using: &rng) == 0 { object.removeLast() }
            try Self.expectSameAsGeneral(object, note: "seed \(seed) #\(k):")
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
}
