// SPDX-License-Identifier: Apache-2.0
// Collectors produce families at scrape time; the registry runs them and times each one.

/// Produces metric families when `/metrics` is scraped. Must be safe to call concurrently.
public protocol Collector: Sendable {
    /// The `collector` label of the scrape self-metrics, e.g. `process`.
    var name: String { get }
    /// Appends this collector's families.
    func collect(into sink: inout [MetricFamily]) throws
}

/// The collectors of a daemon, run in registration order at each scrape.
///
/// A collector that throws does not fail the scrape: its families are dropped and
/// `modelwatch_scrape_collector_success{collector}` is 0 for that scrape.
public struct Registry: Sendable {
    private let collectors: [any Collector]
    private let namespace: String
    private let clock: @Sendable () -> UInt64

    /// - Parameters:
    ///   - collectors: registered explicitly, in order.
    ///   - namespace: the prefix of the scrape self-metrics.
    ///   - clock: monotonic nanoseconds, injected so this module does no I/O of its own.
    public init(collectors: [any Collector], namespace: String = "modelwatch", clock: @escaping @Sendable () -> UInt64) {
        self.collectors = collectors
        self.namespace = namespace
        self.clock = clock
    }

    /// Runs every collector and returns all families, with the per-collector scrape metrics.
    /// Families produced twice (a programming error) keep their first occurrence.
    public func gather() -> (families: [MetricFamily], errors: [(collector: String, error: any Error)]) {
        var families: [MetricFamily] = []
        var success: [MetricSeries] = []
        var duration: [MetricSeries] = []
        var errors: [(collector: String, error: any Error)] = []
        for collector in collectors {
            let start = clock()
            var sink: [MetricFamily] = []
            var ok = 1.0
            do {
                try collector.collect(into: &sink)
                families.append(contentsOf: sink)
            } catch {
                ok = 0
                errors.append((collector.name, error))
            }
            let seconds = Double(clock() &- start) / 1e9
            success.append(MetricSeries(labels: [("collector", collector.name)], ok))
            duration.append(MetricSeries(labels: [("collector", collector.name)], seconds))
        }
        var seen = Set<String>()
        families = families.filter { seen.insert($0.name).inserted }
        if let s = try? MetricFamily(name: "\(namespace)_scrape_collector_success",
                                     help: "Whether the collector succeeded in the last scrape (1) or failed (0).",
                                     type: .gauge, series: success) { families.append(s) }
        if let d = try? MetricFamily(name: "\(namespace)_scrape_collector_duration_seconds",
                                     help: "How long the collector took in the last scrape.",
                                     type: .gauge, series: duration) { families.append(d) }
        return (families, errors)
    }
}
