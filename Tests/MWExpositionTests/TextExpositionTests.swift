// SPDX-License-Identifier: Apache-2.0
// Rendering: sorting, escaping, special floats, histograms, OpenMetrics, name validation.

import Testing
@testable import MWExposition

@Suite struct TextExpositionTests {
    private func render(_ families: [MetricFamily], _ format: ExpositionFormat = .prometheusText) -> String {
        String(decoding: TextExposition.render(families, format: format), as: UTF8.self)
    }

    @Test func familiesAndSeriesAreSorted() throws {
        let b = try MetricFamily(name: "b_metric", help: "B.", type: .gauge,
                                 series: [MetricSeries(labels: [("x", "2")], 2), MetricSeries(labels: [("x", "1")], 1)])
        let a = try MetricFamily(name: "a_total", help: "A.", type: .counter, series: [MetricSeries(3)])
        #expect(render([b, a]) == """
            # HELP a_total A.
            # TYPE a_total counter
            a_total 3
            # HELP b_metric B.
            # TYPE b_metric gauge
            b_metric{x="1"} 1
            b_metric{x="2"} 2

            """)
    }

    @Test func labelsAreSortedByName() throws {
        let f = try MetricFamily(name: "m", help: "h", type: .gauge, series: [MetricSeries(labels: [("z", "1"), ("a", "2")], 0)])
        #expect(render([f]).contains("m{a=\"2\",z=\"1\"} 0\n"))
    }

    @Test func escapesHelpAndLabelValues() throws {
        let f = try MetricFamily(name: "m", help: "back\\slash\nnewline \"q\"", type: .gauge,
                                 series: [MetricSeries(labels: [("l", "a\"b\\c\nd")], 1)])
        let text = render([f])
        #expect(text.contains("# HELP m back\\\\slash\\nnewline \"q\"\n"))
        #expect(text.contains("m{l=\"a\\\"b\\\\c\\nd\"} 1\n"))
    }

    @Test func specialFloatsUsePrometheusSpelling() {
        #expect(TextExposition.formatDouble(.infinity) == "+Inf")
        #expect(TextExposition.formatDouble(-.infinity) == "-Inf")
        #expect(TextExposition.formatDouble(.nan) == "NaN")
        #expect(TextExposition.formatDouble(42) == "42")
        #expect(TextExposition.formatDouble(-0.25) == "-0.25")
        #expect(TextExposition.formatDouble(1e-7) == "1e-07")
        #expect(Double(TextExposition.formatDouble(0.1 + 0.2)) == 0.1 + 0.2)
    }

    @Test func histogramHasInfBucketSumAndCount() throws {
        let f = try MetricFamily(name: "h_seconds", help: "H.", type: .histogram, series: [
            MetricSeries(labels: [("handler", "/")], value: .histogram(buckets: [(0.1, 1), (1, 3)], sum: 2.5, count: 4)),
        ])
        #expect(render([f]) == """
            # HELP h_seconds H.
            # TYPE h_seconds histogram
            h_seconds_bucket{handler="/",le="0.1"} 1
            h_seconds_bucket{handler="/",le="1"} 3
            h_seconds_bucket{handler="/",le="+Inf"} 4
            h_seconds_sum{handler="/"} 2.5
            h_seconds_count{handler="/"} 4

            """)
    }

    @Test func openMetricsNamesCounterFamiliesWithoutTotalAndEndsWithEOF() throws {
        let f = try MetricFamily(name: "x_total", help: "X.", type: .counter, series: [MetricSeries(1)])
        let text = render([f], .openMetrics)
        #expect(text == "# HELP x X.\n# TYPE x counter\nx_total 1\n# EOF\n")
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;version=1.0.0") == .openMetrics)
        #expect(ExpositionFormat.negotiate(accept: "text/plain") == .prometheusText)
        #expect(ExpositionFormat.negotiate(accept: nil) == .prometheusText)
    }

    /// OpenMetrics requires the samples of one metric to be contiguous: a summary's quantiles
    /// stay together although `quantile` sorts before `window` by name.
    @Test func summaryQuantilesOfOneSeriesAreContiguous() throws {
        var series: [MetricSeries] = []
        for window in ["5m", "1h"] {
            for q in ["0.95", "0.5"] {
                series.append(MetricSeries(labels: [("feature", "a"), ("quantile", q), ("window", window)], q == "0.5" ? 1 : 2))
            }
        }
        let f = try MetricFamily(name: "q", help: "Q.", type: .summary, series: series)
        #expect(render([f], .openMetrics) == """
            # HELP q Q.
            # TYPE q summary
            q{feature="a",quantile="0.5",window="1h"} 1
            q{feature="a",quantile="0.95",window="1h"} 2
            q{feature="a",quantile="0.5",window="5m"} 1
            q{feature="a",quantile="0.95",window="5m"} 2
            # EOF

            """)
    }

    @Test(arguments: ["http_2xx_total", "node_load15", "a:b_c0123456789", "_x"])
    func validNamesWithEveryDigit(_ name: String) {
        #expect(MetricName.isValidMetricName(name))
    }

    @Test(arguments: ["", "1abc", "a-b", "a b", "é"])
    func invalidMetricNames(_ name: String) {
        #expect(!MetricName.isValidMetricName(name))
        #expect(throws: ExpositionError.invalidMetricName(name)) { try MetricFamily(name: name, help: "", type: .gauge) }
    }

    @Test func labelNameRules() {
        #expect(MetricName.isValidLabelName("model"))
        #expect(MetricName.isValidLabelName("le0"))
        #expect(!MetricName.isValidLabelName("__name__"))
        #expect(!MetricName.isValidLabelName("a:b"))
        #expect(!MetricName.isValidLabelName("9a"))
    }

    @Test func familyInvariants() {
        #expect(throws: ExpositionError.counterWithoutTotal("requests")) { try MetricFamily(name: "requests", help: "", type: .counter) }
        #expect(throws: ExpositionError.inconsistentLabels(family: "m")) {
            try MetricFamily(name: "m", help: "", type: .gauge, series: [MetricSeries(labels: [("a", "1")], 1), MetricSeries(2)])
        }
        #expect(throws: ExpositionError.typeMismatch(family: "m")) {
            try MetricFamily(name: "m", help: "", type: .gauge, series: [MetricSeries(value: .histogram(buckets: [], sum: 0, count: 0))])
        }
    }
}

@Suite struct RegistryTests {
    struct Fixed: Collector {
        let name: String
        let fail: Bool
        func collect(into sink: inout [MetricFamily]) throws {
            if fail { throw ExpositionError.duplicateFamily(name) }
            sink.append(try MetricFamily(name: "\(name)_value", help: "v", type: .gauge, series: [MetricSeries(1)]))
        }
    }

    @Test func failingCollectorDoesNotFailTheScrape() {
        let registry = Registry(collectors: [Fixed(name: "good", fail: false), Fixed(name: "bad", fail: true)], clock: { 0 })
        let (families, errors) = registry.gather()
        #expect(families.map(\.name).contains("good_value"))
        #expect(!families.map(\.name).contains("bad_value"))
        #expect(errors.count == 1 && errors[0].collector == "bad")
        let success = families.first { $0.name == "modelwatch_scrape_collector_success" }
        let values = success?.series.map { ($0.labels[0].value, $0.value) }
        #expect(values?.count == 2)
        let text = String(decoding: TextExposition.render(families), as: UTF8.self)
        #expect(text.contains("modelwatch_scrape_collector_success{collector=\"bad\"} 0"))
        #expect(text.contains("modelwatch_scrape_collector_success{collector=\"good\"} 1"))
    }
}
