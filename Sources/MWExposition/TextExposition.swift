// SPDX-License-Identifier: Apache-2.0
// Renders families in the Prometheus text format 0.0.4 or OpenMetrics 1.0, byte-stable.

/// The two exposition formats `/metrics` speaks.
public enum ExpositionFormat: Sendable {
    /// `text/plain; version=0.0.4`
    case prometheusText
    /// `application/openmetrics-text; version=1.0.0`
    case openMetrics

    /// The `Content-Type` of a response in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks the format an `Accept` header asks for (OpenMetrics only when named).
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept, accept.contains("application/openmetrics-text") else { return .prometheusText }
        return .openMetrics
    }
}

/// Writes families as exposition text: families sorted by name, series by labels, HELP and TYPE
/// once per family, `+Inf`/`-Inf`/`NaN` spelled as Prometheus expects, a `+Inf` bucket, `_sum` and
/// `_count` for every histogram.
public enum TextExposition {
    /// Appends `families` to `out` in `format`.
    public static func render(_ families: [MetricFamily], format: ExpositionFormat = .prometheusText, into out: inout [UInt8]) {
        // Sort indices, not the (large) values.
        for f in families.indices.sorted(by: { families[$0].name < families[$1].name }) {
            let family = families[f]
            let familyName = format == .openMetrics && family.type == .counter ? String(family.name.dropLast(6)) : family.name
            out.append(contentsOf: "# HELP \(familyName) ".utf8)
            appendEscaped(family.help, escapeQuotes: format == .openMetrics, into: &out)
            out.append(contentsOf: "\n# TYPE \(familyName) \(format == .openMetrics && family.type == .untyped ? "unknown" : family.type.rawValue)\n".utf8)
            let all = family.series
            // A summary's quantiles of one series must be adjacent (OpenMetrics requires each
            // metric's samples to be contiguous), so `quantile` is compared after every other label.
            let grouping = family.type == .summary ? all.first?.labels.firstIndex { $0.name == "quantile" } : nil
            for i in all.indices.sorted(by: { labelsLess(all[$0].labels, all[$1].labels, last: grouping) }) {
                let series = all[i]
                switch series.value {
                case .number(let value):
                    appendSample(family.name, series.labels, extra: nil, value, into: &out)
                case let .histogram(buckets, sum, count):
                    for bucket in buckets where bucket.upperBound.isFinite {
                        appendSample(family.name + "_bucket", series.labels, extra: ("le", formatDouble(bucket.upperBound)),
                                     Double(bucket.count), into: &out)
                    }
                    appendSample(family.name + "_bucket", series.labels, extra: ("le", "+Inf"), Double(count), into: &out)
                    appendSample(family.name + "_sum", series.labels, extra: nil, sum, into: &out)
                    appendSample(family.name + "_count", series.labels, extra: nil, Double(count), into: &out)
                }
            }
        }
        if format == .openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
    }

    /// Renders to a fresh buffer.
    public static func render(_ families: [MetricFamily], format: ExpositionFormat = .prometheusText) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.count * 256)
        render(families, format: format, into: &out)
        return out
    }

    private static func appendSample(_ name: String, _ labels: [(name: String, value: String)], extra: (String, String)?,
                                     _ value: Double, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        if !labels.isEmpty || extra != nil {
            out.append(UInt8(ascii: "{"))
            var first = true
            for label in labels {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendLabel(label.name, label.value, into: &out)
            }
            if let extra {
                if !first { out.append(UInt8(ascii: ",")) }
                appendLabel(extra.0, extra.1, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: formatDouble(value).utf8)
        out.append(UInt8(ascii: "\n"))
    }

    private static func appendLabel(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: "=\"".utf8)
        appendEscaped(value, escapeQuotes: true, into: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Escapes `\` and newline (and `"` in label values).
    static func appendEscaped(_ text: String, escapeQuotes: Bool, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\"") where escapeQuotes: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: out.append(byte)
            }
        }
    }

    /// Formats a sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, otherwise the
    /// shortest representation that round-trips.
    public static func formatDouble(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Orders the series of one family: they share their label names (``MetricFamily`` checks
    /// it), so only the values are compared; the label at `last` (a summary's `quantile`) is
    /// compared after all others, numerically.
    private static func labelsLess(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)], last: Int?) -> Bool {
        for i in 0..<min(a.count, b.count) where i != last && a[i].value != b[i].value {
            return a[i].value < b[i].value
        }
        if let last, last < a.count, last < b.count, a[last].value != b[last].value {
            return (Double(a[last].value) ?? .infinity, a[last].value) < (Double(b[last].value) ?? .infinity, b[last].value)
        }
        return a.count < b.count
    }
}
