// SPDX-License-Identifier: Apache-2.0
// Prints the effective configuration as YAML (for `modelwatch check-config`).

import Logging
import MWSockets
import MWStats

extension Configuration {
    /// The effective configuration as YAML that ``ConfigurationLoader`` reads back unchanged.
    public func renderYAML() -> String {
        var out: [String] = []
        out.append("listen: \(q(listen.description))")
        out.append("data_dir: \(q(dataDir))")
        out.append("windows: [\(windows.map(\.name).joined(separator: ", "))]")
        out.append("min_samples: \(minSamples)")
        out.append("fsync: \(fsync.rawValue)")
        out.append("fsync_interval: \(DurationParser.format(fsyncInterval))")
        out.append("snapshot_interval: \(DurationParser.format(snapshotInterval))")
        out.append("allow_unknown_models: \(allowUnknownModels)")
        out.append("log_level: \(logLevel.rawValue)")
        if let tls {
            out.append("tls:")
            out.append("  cert_file: \(q(tls.certFile))")
            out.append("  key_file: \(q(tls.keyFile))")
            if let ca = tls.clientCAFile { out.append("  client_ca_file: \(q(ca))") }
        }
        if let auth {
            out.append("auth:")
            if auth.disabled { out.append("  disabled: true") }
            if !auth.tokens.isEmpty { out.append("  tokens:") }
            for t in auth.tokens {
                out.append("    - principal: \(q(t.principal))")
                if let hash = t.sha256 { out.append("      sha256: \(hash)") }
                out.append("      scopes: [\(t.scopes.map(\.rawValue).joined(separator: ", "))]")
                if let models = t.models { out.append("      models: [\(models.map(q).joined(separator: ", "))]") }
                if let f = t.hmacSecretFile { out.append("      hmac_secret_file: \(q(f))") }
            }
        }
        let l = limits
        out.append("limits:")
        out.append("  max_body_bytes: \(l.maxBodyBytes)")
        out.append("  max_header_bytes: \(l.maxHeaderBytes)")
        out.append("  max_events_per_request: \(l.maxEventsPerRequest)")
        out.append("  max_features_per_event: \(l.maxFeaturesPerEvent)")
        out.append("  max_string_bytes: \(l.maxStringBytes)")
        out.append("  max_json_depth: \(l.maxJSONDepth)")
        out.append("  max_models: \(l.maxModels)")
        out.append("  max_classes: \(l.maxClasses)")
        out.append("  max_categories: \(l.maxCategories)")
        out.append("  idle_timeout: \(DurationParser.format(l.idleTimeout))")
        out.append("  request_timeout: \(DurationParser.format(l.requestTimeout))")
        out.append("  max_connections: \(l.maxConnections)")
        out.append("  max_versions: \(l.maxVersions)")
        out.append("  max_exact_drift_bytes: \(l.maxExactDriftBytes)")
        if models.isEmpty { out.append("models: {}") } else { out.append("models:") }
        for name in models.keys.sorted() {
            out.append("  \(q(name)):")
            out += models[name]!.yamlLines().map { "    " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension ModelSettings {
    /// The settings as YAML lines (a mapping, unindented): what `check-config` prints under the
    /// model's name, and what a snapshot keeps (``ConfigurationLoader/decodeModelSettings(_:)``
    /// reads it back).
    func yamlLines() -> [String] {
        let m = self
        var out: [String] = []
        if let task = m.task { out.append("task: \(task.rawValue)") }
        if let p = m.positiveClass { out.append("positive_class: \(q(p))") }
        if let c = m.classes { out.append("classes: [\(c.map(q).joined(separator: ", "))]") }
        if !m.features.isEmpty {
            out.append("features:")
            for f in m.features.keys.sorted() {
                let fs = m.features[f]!
                let bins = fs.bins.map { ", bins: [\($0.map(num).joined(separator: ", "))]" } ?? ""
                out.append("  \(q(f)): {type: \(fs.type.rawValue)\(bins)}")
            }
        }
        out.append("drift: {method: \(m.drift.method.rawValue), psi_threshold: \(num(m.drift.psiThreshold)), p_value: \(num(m.drift.pValue))}")
        switch m.reference {
        case .upload: out.append("reference: {source: upload}")
        case .first(let n): out.append("reference: {source: first, events: \(n)}")
        }
        out.append("label_ttl: \(DurationParser.format(m.labelTTL))")
        out.append("label_grace: \(DurationParser.format(m.labelGrace))")
        if let s = m.minSamples { out.append("min_samples: \(s)") }
        out.append("max_pending: \(m.maxPending)")
        let alerts = AlertThresholds.catalogue.map { "\($0.name): \(num(m.alerts.value($0.name)!))" }
        out.append("alerts: {\(alerts.joined(separator: ", "))}")
        out.append("cohort_slice: \(DurationParser.format(m.cohortSlice))")
        out.append("cohorts: [\(m.cohortBounds.map(DurationParser.format).joined(separator: ", "))]")
        switch m.maturity {
        case nil: break
        case .auto: out.append("maturity: auto")
        case .fixed(let d): out.append("maturity: \(DurationParser.format(d))")
        }
        if let b = m.baseline { out.append("baseline: \(q(b))") }
        if !m.segments.isEmpty { out.append("segments: [\(m.segments.map(q).joined(separator: ", "))]") }
        out.append("segment_values: \(m.segmentValues)")
        if !m.segmentDrift.isEmpty { out.append("segment_drift: [\(m.segmentDrift.map(q).joined(separator: ", "))]") }
        switch m.costs {
        case nil: break
        case let .binary(fp, fn)?: out.append("costs: {false_positive: \(num(fp)), false_negative: \(num(fn))}")
        case .absoluteError(let x)?: out.append("costs: {absolute_error: \(num(x))}")
        case .matrix(let matrix)?:
            let rows = matrix.keys.sorted().map { a in
                "\(q(a)): {" + matrix[a]!.keys.sorted().map { "\(q($0)): \(num(matrix[a]![$0]!))" }.joined(separator: ", ") + "}"
            }
            out.append("costs: {matrix: {\(rows.joined(separator: ", "))}}")
        }
        switch m.labelOnExpiry {
        case nil: break
        case .string(let s): out.append("label_on_expiry: \(q(s))")
        case .bool(let b): out.append("label_on_expiry: \(b)")
        case .number(let x): out.append("label_on_expiry: \(num(x))")
        }
        return out
    }
}

/// A YAML double-quoted string.
private func q(_ s: String) -> String { "\"" + s.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\"" }

/// A number as YAML: whole numbers without a fraction.
private func num(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)" }
