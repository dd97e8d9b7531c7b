// SPDX-License-Identifier: Apache-2.0
// What a body's decoding remembers between events: feature names matched in place, short
// category strings entered once.

import MWStats

/// What decoding a body remembers from event to event: the last accepted feature names (the
/// events of a batch usually list the same names in the same order, so the next event's names
/// are matched byte for byte and shared) and the short category strings already made.
///
/// `known` may be seeded with the names of an earlier body (the model's last one): single-event
/// requests from one producer then share one name list too. The category strings are the
/// body's own.
public struct FeatureNameCache {
    public private(set) var known: KnownNames?
    var strings = ShortStrings()

    public init(known: KnownNames? = nil) { self.known = known }

    mutating func remember(_ names: [String]) { known = KnownNames(names) }
}

/// Feature names with their bytes laid end to end, compared in place by the scanner.
/// Immutable once made, so bodies decoded on different threads may share one.
///
/// Each name is kept as the bytes a compact body spells it with, `"name":`, and its first 8
/// bytes (masked to the pattern's length) and last 8 as words: a pattern of up to 16 bytes is
/// recognised with one or two word comparisons. A name JSON must escape (a quote, a backslash,
/// a control character) is never spelt by its own bytes, so it never matches in place and is
/// always read by the general code.
public final class KnownNames: @unchecked Sendable {
    let names: FeatureNames
    let count: Int
    /// `"name":` for each name, end to end.
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
    private let words: UnsafeMutablePointer<PatternWords>

    struct PatternWords {
        var head: UInt64
        var headMask: UInt64
        var tail: UInt64
        /// The pattern's length; `unmatchable` for a name that needs escaping.
        var length: Int
    }

    /// Longer than any body: ``matches(_:at:)`` is never reached for such a name.
    static let unmatchable = Int.max >> 2

    init(_ names: [String]) {
        self.names = FeatureNames(names)
        count = names.count
        let total = names.reduce(0) { $0 + $1.utf8.count + 3 }
        bytes = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: count + 1)
        words = .allocate(capacity: max(count, 1))
        var at = 0
        for (i, name) in names.enumerated() {
            starts[i] = at
            let pattern = [UInt8(ascii: "\"")] + Array(name.utf8) + [UInt8(ascii: "\""), UInt8(ascii: ":")]
            for b in pattern { bytes[at] = b; at += 1 }
            let literal = !name.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }
            var head: UInt64 = 0, tail: UInt64 = 0
            for (k, b) in pattern.prefix(8).enumerated() { head |= UInt64(b) << (8 * k) }
            for (k, b) in pattern.suffix(8).enumerated() { tail |= UInt64(b) << (8 * k) }
            let mask: UInt64 = pattern.count >= 8 ? ~0 : (1 << (8 * UInt64(pattern.count))) - 1
            words[i] = PatternWords(head: head, headMask: mask, tail: tail, length: literal ? pattern.count : Self.unmatchable)
        }
        starts[count] = at
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        words.deallocate()
    }

    /// Name `i`'s bytes, without the quotes.
    @inline(__always) func start(_ i: Int) -> UnsafePointer<UInt8> { UnsafePointer(bytes + starts[i] + 1) }
    /// Name `i`'s length in bytes.
    @inline(__always) func length(_ i: Int) -> Int { starts[i + 1] - starts[i] - 3 }
    /// Whether name `i` can be matched by its own bytes (it needs no escape).
    @inline(__always) func isLiteral(_ i: Int) -> Bool { words[i].length != Self.unmatchable }
    /// The length of `"name":` for name `i` (``unmatchable`` when it needs escaping).
    @inline(__always) func patternLength(_ i: Int) -> Int { words[i].length }

    /// Whether the bytes at `s` start with `"name":` for name `i`, a literal name; at least
    /// `max(8, patternLength(i))` bytes must be readable there.
    @inline(__always)
    func matches(_ i: Int, at s: UnsafePointer<UInt8>) -> Bool {
        let w = words[i], raw = UnsafeRawPointer(s)
        guard (raw.loadUnaligned(as: UInt64.self) ^ w.head) & w.headMask == 0 else { return false }
        if w.length <= 8 { return true }
        guard raw.loadUnaligned(fromByteOffset: w.length - 8, as: UInt64.self) == w.tail else { return false }
        if w.length <= 16 { return true }
        return JSONScanner.bytesEqual(s + 8, bytes + starts[i] + 8, count: w.length - 16)
    }
}

/// The category strings of one body's events (see ``CategoryStrings``), with those of up to
/// 7 ASCII bytes entered once: a direct-mapped table keyed by the bytes packed into a word
/// (a category such as "ES" or "mobile" repeats on every line).
struct ShortStrings {
    let table = CategoryStrings()
    private var keys = [UInt64](repeating: 0, count: 64)
    private var indices = [Int](repeating: 0, count: 64)

    /// The value of the category spelt by `bytes` (plain ASCII).
    @inline(__always)
    mutating func category(_ bytes: UnsafeBufferPointer<UInt8>) -> PackedValue {
        let n = bytes.count
        guard n <= 7 else { return PackedValue(category: table.append(String(decoding: bytes, as: UTF8.self))) }
        var key: UInt64 = 0
        for j in 0..<n { key |= UInt64(bytes[j]) << (8 * j) }
        return category(bytes, key: Self.key(word: key, count: n))
    }

    /// The key of a string of `n` ≤ 7 bytes held in the low lanes of `word` (others zero).
    @inline(__always)
    static func key(word: UInt64, count n: Int) -> UInt64 { word | UInt64(n &+ 1) << 56 }  // never 0: an empty slot never matches

    /// The value of the category spelt by `bytes` (plain ASCII, at most 7), whose ``key(word:count:)`` is `key`.
    @inline(__always)
    mutating func category(_ bytes: UnsafeBufferPointer<UInt8>, key: UInt64) -> PackedValue {
        let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 58)
        if keys[slot] == key { return PackedValue(category: indices[slot]) }
        let index = table.append(String(decoding: bytes, as: UTF8.self))
        keys[slot] = key
        indices[slot] = index
        return PackedValue(category: index)
    }

    /// The value of category `text`.
    mutating func category(_ text: String) -> PackedValue { PackedValue(category: table.append(text)) }
}
