// SPDX-License-Identifier: Apache-2.0
// The `features` object of a prediction event, read and checked name by name.

import MWStats

extension FieldReader {
    /// `features`: an object of name: value. While the names equal the previous event's of the
    /// body, position by position, they are neither re-read nor re-validated nor checked for
    /// duplicates (that event passed every check), and the event shares the previous event's
    /// ``FeatureNames``; the first different name switches to the full checks.
    mutating func features(_ s: inout JSONScanner, _ key: String, bit: UInt32,
                           previous: inout FeatureNameCache) throws(JSONSyntaxError) -> Features {
        guard first(key, bit) else { try s.skipValue(depth: limits.maxDepth - 2); return Features() }
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            let value = try s.scalar(depth: limits.maxDepth - 2)
            if case .null = value { return Features() }
            fail(key, .invalidType, "features must be an object of name: value, got \(kind(value))")
            return Features()
        }
        try s.expect(UInt8(ascii: "{"), "'{'")
        if s.consume(UInt8(ascii: "}")) { return Features() }
        var values: [PackedValue] = []
        var position = 0
        var diverged = true
        if let known = previous.known, known.count > 0, known.count <= limits.maxFeatures {  // (the limit may have changed since)
            diverged = false
            // The common compact shape in one tight loop, writing straight into the values'
            // storage; the loop below takes over wherever it stops (whitespace, another kind of
            // value, an error to report, another name).
            var compact = (position: 0, closed: false)
            values = [PackedValue](unsafeUninitializedCapacity: known.count) { buffer, initialized in
                compact = s.compactKnownFeatures(from: 0, known, maxString: limits.maxStringBytes,
                                                 values: buffer.baseAddress!, strings: &previous.strings)
                initialized = compact.position
            }
            position = compact.position
            while !compact.closed {
                guard position < known.count, known.isLiteral(position),
                      s.consumeString(equalTo: known.start(position), count: known.length(position)) else {
                    diverged = true  // this name is read again below
                    break
                }
                try s.expect(UInt8(ascii: ":"), "':' after \"\(known.names.names[position])\"")
                if problem == nil {
                    if let value = try featureValue(&s, name: known.names.names[position], strings: &previous.strings) {
                        values.append(value)
                    }
                } else {
                    try s.skipValue(depth: limits.maxDepth - 3)  // the event is refused anyway: just read on
                }
                position += 1
                guard s.consume(UInt8(ascii: ",")) else { break }
            }
            if !diverged {
                try s.expect(UInt8(ascii: "}"), "',' or '}' in features")
                guard problem == nil else { return Features() }
                if position == known.count { return Features(names: known.names, packed: values, categories: previous.strings.table) }
                let names = Array(known.names.names.prefix(position))
                previous.remember(names)
                return Features(names: previous.known!.names, packed: values, categories: previous.strings.table)
            }
        }
        // Names read and checked one by one: duplicates by a linear scan while few, a hash table beyond.
        var names = previous.known.map { Array($0.names.names.prefix(position)) } ?? []
        var table: StringTable? = nil
        repeat {
            let name = try s.string()
            try s.expect(UInt8(ascii: ":"), "':' after \"\(name)\"")
            guard problem == nil else { try s.skipValue(depth: limits.maxDepth - 3); continue }
            guard names.count < limits.maxFeatures else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(key, .tooManyFeatures, "more than \(limits.maxFeatures) features (limits.max_features_per_event)")
                continue
            }
            guard Names.isValidFeatureName(name) else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(Self.featureField(name), .invalidName, "feature name \(name.prefix(128)) must match \(Names.featureNameRule)")
                continue
            }
            let duplicate: Bool
            if names.count < 16 {
                duplicate = names.contains(name)
            } else {
                if table == nil { table = StringTable(names) }
                duplicate = !table!.insert(name, at: names.count, in: names)  // compares existing names only
            }
            guard !duplicate else {
                try s.skipValue(depth: limits.maxDepth - 3)
                fail(Self.featureField(name), .duplicateField, "feature \(name) appears twice")
                continue
            }
            guard let value = try featureValue(&s, name: name, strings: &previous.strings) else { continue }
            names.append(name)
            values.append(value)
        } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "}"), "',' or '}' in features")
        guard problem == nil else { return Features() }
        previous.remember(names)
        return Features(names: previous.known!.names, packed: values, categories: previous.strings.table)
    }

    /// One feature value: a number, a category (string or boolean) or missing (null); nil with
    /// a problem recorded for anything else.
    @inline(__always)
    private mutating func featureValue(_ s: inout JSONScanner, name: @autoclosure () -> String,
                                       strings: inout ShortStrings) throws(JSONSyntaxError) -> PackedValue? {
        s.skipWhitespace()
        switch s.peek {
        case UInt8(ascii: "\""):
            if let bytes = s.plainASCIIString() {
                guard bytes.count <= limits.maxStringBytes else {
                    tooLong(name(), bytes.count)
                    return nil
                }
                return strings.category(bytes)
            }
            let text = try s.string()
            guard text.utf8.count <= limits.maxStringBytes else {
                tooLong(name(), text.utf8.count)
                return nil
            }
            return strings.category(text)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard let b = try s.literal() else { return .missing }
            return strings.category(b ? "true" : "false")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let value = try s.scalar(depth: limits.maxDepth - 3)
            fail(Self.featureField(name()), .invalidType, "\(Self.featureField(name())) must be a number, string, boolean or null, got \(kind(value))")
            return nil
        default:
            let number = try s.number()
            return finite(number, Self.featureField(name())).map { PackedValue(number: $0) }
        }
    }

    private mutating func tooLong(_ name: String, _ count: Int) {
        fail(Self.featureField(name), .stringTooLong,
             "\(Self.featureField(name)) is \(count) bytes; the limit is \(limits.maxStringBytes) (limits.max_string_bytes)")
    }
}
