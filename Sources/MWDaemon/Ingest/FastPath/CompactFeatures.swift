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
}
