// SPDX-License-Identifier: Apache-2.0
// Prometheus-style durations: 90s, 5m, 1h30m, 7d, 1w, 250ms.

/// Parses and prints durations the way Prometheus writes them.
public enum DurationParser {
    private static let units: [(String, Double)] = [
        ("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("ms", 0.001), ("m", 60), ("s", 1),
    ]

    /// Seconds in `text`, or nil if it is not a Prometheus duration (units y, w, d, h, m, s, ms,
    /// largest first, each at most once, e.g. `1h30m`).
    public static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        var lastRank = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let order = ["y", "w", "d", "h", "m", "s", "ms"]
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }),
                  let rank = order.firstIndex(of: unit), rank > lastRank else { return nil }
            lastRank = rank
            rest = rest.dropFirst(unit.count)
            total += value * factor
        }
        return total
    }

    /// The shortest Prometheus spelling of `seconds` (e.g. 5400 → `1h30m`).
    public static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        var remaining = (seconds * 1000).rounded()
        var out = ""
        for (unit, factor) in [("d", 86_400_000.0), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            let n = (remaining / factor).rounded(.down)
            if n > 0 {
                out += "\(Int(n))\(unit)"
                remaining -= n * factor
            }
        }
        return out
    }
}
