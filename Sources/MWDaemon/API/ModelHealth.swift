// SPDX-License-Identifier: Apache-2.0
// A model's health at a glance: the shipped alerts' main conditions, checked now.

import MWStats

/// What the main conditions of the shipped alert rules say about a model right now, on the
/// daemon's own windows and with the model's own thresholds (`alerts:`), for the status page
/// and the status JSON (`health`). The Prometheus rules stay what pages: they add `for:`
/// durations, baselines and the fleet; this is the same question asked of one instant.
///
/// Checked per version, on the shortest window (the rules' alert window) unless said:
/// accuracy and estimated accuracy under `alerts.accuracy` (with `alerts.min_outcomes`); the
/// share of drifted features at `alerts.drifted_features_share` and the prediction's PSI over
/// `alerts.prediction_psi` (with `alerts.min_predictions`); label coverage under
/// `alerts.label_coverage` on the shortest window of an hour or more (the rules' coverage
/// window; the longest when none is); a concept drift detector in drift. For the model: the
/// share of events rejected since start over `alerts.rejected_ratio` (with `alerts.min_predictions`
/// events).
struct ModelHealth {
    enum Status: String {
        /// Traffic, and no condition holds.
        case ok
        /// At least one condition holds (``findings``).
        case degraded
        /// No prediction in any window: nothing to judge.
        case noData = "no_data"
    }

    /// One condition that holds.
    struct Finding {
        /// The threshold it crossed, as in `alerts:` (`accuracy`, `label_coverage`…), or
        /// `concept_drift`.
        let check: String
        let version: String?
        let window: String?
        /// Says what was measured against what, e.g. `accuracy 0.62 < 0.80 over 5m (340 outcomes)`.
        let message: String
    }

    let status: Status
    let findings: [Finding]

    init(_ report: ModelReport, thresholds: AlertThresholds) {
        func threshold(_ name: String) -> Double { thresholds.value(name) ?? 0 }
        var findings: [Finding] = []
        let minOutcomes = UInt64(max(0, threshold("min_outcomes")))
        let minPredictions = UInt64(max(0, threshold("min_predictions")))
        var traffic = false
        for v in report.versions {
            guard let alertWindow = v.windows.min(by: { $0.window.seconds < $1.window.seconds }) else { continue }
            if v.windows.contains(where: { $0.performance.predictions > 0 }) { traffic = true }
            let span = alertWindow.window.name
            func add(_ check: String, window: String? = span, _ message: String) {
                findings.append(Finding(check: check, version: v.name, window: window, message: message))
            }
            let floor = threshold("accuracy")
            let p = alertWindow.performance
            if let c = p.classification, p.outcomes >= minOutcomes, c.accuracy < floor {
                add("accuracy", "accuracy \(Self.format(c.accuracy)) < \(Self.format(floor)) over \(span) (\(p.outcomes) outcomes)")
            }
            if let e = alertWindow.estimated, e.predictions >= minOutcomes, e.accuracy < floor {
                add("accuracy", "estimated accuracy \(Self.format(e.accuracy)) < \(Self.format(floor)) over \(span) (\(e.predictions) predictions, before their labels)")
            }
            if p.predictions >= minPredictions {
                let drift = alertWindow.drift
                let share = threshold("drifted_features_share")
                if let drifted = drift.driftedShare, drifted >= share {
                    let names = drift.features.filter { $0.drifted == true }.map(\.name)
                    let decided = drift.features.count { $0.drifted != nil }
                    add("drifted_features_share", "\(names.count) of \(decided) features drifted over \(span) (share \(Self.format(drifted)) ≥ \(Self.format(share))): \(names.prefix(5).joined(separator: ", "))")
                }
                let psiLimit = threshold("prediction_psi")
                if let psi = drift.prediction?.scores.first(where: { $0.method == "psi" })?.score, psi > psiLimit {
                    add("prediction_psi", "the prediction's PSI \(Self.format(psi)) > \(Self.format(psiLimit)) over \(span)")
                }
            }
            let coverageWindow = v.windows.filter { $0.window.seconds >= 3600 }.min(by: { $0.window.seconds < $1.window.seconds })
                ?? v.windows.max(by: { $0.window.seconds < $1.window.seconds })
            let coverageFloor = threshold("label_coverage")
            if let w = coverageWindow, w.performance.predictions >= minPredictions, let coverage = w.performance.labelCoverage,
               coverage < coverageFloor {
                add("label_coverage", window: w.window.name,
                    "label coverage \(Self.format(coverage)) < \(Self.format(coverageFloor)) over \(w.window.name) (\(w.performance.predictions) predictions)")
            }
            for d in v.detectors where d.state == .drift {
                add("concept_drift", window: nil, "\(d.name) detects concept drift in the error stream (\(d.detections) detections since start)")
            }
        }
        let rejected = report.rejected.reduce(0) { $0 + $1.count }
        // As the rule counts them: the predictions and labels that arrived, beside the refused.
        let accepted = report.versions.reduce(0) { $0 + $1.predictions + $1.labels.matched + $1.labels.unmatched + $1.labels.duplicate }
        let rejectedLimit = threshold("rejected_ratio")
        let share = rejected > 0 ? Double(rejected) / Double(rejected + accepted) : 0
        if rejected + accepted >= minPredictions, share > rejectedLimit {
            let worst = report.rejected.max { $0.count < $1.count }.map { " (mostly \($0.reason))" } ?? ""
            findings.append(Finding(check: "rejected_ratio", version: nil, window: nil,
                                    message: "\(rejected) of \(rejected + accepted) events rejected since start (share \(Self.format(share)) > \(Self.format(rejectedLimit)))\(worst)"))
        }
        self.findings = findings
        status = !findings.isEmpty ? .degraded : traffic ? .ok : .noData
    }

    /// Three decimals, enough to compare with a threshold.
    static func format(_ x: Double) -> String {
        let rounded = (x * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int64(rounded)) : "\(rounded)"
    }

    /// `{"status", "findings": [{"check", "version", "window", "message"}]}` for the status JSON.
    var json: [String: Any] {
        ["status": status.rawValue, "findings": findings.map { f -> [String: Any] in
            var out: [String: Any] = ["check": f.check, "message": f.message]
            if let v = f.version { out["version"] = v }
            if let w = f.window { out["window"] = w }
            return out
        }]
    }
}
