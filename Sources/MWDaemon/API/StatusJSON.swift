// SPDX-License-Identifier: Apache-2.0
// The JSON status of models for GET /v1/models and GET /v1/models/{model}.

import Foundation
import MWStats

/// Builds the status documents. Undefined metrics are absent, never null, NaN or 0.
enum StatusJSON {
    /// One line per model: task, versions, volume, pending labels.
    static func summary(_ summary: ModelSummary) -> [String: Any] {
        var out: [String: Any] = [
            "model": summary.name,
            "versions": summary.versions,
            "predictions_total": summary.predictions,
            "pending_labels": summary.pendingLabels,
        ]
        if let task = summary.task { out["task"] = task.rawValue }
        if summary.lastEvent > 0 { out["last_event_timestamp"] = summary.lastEvent }
        return out
    }

    /// Everything about one model: settings, per version the counters and per window the metrics.
    static func detail(_ report: ModelReport, summary modelSummary: ModelSummary, settings: ModelSettings,
                       options: ModelOptions) -> [String: Any] {
        var out = summary(modelSummary)
        var s: [String: Any] = [
            "label_ttl_seconds": options.labelTTL, "label_grace_seconds": options.labelGrace,
            "min_samples": options.minSamples, "max_pending": options.maxPending,
        ]
        if let task = settings.task { s["task"] = task.rawValue }
        if let p = settings.positiveClass { s["positive_class"] = p }
        if let c = settings.classes { s["classes"] = c }
        if let b = settings.baseline { s["baseline"] = b }
        if !settings.segments.isEmpty {
            s["segments"] = settings.segments
            s["segment_values"] = settings.segmentValues
            s["segment_drift"] = settings.segmentDrift
        }
        s["cohort_slice_seconds"] = settings.cohortSlice
        s["cohorts"] = settings.cohorts.map(\.name)
        switch settings.maturity {
        case nil: break
        case .auto: s["maturity"] = "auto"
        case .fixed(let d): s["maturity"] = d
        }
        switch settings.labelOnExpiry {
        case nil: break
        case .string(let x): s["label_on_expiry"] = x
        case .bool(let x): s["label_on_expiry"] = x
        case .number(let x): s["label_on_expiry"] = x
        }
        out["settings"] = s
        out["classes"] = report.classNames
        if let p = report.positiveClass { out["positive_class"] = p }
        out["events_rejected"] = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.reason, $0.count) })
        out["health"] = ModelHealth(report, thresholds: settings.alerts).json
        out["versions"] = report.versions.map { version(report, $0) }
        if report.referenceGeneration >= 0 {
            var reference: [String: Any] = ["rows": report.referenceRows, "generation": report.referenceGeneration]
            if let c = report.calibration {
                // Which classes' scores are calibrated (isotonic) and which are used as they are.
                let shown = c.binary ? Array(zip(c.classNames, c.calibrators).prefix(1)) : Array(zip(c.classNames, c.calibrators))
                reference["calibration"] = ["rows": c.rows, "classes": Dictionary(uniqueKeysWithValues: shown.map {
                    ($0.0, $0.1 == nil ? "as_is" : "isotonic")
                })] as [String: Any]
            }
            out["reference"] = reference
        }
        if report.untrackedFeatureValues > 0 { out["untracked_feature_values"] = report.untrackedFeatureValues }
        if !settings.features.isEmpty {
            s["features"] = settings.features.mapValues { f -> [String: Any] in
                var d: [String: Any] = ["type": f.type.rawValue]
                if let b = f.bins { d["bins"] = b }
                return d
            }
        }
        s["drift"] = ["method": settings.drift.method.rawValue, "psi_threshold": settings.drift.psiThreshold,
                      "p_value": settings.drift.pValue]
        switch settings.reference {
        case .upload: s["reference"] = ["source": "upload"]
        case .first(let n): s["reference"] = ["source": "first", "events": n] as [String: Any]
        }
        // Every threshold in force (defaults included), as exported in modelwatch_alert_threshold.
        s["alerts"] = Dictionary(uniqueKeysWithValues: settings.alerts.effective(psiThreshold: settings.drift.psiThreshold)
            .filter { $0.name != "psi" }.map { ($0.name, $0.value) })
        out["settings"] = s
        return out
    }

    private static func version(_ report: ModelReport, _ v: VersionReport) -> [String: Any] {
        var out: [String: Any] = [
            "version": v.name,
            "predictions_total": v.predictions,
            "duplicate_predictions_total": v.duplicatePredictions,
            "labels_total": ["matched": v.labels.matched, "unmatched": v.labels.unmatched,
                             "duplicate": v.labels.duplicate, "expired": v.labels.expired],
            "pending_labels": v.pendingLabels,
            "windows": v.windows.map { window(report, $0) },
            "concept_drift": Dictionary(uniqueKeysWithValues: v.detectors.map {
                ($0.name, ["state": ["stable", "warning", "drift"][$0.state.rawValue], "detections": $0.detections] as [String: Any])
            }),
        ]
        if !v.businessTotals.isEmpty { out["business_totals"] = Dictionary(uniqueKeysWithValues: v.businessTotals.map { ($0.name, $0.sum) }) }
        if let c = v.costTotal { out["cost_total"] = c }
        if !v.segments.isEmpty {
            // per window, per segment: the values worst first, then __other__
            var byWindow: [String: [String: Any]] = [:]
            for s in v.segments {
                byWindow[s.window.name, default: [:]][s.segment] = s.values.map { e -> [String: Any] in
                    var out = performance(report, e.performance, key: "value", name: e.value)
                    if !e.drift.isEmpty {
                        // PSI against the reference rows of the same value; "prediction" for the prediction
                        out["drift"] = Dictionary(uniqueKeysWithValues: e.drift.map { d -> (String, Any) in
                            (d.feature ?? "prediction", ["psi": d.psi, "count": d.count, "reference_count": d.referenceCount] as [String: Any])
                        })
                    }
                    return out
                }
            }
            out["segments"] = byWindow
        }
        out["cohorts"] = v.cohorts.map { cohort(report, $0, key: "cohort") }
        if !v.matured.isEmpty { out["matured_windows"] = v.matured.map { cohort(report, $0, key: "window") } }
        let p = v.labelProfile
        var profile: [String: Any] = ["labelled_within": Dictionary(uniqueKeysWithValues: p.labelledWithin.compactMap { w in w.share.map { (w.name, $0) } })]
        if let x = p.expectedFinalCoverage { profile["expected_final_coverage"] = x }
        if let x = p.unmatchedShare { profile["unmatched_share"] = x }
        if let x = p.maturity { profile["maturity_seconds"] = x }
        out["label_profile"] = profile
        if v.lastEvent > 0 { out["last_event_timestamp"] = v.lastEvent }
        if v.latency.count > 0 { out["mean_latency_seconds"] = v.latency.sum / Double(v.latency.count) }
        if v.labelDelay.count > 0 { out["mean_label_delay_seconds"] = v.labelDelay.sum / Double(v.labelDelay.count) }
        return out
    }

    /// A cohort or matured window: volume, coverage and the metrics, as a window's.
    private static func cohort(_ report: ModelReport, _ c: CohortReport, key: String) -> [String: Any] {
        var out = performance(report, c.performance, key: key, name: c.name)
        if let e = c.estimated { out["estimated"] = ["predictions": e.predictions, "accuracy": e.accuracy, "f1_macro": e.f1Macro] as [String: Any] }
        return out
    }

    private static func window(_ report: ModelReport, _ w: WindowReport) -> [String: Any] {
        var out = performance(report, w.performance, key: "window", name: w.window.name)
        if !w.business.isEmpty { out["business"] = Dictionary(uniqueKeysWithValues: w.business.map { ($0.name, $0.sum) }) }
        if let c = w.cost { out["cost"] = c }
        if let c = w.expectedCost { out["expected_cost"] = c }
        if let e = w.estimated {
            var classes: [String: Any] = [:]
            for k in e.perClass where k.classIndex < report.classNames.count {
                classes[report.classNames[k.classIndex]] = ["precision": k.precision, "recall": k.recall, "f1": k.f1]
            }
            var estimated: [String: Any] = ["predictions": e.predictions, "accuracy": e.accuracy, "precision_macro": e.precisionMacro,
                                            "recall_macro": e.recallMacro, "f1_macro": e.f1Macro, "classes": classes]
            if let x = e.rocAUC { estimated["roc_auc"] = x }
            out["estimated"] = estimated
        }
        out["drift"] = drift(w.drift)
        return out
    }

    /// The realised metrics of a window or cohort (empty below min_samples).
    /// The volume, label coverage and metrics of a window, cohort or segment value, named `key: name`.
    private static func performance(_ report: ModelReport, _ p: PerformanceSummary, key: String, name: String) -> [String: Any] {
        var out: [String: Any] = [key: name, "predictions": p.predictions, "labelled_predictions": p.labelled, "outcomes": p.outcomes,
                                  "metrics": metrics(report, p.classification, p.regression)]
        if let x = p.labelCoverage { out["label_coverage"] = x }
        return out
    }

    private static func metrics(_ report: ModelReport, _ classification: ClassificationMetrics?,
                                _ regression: RegressionMetrics?) -> [String: Any] {
        var metrics: [String: Any] = [:]
        if let c = classification {
            metrics["accuracy"] = c.accuracy
            metrics["precision_macro"] = c.precisionMacro
            metrics["recall_macro"] = c.recallMacro
            metrics["f1_macro"] = c.f1Macro
            metrics["precision_weighted"] = c.precisionWeighted
            metrics["recall_weighted"] = c.recallWeighted
            metrics["f1_weighted"] = c.f1Weighted
            if let x = c.rocAUC { metrics["roc_auc"] = x }
            if let x = c.logLoss { metrics["log_loss"] = x }
            if let x = c.brierScore { metrics["brier_score"] = x }
            var classes: [String: Any] = [:]
            for k in c.perClass {
                classes[report.classNames[k.classIndex]] = ["precision": k.precision, "recall": k.recall, "f1": k.f1, "support": k.support]
            }
            metrics["classes"] = classes
        }
        if let r = regression {
            metrics["mae"] = r.mae
            metrics["rmse"] = r.rmse
            if let x = r.mape { metrics["mape"] = x }
            if let x = r.r2 { metrics["r2"] = x }
        }
        return metrics
    }

    /// A canary against its baseline (`GET /v1/models/{model}/compare`).
    static func comparison(model: String, _ c: VersionComparison) -> [String: Any] {
        func side(_ version: String, traffic: Double?, predictions: UInt64, outcomes: UInt64) -> [String: Any] {
            var out: [String: Any] = ["version": version, "predictions": predictions, "outcomes": outcomes]
            if let t = traffic { out["traffic_share"] = t }
            return out
        }
        var out: [String: Any] = [
            "model": model, "window": c.window.name,
            "baseline": side(c.baseline, traffic: c.baselineTraffic, predictions: c.baselinePredictions, outcomes: c.baselineOutcomes),
            "candidate": side(c.candidate, traffic: c.candidateTraffic, predictions: c.candidatePredictions, outcomes: c.candidateOutcomes),
        ]
        for (key, test, d) in [("accuracy", "two_proportion_z", c.accuracy), ("roc_auc", "hanley_mcneil_z", c.rocAUC),
                               ("mae", "welch_t", c.absoluteError)] {
            guard let d else { continue }
            out[key] = ["difference": d.difference, "confidence_interval": [d.low, d.high], "p_value": d.pValue,
                        "statistic": d.statistic, "test": test, "significant": d.pValue < 0.05] as [String: Any]
        }
        var drift: [String: Any] = ["features": c.inputPSI.map { ["feature": $0.feature, "psi": $0.psi] as [String: Any] }]
        if let p = c.predictionPSI { drift["prediction_psi"] = p }
        out["drift_against_baseline"] = drift
        return out
    }

    /// Per-feature drift, worst first, with the prediction and label drift.
    private static func drift(_ d: WindowDrift) -> [String: Any] {
        var out: [String: Any] = ["features": d.features.map(column)]
        if let share = d.driftedShare { out["drifted_features_share"] = share }
        if let on = d.dataDrift { out["data_drift"] = on }
        if let p = d.prediction { out["prediction"] = column(p) }
        if let l = d.label { out["label"] = column(l) }
        return out
    }

    private static func column(_ c: ColumnDriftReport) -> [String: Any] {
        var out: [String: Any] = ["feature": c.name, "present": c.present]
        if let t = c.type { out["type"] = t.rawValue }
        if let d = c.drifted { out["drifted"] = d }
        if let m = c.method { out["method"] = m.rawValue }
        if let m = c.missingRatio { out["missing_ratio"] = m }
        if let m = c.mean { out["mean"] = m }
        var scores: [String: Any] = [:]
        for s in c.scores {
            scores[s.method] = s.score
            if let p = s.pValue { scores["\(s.method)_p_value"] = p }
        }
        if !scores.isEmpty { out["scores"] = scores }
        if let n = c.numeric {
            out["out_of_range_ratio"] = n.outOfRangeRatio
            out["quantiles"] = ["0.5": n.median, "0.95": n.p95]
        }
        if let k = c.categorical { out["unseen_category_ratio"] = k.unseenRatio }
        return out
    }

    /// Serialises with sorted keys.
    static func encode(_ object: Any) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}

extension StatusJSON {
    /// The reference in force: rows, generation and a line per column.
    static func reference(model: String, rows: Int, generation: Int32,
                          columns: [(name: String, role: String, reference: ColumnReference)]) -> [String: Any] {
        var features: [String: Any] = [:]
        var out: [String: Any] = ["model": model, "rows": rows, "generation": generation]
        for column in columns {
            var c: [String: Any] = ["type": column.reference.type.rawValue, "count": column.reference.count]
            switch column.reference {
            case .numeric(let r):
                c["mean"] = r.mean
                c["std"] = r.standardDeviation
                c["min"] = r.minimum
                c["max"] = r.maximum
                c["bins"] = r.psiBinLabels
            case .categorical(let r):
                c["categories"] = r.categories.count
                if r.otherCount > 0 { c["other_count"] = r.otherCount }
            }
            if column.role == "feature" { features[column.name] = c } else { out[column.role] = c }
        }
        out["features"] = features
        return out
    }
}
