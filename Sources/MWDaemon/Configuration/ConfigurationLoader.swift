// SPDX-License-Identifier: Apache-2.0
// Reads the YAML config file into a Configuration, rejecting unknown keys and bad values.

import Foundation
import Logging
import MWSockets
import Yams
import MWStats

/// Decodes `config/modelwatch.yaml`-shaped text. Unknown keys and bad values are errors naming
/// the key and line; nothing is silently ignored.
public enum ConfigurationLoader {
    /// Loads and decodes the file at `path` over the built-in defaults.
    /// - Throws: ``ConfigurationError`` for an unreadable file, YAML syntax or any bad key.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: "", line: nil, message: "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: "", line: nil, message: "\(path) is not UTF-8 text")
        }
        return try decode(yaml: text)
    }

    /// Decodes the body of `PUT /v1/models/{model}` (JSON, or YAML) into settings; empty is all defaults.
    static func decodeModelSettings(_ text: String) throws(ConfigurationError) -> ModelSettings {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlSyntaxError(error)
        } catch {
            throw ConfigurationError(key: "", line: nil, message: "invalid JSON: \(error)")
        }
        guard let root else { return ModelSettings() }
        return try modelSettings(YAMLValue(node: root, path: ""))
    }

    /// Decodes YAML text over the built-in defaults.
    public static func decode(yaml text: String) throws(ConfigurationError) -> Configuration {
        var configuration = Configuration()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlSyntaxError(error)
        } catch {
            throw ConfigurationError(key: "", line: nil, message: "invalid YAML: \(error)")
        }
        guard let root else { return configuration }  // an empty file: all defaults
        let top = YAMLValue(node: root, path: "")
        let keys: Set<String> = ["listen", "data_dir", "windows", "min_samples", "fsync", "fsync_interval", "snapshot_interval",
                                 "allow_unknown_models", "log_level", "tls", "auth", "limits", "models"]
        for (key, value) in try top.mapping(allowed: keys) {
            switch key {
            case "listen": configuration.listen = try address(try value.string(), key: value.path, line: value.line)
            case "data_dir": configuration.dataDir = try value.string()
            case "windows": configuration.windows = try windows(value)
            case "min_samples": configuration.minSamples = try value.int(min: 1)
            case "fsync": configuration.fsync = try value.oneOf(FsyncPolicy.self)
            case "fsync_interval": configuration.fsyncInterval = try value.duration()
            case "snapshot_interval": configuration.snapshotInterval = try value.duration()
            case "allow_unknown_models": configuration.allowUnknownModels = try value.bool()
            case "log_level": configuration.logLevel = try logLevel(value)
            case "tls": configuration.tls = try tls(value)
            case "auth": configuration.auth = try auth(value)
            case "limits": configuration.limits = try limits(value)
            case "models":
                for (name, settings) in try value.mapping() {
                    guard Names.isValidModelName(name) else {
                        throw settings.fail("model names must match \(Names.modelNameRule)")
                    }
                    configuration.models[name] = try modelSettings(settings)
                }
            default: break
            }
        }
        return configuration
    }

    /// Parses a listen address, reporting a bad one against `key`.
    static func address(_ text: String, key: String, line: Int?) throws(ConfigurationError) -> SocketAddress {
        do { return try SocketAddress(parsing: text) } catch {
            throw ConfigurationError(key: key, line: line, message: error.description)
        }
    }

    static func yamlSyntaxError(_ error: YamlError) -> ConfigurationError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigurationError(key: "", line: mark.line, message: "YAML syntax error: \(what)")
        default:
            return ConfigurationError(key: "", line: nil, message: "YAML error: \(error)")
        }
    }

    static func logLevel(_ value: YAMLValue) throws(ConfigurationError) -> Logger.Level {
        let text = try value.string()
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw value.fail("'\(text)' is not a log level; use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }

    static func windows(_ value: YAMLValue) throws(ConfigurationError) -> [WindowSpec] {
        var out: [WindowSpec] = []
        for item in try value.sequence() {
            let name = try item.string()
            let seconds = try item.duration()
            guard !out.contains(where: { $0.seconds == seconds }) else { throw item.fail("window \(name) is listed twice") }
            out.append(WindowSpec(name: name, seconds: seconds))
        }
        guard !out.isEmpty else { throw value.fail("at least one window is needed") }
        return out.sorted { $0.seconds < $1.seconds }
    }

    static func tls(_ value: YAMLValue) throws(ConfigurationError) -> TLSSettings {
        var cert: String?, key: String?, ca: String?
        for (k, v) in try value.mapping(allowed: ["cert_file", "key_file", "client_ca_file"]) {
            switch k {
            case "cert_file": cert = try v.string()
            case "key_file": key = try v.string()
            default: ca = try v.string()
            }
        }
        guard let cert else { throw value.fail("tls needs cert_file") }
        guard let key else { throw value.fail("tls needs key_file") }
        return TLSSettings(certFile: cert, keyFile: key, clientCAFile: ca)
    }

    static func auth(_ value: YAMLValue) throws(ConfigurationError) -> AuthSettings {
        var settings = AuthSettings()
        for (k, v) in try value.mapping(allowed: ["tokens", "disabled"]) {
            if k == "disabled" { settings.disabled = try v.bool(); continue }
            for item in try v.sequence() {
                var principal: String?, hash: String?, scopes: [TokenSettings.Scope] = [], models: [String]?, hmac: String?
                for (tk, tv) in try item.mapping(allowed: ["principal", "sha256", "scopes", "models", "hmac_secret_file"]) {
                    switch tk {
                    case "principal": principal = try tv.string()
                    case "sha256":
                        let text = try tv.string().lowercased()
                        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                            throw tv.fail("expected 64 hex digits; run `modelwatch hash-token <token>` to get them")
                        }
                        hash = text
                    case "scopes": scopes = try tv.sequence().map { (s) throws(ConfigurationError) in try s.oneOf(TokenSettings.Scope.self) }
                    case "models": models = try tv.sequence().map { (s) throws(ConfigurationError) in try s.string() }
                    default: hmac = try tv.string()
                    }
                }
                guard let principal, !principal.isEmpty else { throw item.fail("each token needs a principal") }
                guard !scopes.isEmpty else { throw item.fail("token \(principal) needs at least one scope") }
                settings.tokens.append(TokenSettings(principal: principal, sha256: hash, scopes: scopes, models: models, hmacSecretFile: hmac))
            }
        }
        return settings
    }

    static func limits(_ value: YAMLValue) throws(ConfigurationError) -> Limits {
        var l = Limits()
        let keys: Set<String> = ["max_body_bytes", "max_header_bytes", "max_events_per_request", "max_features_per_event",
                                 "max_string_bytes", "max_json_depth", "max_models", "max_classes", "max_categories",
                                 "idle_timeout", "request_timeout", "max_connections", "max_versions", "max_exact_drift_bytes"]
        for (k, v) in try value.mapping(allowed: keys) {
            switch k {
            case "max_body_bytes": l.maxBodyBytes = try v.int(min: 1024, max: 1 << 30)
            case "max_header_bytes": l.maxHeaderBytes = try v.int(min: 1024, max: 1 << 20)
            case "max_events_per_request": l.maxEventsPerRequest = try v.int(min: 1)
            case "max_features_per_event": l.maxFeaturesPerEvent = try v.int(min: 1)
            case "max_string_bytes": l.maxStringBytes = try v.int(min: 1)
            case "max_json_depth": l.maxJSONDepth = try v.int(min: 2, max: 1024)
            case "max_models": l.maxModels = try v.int(min: 1)
            case "max_classes": l.maxClasses = try v.int(min: 2)
            case "max_categories": l.maxCategories = try v.int(min: 1)
            case "max_versions": l.maxVersions = try v.int(min: 1, max: 10_000)
            case "max_exact_drift_bytes": l.maxExactDriftBytes = try v.int(min: 0)
            case "idle_timeout": l.idleTimeout = try v.duration()
            case "request_timeout": l.requestTimeout = try v.duration()
            default: l.maxConnections = try v.int(min: 1, max: 1_000_000)
            }
        }
        return l
    }

    /// Decodes one model's settings (also used for the JSON body of `PUT /v1/models/{model}`:
    /// JSON is YAML, so both go through the same rules and messages).
    static func modelSettings(_ value: YAMLValue) throws(ConfigurationError) -> ModelSettings {
        var s = ModelSettings()
        var keysGiven: Set<String> = []
        let keys: Set<String> = ["task", "positive_class", "classes", "features", "drift", "reference", "label_ttl",
                                 "label_grace", "min_samples", "max_pending", "alerts", "cohort_slice", "cohorts", "maturity",
                                 "label_on_expiry", "baseline", "costs", "segments", "segment_values",
                                 "segment_drift"]
        for (k, v) in try value.mapping(allowed: keys) {
            keysGiven.insert(k)
            switch k {
            case "task": s.task = try v.oneOf(ModelTask.self)
            case "positive_class": s.positiveClass = try v.string()
            case "classes":
                let classes = try v.sequence().map { (c) throws(ConfigurationError) in try c.string() }
                guard Set(classes).count == classes.count else { throw v.fail("classes must be distinct") }
                s.classes = classes
            case "features":
                for (name, f) in try v.mapping() {
                    guard Names.isValidFeatureName(name) else { throw f.fail("feature names must match \(Names.featureNameRule)") }
                    var type: FeatureType?
                    var bins: [Double]?
                    for (fk, fv) in try f.mapping(allowed: ["type", "bins"]) {
                        if fk == "type" { type = try fv.oneOf(FeatureType.self); continue }
                        let edges = try fv.sequence().map { (e) throws(ConfigurationError) in try e.double() }
                        guard zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else { throw fv.fail("bin edges must increase") }
                        bins = edges
                    }
                    guard let type else { throw f.fail("feature \(name) needs a type (numeric or categorical)") }
                    if bins != nil && type != .numeric { throw f.fail("bins apply to numeric features only") }
                    s.features[name] = FeatureSettings(type: type, bins: bins)
                }
            case "drift":
                for (dk, dv) in try v.mapping(allowed: ["method", "psi_threshold", "p_value"]) {
                    switch dk {
                    case "method": s.drift.method = try dv.oneOf(DriftMethod.self)
                    case "psi_threshold": s.drift.psiThreshold = try dv.double(min: 0)
                    default: s.drift.pValue = try dv.double(min: 0, max: 1)
                    }
                }
            case "reference":
                var source = "upload"
                var events: Int?
                for (rk, rv) in try v.mapping(allowed: ["source", "events"]) {
                    if rk == "source" { source = try rv.string() } else { events = try rv.int(min: 1, max: 10_000_000) }
                }
                switch source {
                case "upload": s.reference = .upload
                case "first":
                    guard let events else { throw v.fail("reference source 'first' needs events: N") }
                    s.reference = .first(events: events)
                default: throw v.fail("reference source must be upload or first")
                }
            case "label_ttl": s.labelTTL = try v.duration()
            case "label_grace": s.labelGrace = try v.duration()
            case "min_samples": s.minSamples = try v.int(min: 1)
            case "cohort_slice": s.cohortSlice = try v.duration()
            case "cohorts":
                let bounds = try v.sequence().map { (b) throws(ConfigurationError) in try b.duration() }
                guard !bounds.isEmpty, zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw v.fail("cohorts are age bounds in increasing order, e.g. [1d, 2d, 7d] for 0-1d, 1d-2d and 2d-7d")
                }
                guard bounds.count <= 20 else { throw v.fail("at most 20 cohorts") }
                s.cohortBounds = bounds
            case "maturity":
                if (try? v.string()) == "auto" { s.maturity = .auto } else { s.maturity = .fixed(try v.duration()) }
            case "segments":
                let names = try v.sequence().map { (n) throws(ConfigurationError) in try n.string() }
                guard names.count <= ModelOptions.maxSegments, Set(names).count == names.count else {
                    throw v.fail("segments: at most \(ModelOptions.maxSegments) distinct feature names")
                }
                for name in names {
                    let tag = name.hasPrefix(ModelState.tagSegmentPrefix)
                    guard Names.isValidFeatureName(tag ? String(name.dropFirst(ModelState.tagSegmentPrefix.count)) : name) else {
                        throw v.fail("segment \(name) is neither a feature name (\(Names.featureNameRule)) nor tag:<name> of a tag")
                    }
                }
                s.segments = names
            case "segment_values": s.segmentValues = try v.int(min: 1, max: 100)
            case "segment_drift":
                let names = try v.sequence().map { (n) throws(ConfigurationError) in try n.string() }
                guard names.count <= ModelOptions.maxSegmentDrift, Set(names).count == names.count else {
                    throw v.fail("segment_drift: at most \(ModelOptions.maxSegmentDrift) distinct feature names (each adds a series per segment value and window)")
                }
                for name in names where !Names.isValidFeatureName(name) {
                    throw v.fail("segment_drift: \(name) is not a feature name (\(Names.featureNameRule))")
                }
                s.segmentDrift = names
            case "costs":
                let entries = try v.mapping(allowed: ["false_positive", "false_negative", "matrix", "absolute_error"])
                let keys = Set(entries.map(\.key))
                if keys == ["absolute_error"] {
                    s.costs = .absoluteError(try entries[0].value.double())
                } else if keys == ["matrix"] {
                    var matrix: [String: [String: Double]] = [:]
                    for (actual, row) in try entries[0].value.mapping() {
                        for (predicted, cost) in try row.mapping() { matrix[actual, default: [:]][predicted] = try cost.double() }
                    }
                    s.costs = .matrix(matrix)
                } else if keys.isSubset(of: ["false_positive", "false_negative"]), !keys.isEmpty {
                    var fp = 0.0, fn = 0.0
                    for (ck, cv) in entries { if ck == "false_positive" { fp = try cv.double() } else { fn = try cv.double() } }
                    s.costs = .binary(falsePositive: fp, falseNegative: fn)
                } else {
                    throw v.fail("costs are {false_positive: X, false_negative: Y} (binary), {matrix: {actual: {predicted: X}}} (multiclass) or {absolute_error: X} (regression)")
                }
            case "baseline":
                let name = try v.string()
                guard Names.isValidModelName(name) else { throw v.fail("baseline must be a version name (\(Names.modelNameRule))") }
                s.baseline = name
            case "label_on_expiry":
                let text = try v.string()
                if let x = Double(text), x.isFinite { s.labelOnExpiry = .number(x) }
                else if text == "true" || text == "false" { s.labelOnExpiry = .bool(text == "true") }
                else { s.labelOnExpiry = .string(text) }
            case "alerts":
                let names = AlertThresholds.catalogue.map(\.name)
                for (ak, av) in try v.mapping(allowed: Set(names)) { _ = s.alerts.set(ak, try av.double(min: 0)) }
            default: s.maxPending = try v.int(min: 1, max: 100_000_000)
            }
        }
        if s.task == .binary, let classes = s.classes, classes.count != 2 { throw value.fail("a binary model has exactly 2 classes") }
        switch (s.task, s.costs) {
        case (.regression, .binary?), (.regression, .matrix?), (.binary, .absoluteError?), (.multiclass, .absoluteError?), (.multiclass, .binary?):
            throw value.fail("costs of this form do not apply to a \(s.task!.rawValue) model")
        default: break
        }
        for bound in s.cohortBounds where (bound / s.cohortSlice).rounded() * s.cohortSlice != bound {
            throw value.fail("cohort bound \(DurationParser.format(bound)) is not a whole number of cohort_slice (\(DurationParser.format(s.cohortSlice)))")
        }
        // Asked-for cohorts must fit the ring; the defaults never refuse a model (a label TTL
        // beyond 2,000 slices only caps the ring, see ModelOptions.cohortSliceCount).
        let explicit = keysGiven.contains("cohort_slice") || keysGiven.contains("cohorts")
        let slices = (max(s.labelTTL + s.cohortSlice, s.cohortBounds.last ?? 0) / s.cohortSlice).rounded(.up)
        guard !explicit || slices <= Double(ModelOptions.maxCohortSlices - 1) else {
            throw value.fail("label_ttl and cohorts need \(Int(slices)) slices of cohort_slice \(DurationParser.format(s.cohortSlice)) (at most 2,000): use a longer cohort_slice")
        }
        if let positive = s.positiveClass, let classes = s.classes, !classes.contains(positive) {
            throw value.fail("positive_class '\(positive)' is not among classes")
        }
        return s
    }
}

extension ConfigurationLoader {
    /// Applies command-line flags over the file's values (flags win).
    public static func applyOverrides(to configuration: inout Configuration, listen: String?, dataDir: String?,
                                      logLevel: String?) throws(ConfigurationError) {
        if let listen { configuration.listen = try address(listen, key: "--listen", line: nil) }
        if let dataDir { configuration.dataDir = dataDir }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ConfigurationError(key: "--log-level", line: nil,
                                         message: "'\(logLevel)' is not a log level; use trace, debug, info, notice, warning, error or critical")
            }
            configuration.logLevel = level
        }
    }
}
