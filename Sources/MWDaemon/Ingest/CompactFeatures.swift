// SPDX-License-Identifier: Apache-2.0
// The common shape of a batch's features read in one tight loop.

import MWStats

extension JSONScanner {
    /// Reads the features of an object whose names are `known`'s, from `position` on, while
    /// they take the common compact shape: `"name":value` with no whitespace, each value a plain
    /// decimal (as ``plainDecimal()`` reads) or a plain ASCII string of at most `maxString`
    /// bytes, followed by `,` or `}`. Everything stays in registers. Stops at the start of the
    /// first feature it cannot take whole (another name, whitespace, another kind of value, an
    /// error to report) or at the closing `}` after a value, and returns the position reached
    /// and whether it is that `}`; otherwise the caller reads on with the general code.
    /// `values` has room for `known.count` values; value `p` is written at `values[p]`.
    ///
    /// Names are recognised with one or two word comparisons (``KnownNames/matches(_:at:)``),
    /// numbers that end within 8 bytes and strings of up to 7 bytes with one 8-byte read each.
    mutating func compactKnownFeatures(from position: Int, _ known: KnownNames, maxString: Int,
                                       values: UnsafeMutablePointer<PackedValue>, strings: inout ShortStrings) -> (position: Int, closed: Bool) {
        let b = base, end = self.end
        var i = offset, p = position, closed = false
        while p < known.count {
            // "name": — and room for the 8-byte reads of the value (the general code reads
            // the last bytes of a body).
            let nameLength = known.patternLength(p)
            guard i &+ nameLength &+ 24 <= end, known.matches(p, at: b + i) else { break }
            var j = i &+ nameLength
            let value: PackedValue
            // The value's first 8 bytes and the 8 after its first byte, read at once.
            let w0 = UnsafeRawPointer(b + j).loadUnaligned(as: UInt64.self)
            let w1 = UnsafeRawPointer(b + j + 1).loadUnaligned(as: UInt64.self)
            let first = UInt8(truncatingIfNeeded: w0)
            if first == UInt8(ascii: "\"") {
                if let (word, n) = Self.shortPlainString(w1), n <= maxString {
                    value = strings.category(UnsafeBufferPointer(start: b + j + 1, count: n), key: ShortStrings.key(word: word, count: n))
                    j = j &+ n &+ 2
                } else {
                    guard let (bytes, next) = Self.plainASCIIString(b, from: j, end: end), bytes.count <= maxString else { break }
                    value = strings.category(bytes)
                    j = next
                }
            } else {
                let negative = first == UInt8(ascii: "-")
                let digits = negative ? j &+ 1 : j
                let w = negative ? w1 : w0
                // Where the next feature starts comes from the separator's lane in the word, not
                // from the end of the parsed number, so that the next iteration need not wait
                // for the parse: the number is taken only if it ends exactly there. (The two
                // conversions below stay apart: merged, the loop was about 1 % slower.)
                let separator = Self.separatorLane(w)
                if let (length, mantissa, decimals) = Self.decimalInWord(w), length == separator {
                    let x = Double(Int64(bitPattern: mantissa)) / Self.exactPowerOfTen(decimals)
                    value = PackedValue(number: negative ? -x : x)
                    j = digits &+ separator
                } else if let (length, mantissa, decimals) = Self.decimalInTwoRuns(b, from: digits, end: end) {
                    // At most 14 digits: the mantissa is below 2^53, and the division is exact (Clinger).
                    let x = Double(Int64(bitPattern: mantissa)) / Self.exactPowerOfTen(decimals)
                    value = PackedValue(number: negative ? -x : x)
                    j = digits &+ length
                } else if let (x, next) = Self.plainDecimal(b, from: j, end: end) {
                    value = PackedValue(number: x)
                    j = next
                } else {
                    break
                }
            }
            // , or }
            guard j < end else { break }
            let separator = b[j]
            if separator == UInt8(ascii: ",") {
                values[p] = value
                p &+= 1
                i = j &+ 1
            } else if separator == UInt8(ascii: "}") {
                values[p] = value
                p &+= 1
                i = j
                closed = true
                break
            } else {
                break
            }
        }
        resume(at: i)
        return (p, closed)
    }

    /// A plain ASCII string of at most 7 bytes whose closing quote lies in the 8 bytes `w`
    /// (read just after the opening quote): the word of its bytes (other lanes zero) and its
    /// length; nil when the quote is further, or a backslash, control or non-ASCII byte comes
    /// first. Each test finds its lowest lane exactly (a borrow only runs upward from a true lane).
    @inline(__always)
    static func shortPlainString(_ w: UInt64) -> (word: UInt64, count: Int)? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (0x22 &* ones), backslash = w ^ (0x5C &* ones)
        let quotes = (quote &- ones) & ~quote & highs
        let bad = (((backslash &- ones) & ~backslash) | (w &- 0x20 &* ones) | w) & highs
        let n = quotes.trailingZeroBitCount >> 3  // 8: none
        guard n < 8, bad.trailingZeroBitCount >> 3 >= n else { return nil }
        return (w & ((1 << UInt64(8 * n)) &- 1), n)
    }

    /// The digits of a plain unsigned decimal at `start` of at most 7 integer digits and 7
    /// decimals, read 8 bytes at a time (``digitRun(_:)``) instead of digit by digit, whose
    /// chain of multiply-adds was the decoder's critical path: its length, its digits as one
    /// integer and its number of decimals; nil for anything else (the caller reads it digit by
    /// digit). For numbers that ``decimalInWord(_:)`` cannot take. An exponent that follows is
    /// not looked for: the caller requires `,` or `}` after the number.
    static func decimalInTwoRuns(_ b: UnsafePointer<UInt8>, from start: Int, end: Int) -> (length: Int, mantissa: UInt64, decimals: Int)? {
        guard start + 16 <= end else { return nil }  // room for two 8-byte reads
        let (integerDigits, integer) = digitRun(b + start)
        guard integerDigits > 0, integerDigits < 8, integerDigits == 1 || b[start] != 0x30 else { return nil }
        var j = start + integerDigits
        var mantissa = integer, decimals = 0
        if b[j] == UInt8(ascii: ".") {
            let (fractionDigits, fraction) = digitRun(b + j + 1)
            guard fractionDigits > 0, fractionDigits < 8 else { return nil }
            mantissa = integer &* exactIntegerPowerOfTen(fractionDigits) &+ fraction
            decimals = fractionDigits
            j += 1 + fractionDigits
        }
        return (j - start, mantissa, decimals)
    }

    /// The lane of the first `,` or `}` in the 8 bytes `w` (8: none), exactly (as in
    /// ``shortPlainString(_:)``, a borrow only runs upward from a true lane).
    @inline(__always)
    static func separatorLane(_ w: UInt64) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let comma = w ^ (0x2C &* ones), brace = w ^ (0x7D &* ones)
        return ((((comma &- ones) & ~comma) | ((brace &- ones) & ~brace)) & highs).trailingZeroBitCount >> 3
    }

    /// A decimal that ends inside the 8 bytes `w` (`12`, `45.123`: at most 7 characters, the
    /// next byte neither a digit nor a point): its length, its digits as one integer and its
    /// number of decimals, from one SWAR conversion (the point's lane squeezed out first); nil
    /// for anything else. An exponent that follows is not looked for: the caller requires `,`
    /// or `}` after the number, so `1.5e3` leaves the compact path. (Transparent: in the compact
    /// loop the optimizer kept a call despite `@inline(__always)`, 3 % of the decoding time.)
    @_transparent
    static func decimalInWord(_ w: UInt64) -> (length: Int, mantissa: UInt64, decimals: Int)? {
        let lanes = w ^ 0x3030_3030_3030_3030
        let notDigit = (((lanes & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | lanes) & 0x8080_8080_8080_8080
        let first = notDigit.trailingZeroBitCount >> 3  // 8: no end in the word
        guard first > 0 && first < 8, first == 1 || lanes & 0xFF != 0 else { return nil }  // no leading zero
        var digits = lanes, length = first, decimals = 0
        if (lanes >> UInt64(8 &* first)) & 0xFF == UInt64(UInt8(ascii: ".") ^ 0x30) {
            let rest = notDigit & (notDigit &- 1)  // the lanes after the point
            let end = rest.trailingZeroBitCount >> 3
            guard end < 8, end > first + 1 else { return nil }
            // Lanes before the point move up one lane, over it: the digits become contiguous.
            let before: UInt64 = (1 << UInt64(8 * first)) &- 1
            let after: UInt64 = ~((1 << UInt64(8 * (first + 1))) &- 1)
            digits = ((lanes & before) << 8) | (lanes & after)
            length = end
            decimals = end - first - 1
        }
        // The digits occupy the lanes below `length` (after a zero lane when a point was
        // squeezed out): move them to the top lanes, zeros before them, and combine.
        var v = digits << UInt64(8 * (8 - length))
        v = ((v &* 2561) >> 8) & 0x00FF_00FF_00FF_00FF
        v = ((v &* 6_553_601) >> 16) & 0x0000_FFFF_0000_FFFF
        v = (v &* 42_949_672_960_001) >> 32
        return (length, v, decimals)
    }

    /// The run of ASCII digits at the start of the 8 bytes at `p` (little-endian: the first
    /// byte is the lowest): its length (8 when all are digits) and, below 8, its value. A lane
    /// is a digit when `byte ^ 0x30` is below 10; the digits are then combined in pairs,
    /// quadruples and the whole (three multiplications, after Lemire's eight-digit parse).
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>) -> (count: Int, value: UInt64) {
        let lanes = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) ^ 0x3030_3030_3030_3030
        let notDigit = (((lanes & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | lanes) & 0x8080_8080_8080_8080
        let count = notDigit.trailingZeroBitCount >> 3
        guard count > 0 && count < 8 else { return (count, 0) }
        var v = lanes << UInt64(8 * (8 - count))  // the digits to the top lanes, zeros before them
        v = ((v &* 2561) >> 8) & 0x00FF_00FF_00FF_00FF
        v = ((v &* 6_553_601) >> 16) & 0x0000_FFFF_0000_FFFF
        v = (v &* 42_949_672_960_001) >> 32
        return (count, v)
    }

    /// 10^k for 0 ≤ k ≤ 7, as an integer.
    @inline(__always)
    static func exactIntegerPowerOfTen(_ k: Int) -> UInt64 { integerPowersOfTen[k] }

    private static let integerPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]
}
