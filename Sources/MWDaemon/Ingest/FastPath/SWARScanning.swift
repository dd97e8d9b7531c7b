// SPDX-License-Identifier: Apache-2.0
// SWAR scanning: eight JSON bytes tested or converted at once in one 64-bit word.

/// The word-at-a-time helpers of the compact path (``compactKnownFeatures``) and of
/// ``plainDecimal()``: each reads or takes 8 bytes as one little-endian `UInt64` and finds
/// lanes (quotes, separators, non-digits) with carry-free arithmetic. Each has a seeded random
/// differential test against the plain byte-by-byte reading (`SWARScanningTests`).
extension JSONScanner {
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
