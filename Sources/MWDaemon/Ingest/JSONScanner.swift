// SPDX-License-Identifier: Apache-2.0
// A strict, allocation-light JSON tokenizer over raw bytes (RFC 8259).

#if canImport(Glibc)
import Glibc
#endif

/// A syntax error: where, and what was expected. The whole body is refused (400).
public struct JSONSyntaxError: Error, Equatable {
    public let offset: Int
    public let message: String
}

/// A number token: finite, or one of the non-JSON literals Python's `json.dumps` emits, which
/// the API refuses per event rather than as unparseable.
enum JSONNumber: Equatable {
    case finite(Double)
    case notFinite(String)
}

/// Reads JSON tokens from a byte buffer in place. The event decoder drives it field by field,
/// so no intermediate tree is built. Strict: no trailing commas, no leading zeros, no control
/// characters in strings, UTF-8 validated; nesting is bounded by the caller's depth limit.
struct JSONScanner {
    /// The scanned bytes (read by the compact feature reader, `CompactFeatures.swift`).
    let base: UnsafePointer<UInt8>
    let end: Int
    private(set) var offset: Int

    /// Moves to `offset`, a position a fast path has read up to.
    mutating func resume(at offset: Int) { self.offset = offset }

    /// - Precondition: `bytes` outlives the scanner.
    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? UnsafePointer(bitPattern: 1)!
        self.end = end ?? bytes.count
        offset = start
    }

    var atEnd: Bool { offset >= end }

    /// The next byte without consuming it (0 at the end).
    @inline(__always) var peek: UInt8 { offset < end ? base[offset] : 0 }

    @inline(__always) mutating func skipWhitespace() {
        while offset < end {
            let c = base[offset]
            guard c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 else { return }
            offset += 1
        }
    }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: offset, message: message) }

    mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard peek == byte else { throw error("expected \(what())") }
        offset += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    @inline(__always) mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        if peek == byte { offset += 1; return true }
        return false
    }

    // MARK: - Strings

    /// Consumes the next string token when its raw bytes are exactly the `count` bytes at
    /// `expected` (which hold no quote or backslash); otherwise consumes nothing.
    @inline(__always)
    mutating func consumeString(equalTo expected: UnsafePointer<UInt8>, count n: Int) -> Bool {
        skipWhitespace()
        guard offset + n + 1 < end, base[offset] == UInt8(ascii: "\""), base[offset + n + 1] == UInt8(ascii: "\"") else {
            return false
        }
        guard Self.bytesEqual(base + offset + 1, expected, count: n) else { return false }
        offset += n + 2
        return true
    }

    /// Consumes the next string token when it is plain ASCII (no escape, no control character)
    /// and returns its bytes, which stay valid as long as the scanned buffer; otherwise
    /// consumes nothing and returns nil (``string()`` then reads it or reports the error).
    @inline(__always)
    mutating func plainASCIIString() -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard let (bytes, next) = Self.plainASCIIString(base, from: offset, end: end) else { return nil }
        offset = next
        return bytes
    }

    /// ``plainASCIIString()`` on raw bytes, the opening quote at `start`: the string's bytes
    /// and the index after its closing quote, or nil.
    @inline(__always)
    static func plainASCIIString(_ b: UnsafePointer<UInt8>, from start: Int, end: Int) -> (UnsafeBufferPointer<UInt8>, Int)? {
        guard start < end, b[start] == UInt8(ascii: "\"") else { return nil }
        var i = start + 1
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return (UnsafeBufferPointer(start: b + start + 1, count: i - start - 1), i + 1) }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { return nil }
            i += 1
        }
        return nil
    }

    /// Whether the `count` bytes at `a` and `b` are equal, compared word by word: names are
    /// short, and a call to memcmp costs more than the comparison.
    @inline(__always)
    static func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
            i += 8
        }
        while i < n {
            guard a.load(fromByteOffset: i, as: UInt8.self) == b.load(fromByteOffset: i, as: UInt8.self) else { return false }
            i += 1
        }
        return true
    }

    /// Reads a string token (the opening quote must be next).
    mutating func string() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw error("expected a string") }
        offset += 1
        let start = offset
        var ascii = true
        // Fast path: no escapes.
        while offset < end {
            let c = base[offset]
            if c == UInt8(ascii: "\"") {
                let buffer = UnsafeBufferPointer(start: base + start, count: offset - start)
                offset += 1
                if ascii { return String(decoding: buffer, as: UTF8.self) }  // ASCII is valid UTF-8
                if let s = String(validating: buffer, as: UTF8.self) { return s }
                throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8")
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            ascii = ascii && c < 0x80
            offset += 1
        }
        guard offset < end else { throw error("unterminated string") }
        var bytes = Array(UnsafeBufferPointer(start: base + start, count: offset - start))
        while offset < end {
            let c = base[offset]
            if c == UInt8(ascii: "\"") {
                offset += 1
                if let s = String(validating: bytes, as: UTF8.self) { return s }
                throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8")
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") {
                bytes.append(c)
                offset += 1
                continue
            }
            offset += 1
            guard offset < end else { break }
            let e = base[offset]
            offset += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0c)
            case UInt8(ascii: "n"): bytes.append(0x0a)
            case UInt8(ascii: "r"): bytes.append(0x0d)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard peek == UInt8(ascii: "\\"), offset + 1 < end, base[offset + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    offset += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00..<0xe000).contains(scalar) {
                    throw error("unpaired surrogate in \\u escape")
                }
                bytes.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
            default:
                throw JSONSyntaxError(offset: offset - 1, message: "invalid escape \\\(Character(Unicode.Scalar(e)))")
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard offset + 4 <= end else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = base[offset]
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x41...0x46: digit = c - 0x41 + 10
            case 0x61...0x66: digit = c - 0x61 + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    // MARK: - Numbers

    /// 10^k for 0 ≤ k ≤ 22, the powers of ten a double holds exactly. A literal array is laid
    /// out at compile time: an indexed load, where a `switch` became an indirect jump that
    /// mispredicted whenever the number of decimals changed.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double { exactPowersOfTen[k] }

    /// Reads a number token. Exact: Clinger's fast path when it applies, else `strtod`.
    @inline(__always)
    mutating func number() throws(JSONSyntaxError) -> JSONNumber {
        skipWhitespace()
        if let x = plainDecimal() { return .finite(x) }
        return try anyNumber()
    }

    /// The common case in one pass: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most 19 digits, a
    /// mantissa below 2^53 and at most 22 decimals, whose value `mantissa / 10^decimals` is
    /// correctly rounded (Clinger). Anything else (exponents, long or malformed numbers)
    /// consumes nothing and returns nil.
    @inline(__always)
    mutating func plainDecimal() -> Double? {
        guard let (x, next) = Self.plainDecimal(base, from: offset, end: end) else { return nil }
        offset = next
        return x
    }

    /// ``plainDecimal()`` on raw bytes: the value and the index after it, or nil.
    @inline(__always)
    static func plainDecimal(_ b: UnsafePointer<UInt8>, from start: Int, end: Int) -> (Double, Int)? {
        var i = start
        let negative = i < end && b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let integerStart = i
        var mantissa: UInt64 = 0
        while i < end {
            let d = b[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        let integerDigits = i - integerStart
        guard integerDigits > 0, integerDigits == 1 || b[integerStart] != 0x30 else { return nil }
        var decimals = 0
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end {
                let d = b[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            decimals = i - fractionStart
            guard decimals > 0 else { return nil }
        }
        guard integerDigits + decimals <= 19, mantissa < 1 << 53, decimals <= 22 else { return nil }
        if i < end && b[i] | 0x20 == UInt8(ascii: "e") { return nil }
        let x = Double(Int64(bitPattern: mantissa)) / exactPowerOfTen(decimals)  // mantissa < 2^53
        return (negative ? -x : x, i)
    }

    /// Any number token, with exponents, many digits, and the errors.
    private mutating func anyNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = offset
        var negative = false
        if peek == UInt8(ascii: "-") { negative = true; offset += 1 }
        if peek == UInt8(ascii: "I") { return try literalNumber(negative ? "-Infinity" : "Infinity", start: start) }
        if peek == UInt8(ascii: "N"), !negative { return try literalNumber("NaN", start: start) }
        var mantissa: UInt64 = 0
        var significant = 0
        var truncated = false
        var exponent = 0
        @inline(__always) func digit(_ d: UInt64, fraction: Bool) {
            if mantissa == 0 && d == 0 {
                if fraction { exponent -= 1 }
            } else if significant < 19 {
                mantissa = mantissa * 10 + d
                significant += 1
                if fraction { exponent -= 1 }
            } else {
                truncated = true
                if !fraction { exponent += 1 }
            }
        }
        guard peek >= 0x30 && peek <= 0x39 else { throw error("expected a number") }
        if peek == 0x30 {
            offset += 1
            if peek >= 0x30 && peek <= 0x39 { throw error("leading zeros are not allowed") }
        } else {
            while peek >= 0x30 && peek <= 0x39 {
                digit(UInt64(peek - 0x30), fraction: false)
                offset += 1
            }
        }
        if peek == UInt8(ascii: ".") {
            offset += 1
            guard peek >= 0x30 && peek <= 0x39 else { throw error("expected a digit after the decimal point") }
            while peek >= 0x30 && peek <= 0x39 {
                digit(UInt64(peek - 0x30), fraction: true)
                offset += 1
            }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            offset += 1
            var exponentNegative = false
            if peek == UInt8(ascii: "+") { offset += 1 } else if peek == UInt8(ascii: "-") { exponentNegative = true; offset += 1 }
            guard peek >= 0x30 && peek <= 0x39 else { throw error("expected a digit in the exponent") }
            var e = 0
            while peek >= 0x30 && peek <= 0x39 {
                if e < 100_000 { e = e * 10 + Int(peek - 0x30) }
                offset += 1
            }
            exponent += exponentNegative ? -e : e
        }
        if !truncated, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent >= 0 ? value * Self.exactPowerOfTen(exponent) : value / Self.exactPowerOfTen(-exponent)
            return .finite(negative ? -value : value)
        }
        return .finite(slowNumber(start: start))
    }

    private func slowNumber(start: Int) -> Double {
        var text = [CChar](repeating: 0, count: offset - start + 1)
        for i in 0..<(offset - start) { text[i] = CChar(bitPattern: base[start + i]) }
        return strtod(text, nil)  // ±inf on overflow: the caller refuses it as out of range
    }

    private mutating func literalNumber(_ word: String, start: Int) throws(JSONSyntaxError) -> JSONNumber {
        offset = start
        for byte in word.utf8 {
            guard peek == byte else { throw error("expected a number") }
            offset += 1
        }
        return .notFinite(word)
    }

    // MARK: - Literals and skipping

    /// Consumes `true`, `false` or `null` if next; returns which.
    mutating func literal() throws(JSONSyntaxError) -> Bool? {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "t"): try word("true"); return true
        case UInt8(ascii: "f"): try word("false"); return false
        case UInt8(ascii: "n"): try word("null"); return nil
        default: throw error("expected a value")
        }
    }

    private mutating func word(_ text: StaticString) throws(JSONSyntaxError) {
        let count = text.utf8CodeUnitCount
        guard offset + count <= end else { throw error("invalid literal") }
        for i in 0..<count where base[offset + i] != text.utf8Start[i] { throw error("invalid literal") }
        offset += count
    }

    /// Skips one value of any kind, refusing nesting deeper than `depth` more levels.
    mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth > 0 else { throw error("JSON nesting is deeper than the limit (limits.max_json_depth)") }
            let close = peek == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            offset += 1
            if consume(close) { return }
            repeat {
                if isObject {
                    _ = try string()
                    try expect(UInt8(ascii: ":"), "':' after an object key")
                }
                try skipValue(depth: depth - 1)
            } while consume(UInt8(ascii: ","))
            try expect(close, isObject ? "',' or '}'" : "',' or ']'")
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): _ = try literal()
        default: _ = try number()
        }
    }
}

/// A value read where an event expects a scalar.
enum JSONScalar {
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null
    /// An object or array (already skipped): "an object" or "an array".
    case compound(String)
}

extension JSONScanner {
    /// Reads any value; objects and arrays are skipped (within `depth` levels) and reported as compound.
    mutating func scalar(depth: Int) throws(JSONSyntaxError) -> JSONScalar {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            if let b = try literal() { return .bool(b) }
            return .null
        case UInt8(ascii: "{"):
            try skipValue(depth: depth)
            return .compound("an object")
        case UInt8(ascii: "["):
            try skipValue(depth: depth)
            return .compound("an array")
        default: return .number(try number())
        }
    }
}

