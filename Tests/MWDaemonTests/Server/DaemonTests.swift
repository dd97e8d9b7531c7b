// SPDX-License-Identifier: Apache-2.0
// The daemon end to end on a real port: routes, metrics exposition against a golden file.

import Foundation
import Logging
import MWSockets
import MWTestSupport
import Testing
@testable import MWDaemon

@Suite(.serialized) struct DaemonTests {
    private func withDaemon(_ body: (UInt16) throws -> Void) throws {
        var configuration = Configuration()
        configuration.listen = try SocketAddress(parsing: "127.0.0.1:0")
        configuration.dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("mw-daemon-\(UUID().uuidString)").path
        let daemon = Daemon(configuration: configuration, logger: .init(label: "test"))
        let port = try daemon.start()
        defer {
            daemon.stop(gracePeriod: 1)
            try? FileManager.default.removeItem(atPath: configuration.dataDir)
        }
        try body(port)
    }

    @Test func healthAndReadiness() throws {
        try withDaemon { port in
            let c = try TestClient(port: port)
            #expect(try c.get("/healthz")?.text == "ok\n")
            #expect(try c.get("/readyz")?.status == 200)
            let index = try #require(try c.get("/"))
            #expect(index.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(index.text.contains("href=\"/metrics\""))
            let missing = try #require(try c.get("/v2/nothing"))
            #expect(missing.status == 404)
            #expect(missing.text.hasPrefix("{\"error\":{\"code\":\"not_found\""))
        }
    }

    /// The family structure (HELP and TYPE lines) of a scrape must match the golden file;
    /// values vary from run to run, so sample lines are checked for shape only.
    @Test func metricsMatchTheGoldenFamilies() throws {
        try withDaemon { port in
            let c = try TestClient(port: port)
            _ = try c.get("/healthz")
            _ = try c.get("/nope")
            let r = try #require(try c.get("/metrics"))
            #expect(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let lines = r.text.split(separator: "\n").map(String.init)
            let families = lines.filter { $0.hasPrefix("# ") }.joined(separator: "\n") + "\n"
            let goldenURL = try #require(Bundle.module.url(forResource: "metrics.golden", withExtension: "txt", subdirectory: "Fixtures"))
            let golden = try String(contentsOf: goldenURL, encoding: .utf8)
            #expect(families == golden)
            #expect(lines.contains("modelwatch_http_requests_total{code=\"200\",handler=\"/healthz\"} 1"))
            #expect(lines.contains("modelwatch_http_requests_total{code=\"404\",handler=\"not_found\"} 1"))
            #expect(lines.contains("modelwatch_build_info{version=\"\(ModelwatchVersion.current)\"} 1"))
            for line in lines where !line.hasPrefix("#") {
                let value = try #require(line.split(separator: " ").last)
                #expect(Double(value) != nil || ["+Inf", "-Inf", "NaN"].contains(String(value)), "\(line)")
            }
        }
    }

    @Test func openMetricsWhenAsked() throws {
        try withDaemon { port in
            let c = try TestClient(port: port)
            let r = try #require(try c.get("/metrics", headers: "Accept: application/openmetrics-text; version=1.0.0\r\n"))
            #expect(r.header("Content-Type")?.hasPrefix("application/openmetrics-text") == true)
            #expect(r.text.hasSuffix("# EOF\n"))
            #expect(r.text.contains("# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total "))
        }
    }

    /// What the shipped recording and alert rules need beyond SPEC section 5: the confusion
    /// matrix's diagonal by class (every known class and cell from 0), the reference's bin
    /// proportions, and every model's alert thresholds with their overrides.
    @Test func rulesSupportFamilies() throws {
        try withDaemon { port in
            let c = try TestClient(port: port)
            let settings = #"{"task": "binary", "positive_class": "1", "classes": ["0", "1"], "alerts": {"accuracy": 0.9, "min_outcomes": 5}, "drift": {"psi_threshold": 0.3}}"#
            #expect(try c.request("PUT", "/v1/models/m", body: Array(settings.utf8))?.status == 201)
            let bad = try #require(try c.request("PUT", "/v1/models/m", body: Array(#"{"alerts": {"acuracy": 0.9}}"#.utf8)))
            #expect(bad.status == 400 && bad.text.contains("alerts.acuracy"))
            let rows = ["a", "a", "a", "b"].map { #"{"features":{"k":"\#($0)"}}"# }.joined(separator: "\n")
            #expect(try c.request("PUT", "/v1/models/m/reference", body: Array(rows.utf8), contentType: "application/x-ndjson")?.status == 200)
            let events = [("1", 1, 1), ("2", 1, 0), ("3", 0, 0)].map { id, predicted, label in
                #"{"id":"\#(id)","features":{"k":"a"},"prediction":\#(predicted),"label":\#(label)}"#
            }.joined(separator: "\n")
            #expect(try c.request("POST", "/v1/models/m/predictions", body: Array(events.utf8), contentType: "application/x-ndjson")?.status == 202)
            let lines = try #require(try c.get("/metrics")).text.split(separator: "\n").map(String.init)
            for expected in [
                #"modelwatch_correct_outcomes_total{class="0",model="m",version="default"} 1"#,
                #"modelwatch_correct_outcomes_total{class="1",model="m",version="default"} 1"#,
                #"modelwatch_outcomes_total{actual="0",model="m",predicted="0",version="default"} 1"#,
                #"modelwatch_outcomes_total{actual="0",model="m",predicted="1",version="default"} 1"#,
                #"modelwatch_outcomes_total{actual="1",model="m",predicted="0",version="default"} 0"#,
                #"modelwatch_reference_bin_ratio{bin="a",feature="k",model="m"} 0.75"#,
                #"modelwatch_reference_bin_ratio{bin="b",feature="k",model="m"} 0.25"#,
                #"modelwatch_reference_bin_ratio{bin="__other__",feature="k",model="m"} 0"#,
                #"modelwatch_alert_threshold{metric="accuracy",model="m"} 0.9"#,
                #"modelwatch_alert_threshold{metric="min_outcomes",model="m"} 5"#,
                #"modelwatch_alert_threshold{metric="psi",model="m"} 0.3"#,
                #"modelwatch_alert_threshold{metric="latency_p99_seconds",model="m"} 0.5"#,
            ] {
                #expect(lines.contains(expected), "\(expected)")
            }
        }
    }
}
