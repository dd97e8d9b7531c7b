// SPDX-License-Identifier: Apache-2.0
// The JSON status of models for GET /v1/models and GET /v1/models/{model}.

import Foundation
import MWStats

/// Builds the status documents. Undefined metrics are absent, never null, NaN or 0.
enum StatusJSON {
    /// One line per model: task, versions, volume, pending labels.
    static func summary(_ report: ModelReport) -> [String: Any] {
        var out: [String: Any] = [
            "model": report.name,
            "versions": report.versions.map(\.name),
            "predictions_total": report.versions.reduce(0) { $0 + $1.predictions },
            "pending_labels": report.versions.reduce(0) { $0 + $1.pendingLabels },
        ]
        if let task = report.task { out["task"] = task.rawValue }
        let last = report.versions.map(\.lastEvent).max() ?? 0
        if last > 0 { out["last_event_timestamp"] = last }
        return out
    }

    /// Everything about one model: settings, per version the counters and per window the metrics.
    static func detail(_ report: ModelReport, settings: ModelSettings, options: ModelOptions) -> [String: Any] {
        var out = summary(report)
        var s: [String: Any] = [
            "label_ttl_seconds": options.labelTTL, "label_grace_seconds": options.labelGrace,
            "min_samples": options.minSamples, "max_pending": options.maxPending,
        ]
        if let task = settings.task { s["task"] = task.rawValue }
        if let p = settings.positiveClass { s["positive_class"] = p }
        if let c = settings.classes { s["classes"] = c }
        out["settings"] = s
        out["classes"] = report.classNames
        if let p = report.positiveClass { out["positive_class"] = p }
        out["events_rejected"] = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.reason, $0.count) })
        out["versions"] = report.versions.map { version(report, $0) }
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
        ]
        if v.lastEvent > 0 { out["last_event_timestamp"] = v.lastEvent }
        if v.latency.count > 0 { out["mean_latency_seconds"] = v.latency.sum / Double(v.latency.count) }
        if v.labelDelay.count > 0 { out["mean_label_delay_seconds"] = v.labelDelay.sum / Double(v.labelDelay.count) }
        return out
    }

    private static func window(_ report: ModelReport, _ w: WindowReport) -> [String: Any] {
        var out: [String: Any] = [
            "window": w.window.name, "predictions": w.predictions, "outcomes": w.outcomes, "labelled_predictions": w.labelled,
        ]
        if let coverage = w.labelCoverage { out["label_coverage"] = coverage }
        var metrics: [String: Any] = [:]
        if let c = w.classification {
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
        if let r = w.regression {
            metrics["mae"] = r.mae
            metrics["rmse"] = r.rmse
            if let x = r.mape { metrics["mape"] = x }
            if let x = r.r2 { metrics["r2"] = x }
        }
        out["metrics"] = metrics
        return out
    }

    /// Serialises with sorted keys.
    static func encode(_ object: Any) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}
