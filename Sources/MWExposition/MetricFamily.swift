// SPDX-License-Identifier: Apache-2.0
// The exposition model: a family (name, HELP, TYPE) holds labelled series.

/// The TYPE of a metric family. A `summary` carries only its quantile samples (numbers with
/// a `quantile` label): Prometheus reserves that label for summaries.
public enum MetricType: String, Sendable {
    case counter, gauge, histogram, summary, untyped
}

/// One labelled series of a family: a number, or a histogram's buckets, sum and count.
public struct MetricSeries: Sendable {
    /// What a series carries.
    public enum Value: Sendable {
        case number(Double)
        /// Cumulative bucket counts by upper bound (ascending, without +Inf), with sum and count.
        case histogram(buckets: [(upperBound: Double, count: UInt64)], sum: Double, count: UInt64)
    }

    /// Label pairs, sorted by name at construction.
    public let labels: [(name: String, value: String)]
    public let value: Value

    public init(labels: [(String, String)] = [], value: Value) {
        let named = labels.map { (name: $0.0, value: $0.1) }
        var ascending = true
        for i in named.indices.dropFirst() where named[i - 1].name > named[i].name {
            ascending = false
            break
        }
        self.labels = ascending ? named : named.sorted { $0.name < $1.name }
        self.value = value
    }

    public init(labels: [(String, String)] = [], _ number: Double) {
        self.init(labels: labels, value: .number(number))
    }
}

/// A metric family: one HELP, one TYPE, and series that all share the family's label names.
public struct MetricFamily: Sendable {
    public let name: String
    public let help: String
    public let type: MetricType
    public var series: [MetricSeries]

    /// Creates a family after checking the metric and label names.
    /// - Throws: ``ExpositionError`` for a name Prometheus would reject, or series whose label
    ///   names differ (a family is labelled one way only).
    public init(name: String, help: String, type: MetricType, series: [MetricSeries] = []) throws(ExpositionError) {
        guard MetricName.isValidMetricName(name) else { throw .invalidMetricName(name) }
        if type == .counter && !name.hasSuffix("_total") { throw .counterWithoutTotal(name) }
        if let first = series.first {
            for label in first.labels where !MetricName.isValidLabelName(label.name) {
                throw .invalidLabelName(family: name, label: label.name)
            }
        }
        let first = series.first?.labels ?? []
        for s in series {
            // Same names in the same order as the first series (then valid too): no allocation.
            guard s.labels.count == first.count else { throw .inconsistentLabels(family: name) }
            for i in first.indices where s.labels[i].name != first[i].name { throw .inconsistentLabels(family: name) }
            if case .histogram = s.value, type != .histogram { throw .typeMismatch(family: name) }
            if case .number = s.value, type == .histogram { throw .typeMismatch(family: name) }
        }
        self.name = name
        self.help = help
        self.type = type
        self.series = series
    }
}

/// Why a family was refused.
public enum ExpositionError: Error, Equatable, CustomStringConvertible {
    case invalidMetricName(String)
    case invalidLabelName(family: String, label: String)
    case inconsistentLabels(family: String)
    case typeMismatch(family: String)
    case counterWithoutTotal(String)
    case duplicateFamily(String)

    public var description: String {
        switch self {
        case .invalidMetricName(let n): return "'\(n)' is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
        case let .invalidLabelName(f, l): return "'\(l)' is not a valid label name in \(f) ([a-zA-Z_][a-zA-Z0-9_]*)"
        case .inconsistentLabels(let f): return "series of \(f) have different label names"
        case .typeMismatch(let f): return "series of \(f) do not match its type"
        case .counterWithoutTotal(let n): return "counter \(n) must end in _total"
        case .duplicateFamily(let n): return "metric family \(n) is produced twice"
        }
    }
}

/// Character rules for metric and label names (Prometheus data model).
public enum MetricName {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
    public static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetter(first) || first == UInt8(ascii: "_"), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
