// SPDX-License-Identifier: Apache-2.0
// The Host header's grammar: uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2).

/// Checks a `Host` field value against `uri-host [ ":" port ]`:
/// - `uri-host` is an IP-literal (`[` IPv6address or IPvFuture `]`), an IPv4 address or a
///   reg-name (unreserved characters, percent-encodings and sub-delims; an IPv4 address is one);
///   it may be empty (RFC 9110 §7.2: a target without an authority sends an empty Host);
/// - `port` is digits, possibly none.
public enum HostHeader {
    public static func isValid(_ value: String) -> Bool {
        var bytes = Array(value.utf8)[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            guard isIPLiteral(bytes[(bytes.startIndex + 1)..<close]) else { return false }
            bytes = bytes[(close + 1)...]
        } else {
            let end = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            guard isRegName(bytes[..<end]) else { return false }
            bytes = bytes[end...]
        }
        guard let colon = bytes.first else { return true }
        return colon == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy(isDigit)
    }

    /// reg-name = *( unreserved / pct-encoded / sub-delims )
    static func isRegName(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < s.endIndex, isHex(s[i + 1]), isHex(s[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isUnreserved(c) || isSubDelim(c) else { return false }
            i += 1
        }
        return true
    }

    /// The inside of `[ ]`: IPv6address (hex digits, ':' and a dotted IPv4 tail, with at most one
    /// "::" and at most eight groups) or IPvFuture ("v" HEXDIG+ "." ( unreserved / sub-delims / ":" )+).
    static func isIPLiteral(_ s: ArraySlice<UInt8>) -> Bool {
        guard let first = s.first else { return false }
        if first == UInt8(ascii: "v") || first == UInt8(ascii: "V") {
            let rest = s.dropFirst()
            guard let dot = rest.firstIndex(of: UInt8(ascii: ".")), dot > rest.startIndex,
                  rest[..<dot].allSatisfy(isHex) else { return false }
            let tail = rest[(dot + 1)...]
            return !tail.isEmpty && tail.allSatisfy { isUnreserved($0) || isSubDelim($0) || $0 == UInt8(ascii: ":") }
        }
        return isIPv6(String(decoding: s, as: UTF8.self))
    }

    static func isIPv6(_ text: String) -> Bool {
        let b = Array(text.utf8)
        var doubleColons = 0
        for i in b.indices.dropLast() where b[i] == UInt8(ascii: ":") && b[i + 1] == UInt8(ascii: ":") { doubleColons += 1 }
        // ":::" holds two overlapping "::", and is invalid like any second "::"
        guard doubleColons <= 1, !text.isEmpty else { return false }
        var groups = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // "::" makes empty pieces at its place (and at the ends for "::1" or "1::").
        var count = 0
        if doubleColons == 1 { groups.removeAll { $0.isEmpty } } else if groups.contains("") { return false }
        for (i, g) in groups.enumerated() {
            if i == groups.count - 1 && g.contains(".") {  // a dotted IPv4 tail is two groups
                guard isIPv4(g) else { return false }
                count += 2
                continue
            }
            guard (1...4).contains(g.utf8.count), g.utf8.allSatisfy(isHex) else { return false }
            count += 1
        }
        return doubleColons == 1 ? count <= 7 : count == 8
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard (1...3).contains(p.utf8.count), p.utf8.allSatisfy(isDigit), let n = Int(p), n <= 255 else { return false }
            return p.utf8.count == 1 || p.first != "0"
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
    private static func isAlpha(_ c: UInt8) -> Bool { c | 0x20 >= 0x61 && c | 0x20 <= 0x7a }
    /// ALPHA / DIGIT / "-" / "." / "_" / "~"
    private static func isUnreserved(_ c: UInt8) -> Bool {
        isAlpha(c) || isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
    }
    /// "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
    private static func isSubDelim(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
