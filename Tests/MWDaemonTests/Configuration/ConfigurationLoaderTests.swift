// SPDX-License-Identifier: Apache-2.0
// The YAML config: defaults, every section, and errors that name the key and line.

import Foundation
import Logging
import MWSockets
import Testing
@testable import MWDaemon
import MWStats

@Suite struct ConfigurationLoaderTests {
    private func error(_ yaml: String) -> ConfigurationError? {
        do { _ = try ConfigurationLoader.decode(yaml: yaml); return nil } catch { return error }
    }

    @Test func emptyFileGivesDefaults() throws {
        let c = try ConfigurationLoader.decode(yaml: "")
        #expect(c.listen.description == "127.0.0.1:9464")
        #expect(c.dataDir == "./data")
        #expect(c.windows.map(\.name) == ["5m", "1h", "24h"])
        #expect(c.windows.map(\.seconds) == [300, 3600, 86400])
        #expect(c.minSamples == 30)
        #expect(c.fsync == .interval && c.fsyncInterval == 1)
        #expect(c.limits.maxBodyBytes == 16 * 1024 * 1024)
        #expect(c.limits.maxConnections == 1024)
        #expect(c.limits.requestTimeout == 10)
    }

    @Test func theDocumentedExampleIsValid() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../config/modelwatch.yaml")
        let c = try ConfigurationLoader.load(path: url.standardizedFileURL.path)
        try c.validate()
        #expect(c.models["fraud"]?.task == .binary)
        #expect(c.models["fraud"]?.features["country"]?.type == .categorical)
        #expect(c.models["churn"]?.reference == .first(events: 10000))
        #expect(c.models["fraud"]?.alerts.value("min_predictions") == 500)
    }

    /// A model's alert thresholds: the ones given, defaults for the rest, unknown or negative
    /// ones refused with the key and line; `check-config` prints every one in force.
    @Test func alertThresholds() throws {
        let c = try ConfigurationLoader.decode(yaml: """
            models:
              m: {alerts: {accuracy: 0.65, label_coverage: 0}}
            """)
        let alerts = try #require(c.models["m"]?.alerts)
        #expect(alerts.value("accuracy") == 0.65 && alerts.value("label_coverage") == 0 && alerts.value("min_outcomes") == 100)
        #expect(alerts.effective(psiThreshold: 0.3).first! == ("psi", 0.3))
        #expect(c.renderYAML().contains("alerts: {accuracy: 0.65, roc_auc_drop: 0.05,"))
        for (yaml, key) in [("models:\n  m: {alerts: {accuracy_floor: 1}}", "models.m.alerts.accuracy_floor"),
                            ("models:\n  m:\n    alerts: {accuracy: -1}", "models.m.alerts.accuracy")] {
            #expect { try ConfigurationLoader.decode(yaml: yaml) } throws: { error in
                (error as? ConfigurationError)?.key == key && (error as? ConfigurationError)?.line != nil
            }
        }
    }

    @Test func sectionsAreDecoded() throws {
        let c = try ConfigurationLoader.decode(yaml: """
            listen: "0.0.0.0:8080"
            windows: [1h, 90s]
            fsync: always
            allow_unknown_models: false
            auth:
              tokens:
                - principal: svc
                  sha256: \(String(repeating: "ab", count: 32))
                  scopes: [ingest, read]
                  models: [fraud]
            limits: {max_body_bytes: 2048, idle_timeout: 2m}
            models:
              m1: {task: regression, label_ttl: 1d, max_pending: 10}
            """)
        #expect(c.listen.port == 8080)
        #expect(c.windows.map(\.name) == ["90s", "1h"])  // sorted by length
        #expect(c.fsync == .always)
        #expect(!c.allowUnknownModels)
        #expect(c.auth?.tokens.first?.scopes == [.ingest, .read])
        #expect(c.limits.maxBodyBytes == 2048 && c.limits.idleTimeout == 120)
        #expect(c.models["m1"]?.labelTTL == 86400 && c.models["m1"]?.maxPending == 10)
        try c.validate()
    }

    @Test func unknownTopLevelKeyNamesKeyAndLine() throws {
        let e = try #require(error("listen: \"127.0.0.1:1\"\nwindoes: [5m]\n"))
        #expect(e.key == "windoes")
        #expect(e.line == 2)
        #expect(e.description.contains("unknown key"))
    }

    @Test func unknownNestedKeyNamesThePath() throws {
        let e = try #require(error("limits:\n  max_body_bytes: 2048\n  max_bodies: 3\n"))
        #expect(e.key == "limits.max_bodies")
        #expect(e.line == 3)
    }

    @Test func badValuesNameTheKey() throws {
        #expect(error("min_samples: many")?.key == "min_samples")
        #expect(error("min_samples: 0")?.key == "min_samples")
        #expect(error("fsync: sometimes")?.description.contains("always, interval, never") == true)
        #expect(error("fsync_interval: soon")?.key == "fsync_interval")
        #expect(error("listen: nowhere")?.key == "listen")
        #expect(error("windows: [5m, 300s]")?.key == "windows[1]")
        #expect(error("models:\n  fraud:\n    task: ranking\n")?.key == "models.fraud.task")
        #expect(error("models:\n  \"bad name\": {task: binary}\n")?.key == "models.bad name")
        #expect(error("models:\n  m: {features: {\"9x\": {type: numeric}}}\n")?.key == "models.m.features.9x")
        #expect(error("auth:\n  tokens:\n    - principal: a\n      sha256: xyz\n      scopes: [read]\n")?.key == "auth.tokens[0].sha256")
        #expect(error("allow_unknown_models: maybe")?.key == "allow_unknown_models")
        #expect(error("log_level: loud")?.key == "log_level")
    }

    @Test func labelLagSettings() throws {
        let c = try ConfigurationLoader.decode(yaml: """
            models:
              recs: {task: binary, cohort_slice: 30m, cohorts: [1h, 1d, 3d], maturity: 2d, label_on_expiry: 0}
              fraud: {task: binary, maturity: auto, label_on_expiry: "no click"}
            """)
        let recs = try #require(c.models["recs"])
        #expect(recs.cohortSlice == 1800 && recs.cohortBounds == [3600, 86400, 259_200])
        #expect(recs.cohorts.map(\.name) == ["0-1h", "1h-1d", "1d-3d"])
        #expect(recs.maturity == .fixed(172_800) && recs.labelOnExpiry == .number(0))
        #expect(c.models["fraud"]?.maturity == .auto && c.models["fraud"]?.labelOnExpiry == .string("no click"))
        #expect(c.models["fraud"]?.cohorts.map(\.name) == ["0-1d", "1d-2d", "2d-7d"])
        let options = recs.options(under: c)
        #expect(options.cohortSlice == 1800 && options.cohorts.last?.upper == 259_200 && options.maturity == .fixed(172_800))
        // The settings kept in snapshots read back the same.
        let yaml = recs.yamlLines().joined(separator: "\n") + "\n"
        #expect(try ConfigurationLoader.decodeModelSettings(yaml) == recs)
    }

    @Test func onlineEvaluationSettings() throws {
        let c = try ConfigurationLoader.decode(yaml: """
            models:
              shop: {task: binary, baseline: v1, costs: {false_positive: 5, false_negative: 50}}
              churn: {task: multiclass, costs: {matrix: {stay: {leave: 3}, leave: {stay: 20.5}}}}
              demand: {task: regression, costs: {absolute_error: 0.8}}
            """)
        #expect(c.models["shop"]?.baseline == "v1" && c.models["shop"]?.costs == .binary(falsePositive: 5, falseNegative: 50))
        #expect(c.models["churn"]?.costs == .matrix(["stay": ["leave": 3], "leave": ["stay": 20.5]]))
        #expect(c.models["demand"]?.costs == .absoluteError(0.8))
        for (_, settings) in c.models {
            #expect(try ConfigurationLoader.decodeModelSettings(settings.yamlLines().joined(separator: "\n") + "\n") == settings)
        }
        #expect(error("models:\n  m: {task: regression, costs: {false_positive: 1}}\n")?.key == "models.m")
        #expect(error("models:\n  m: {costs: {false_positive: 1, absolute_error: 2}}\n")?.key == "models.m.costs")
        #expect(error("models:\n  m: {costs: {refunds: 1}}\n")?.key == "models.m.costs.refunds")
        #expect(error("models:\n  m: {baseline: \"not a version\"}\n")?.key == "models.m.baseline")
    }

    @Test func badLabelLagSettingsNameTheKey() throws {
        #expect(error("models:\n  m: {cohorts: [2d, 1d]}\n")?.key == "models.m.cohorts")
        #expect(error("models:\n  m: {cohorts: []}\n")?.key == "models.m.cohorts")
        #expect(error("models:\n  m: {maturity: soon}\n")?.key == "models.m.maturity")
        #expect(error("models:\n  m: {cohort_slice: 0s}\n")?.key == "models.m.cohort_slice")
        let uneven = try #require(error("models:\n  m: {cohort_slice: 1h, cohorts: [90m]}\n"))
        #expect(uneven.key == "models.m" && uneven.description.contains("not a whole number of cohort_slice"))
        let tooMany = try #require(error("models:\n  m: {cohort_slice: 1m, label_ttl: 30d}\n"))
        #expect(tooMany.description.contains("at most 2,000"))
        // The defaults never refuse a model: a long TTL caps the ring instead.
        let long = try ConfigurationLoader.decode(yaml: "models:\n  m: {label_ttl: 3650d}\n")
        #expect(long.models["m"]!.options(under: long).cohortSliceCount == ModelOptions.maxCohortSlices)
    }

    @Test func syntaxErrorsCarryALine() throws {
        let e = try #require(error("listen: \"127.0.0.1:1\"\nlimits: {max_body_bytes: 1\n"))
        #expect(e.line != nil)
        #expect(e.description.contains("YAML"))
    }

    @Test func nonLoopbackWithoutAuthIsRejectedUnlessDisabled() throws {
        let open = try ConfigurationLoader.decode(yaml: "listen: \"0.0.0.0:9464\"")
        #expect(throws: ConfigurationError.self) { try open.validate() }
        let disabled = try ConfigurationLoader.decode(yaml: "listen: \"0.0.0.0:9464\"\nauth: {disabled: true}")
        try disabled.validate()
    }

    @Test func flagsOverrideTheFile() throws {
        var c = try ConfigurationLoader.decode(yaml: "listen: \"127.0.0.1:1\"\ndata_dir: /a\nlog_level: info")
        try ConfigurationLoader.applyOverrides(to: &c, listen: "127.0.0.1:2", dataDir: "/b", logLevel: "debug")
        #expect(c.listen.port == 2 && c.dataDir == "/b" && c.logLevel == .debug)
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.applyOverrides(to: &c, listen: "x", dataDir: nil, logLevel: nil) }
    }

    @Test func effectiveYAMLReadsBackTheSame() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../config/modelwatch.yaml")
        let original = try ConfigurationLoader.load(path: url.standardizedFileURL.path)
        let text = original.renderYAML()
        let again = try ConfigurationLoader.decode(yaml: text)
        #expect(again.renderYAML() == text)
        #expect(again.models == original.models)
        #expect(again.limits == original.limits)
    }
}

@Suite struct DurationParserTests {
    @Test(arguments: [("90s", 90.0), ("5m", 300), ("1h30m", 5400), ("7d", 604_800), ("1w", 604_800), ("250ms", 0.25), ("1y", 31_536_000)])
    func parses(_ text: String, _ seconds: Double) {
        #expect(DurationParser.seconds(text) == seconds)
    }

    @Test(arguments: ["", "5", "m", "5x", "1m1h", "1.5h", "-5m", "5m5m"])
    func rejects(_ text: String) {
        #expect(DurationParser.seconds(text) == nil)
    }

    @Test func formatsShortest() {
        #expect(DurationParser.format(5400) == "1h30m")
        #expect(DurationParser.format(604_800) == "7d")
        #expect(DurationParser.format(0.25) == "250ms")
    }
}
