// SPDX-License-Identifier: Apache-2.0
// The per-model families of SPEC section 5: volume, labels, outcomes and windowed performance.

import MWExposition
import MWSockets
import MWStats

/// Reports every model at scrape time. Each model is locked only while its report is taken;
/// the families are built after.
struct ModelsCollector: Collector {
    let store: ModelStore
    let clock: @Sendable () -> Double
    let name = "models"

    /// The performance families a window exports, whose names cohorts and matured windows
    /// repeat under their own prefix.
    static let performanceFamilies = ["accuracy", "roc_auc", "log_loss", "brier_score", "precision", "recall", "f1_score",
                                      "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "mae", "rmse", "mape", "r2"]

    /// Family name → (type, help), in output order.
    private static let specs: [(String, MetricType, String)] = baseSpecs + labelLagSpecs + versionSpecs + businessSpecs + segmentSpecs

    private static let baseSpecs: [(String, MetricType, String)] = [
        ("modelwatch_models", .gauge, "Models tracked."),
        ("modelwatch_predictions_total", .counter, "Predictions accepted (duplicates excluded)."),
        ("modelwatch_duplicate_predictions_total", .counter, "Predictions refused as repeats of an id within the label TTL."),
        ("modelwatch_labels_total", .counter, "Labels by result: matched, unmatched (no prediction within the grace period), duplicate, expired (prediction dropped before its label)."),
        ("modelwatch_outcomes_total", .counter, "Joined outcomes of classification models: the confusion matrix as counters."),
        ("modelwatch_correct_outcomes_total", .counter, "Outcomes whose predicted class is the actual class: the confusion matrix's diagonal, by class."),
        ("modelwatch_events_rejected_total", .counter, "Events refused, by reason."),
        ("modelwatch_prediction_latency_seconds", .histogram, "The model's own inference latency (latency_ms of prediction events)."),
        ("modelwatch_label_delay_seconds", .histogram, "Label timestamp minus prediction timestamp."),
        ("modelwatch_pending_labels", .gauge, "Predictions waiting for their label."),
        ("modelwatch_last_event_timestamp_seconds", .gauge, "Server time of the last prediction or label."),
        ("modelwatch_window_predictions", .gauge, "Predictions in the sliding window."),
        ("modelwatch_window_outcomes", .gauge, "Outcomes (labels joined to predictions) that arrived in the sliding window."),
        ("modelwatch_label_coverage", .gauge, "Share of the window's predictions whose label has arrived."),
        ("modelwatch_accuracy", .gauge, "Accuracy over the window's outcomes."),
        ("modelwatch_roc_auc", .gauge, "ROC AUC (binary; multiclass one-vs-rest macro) over the window's scored outcomes."),
        ("modelwatch_log_loss", .gauge, "Log loss over the window's scored outcomes."),
        ("modelwatch_brier_score", .gauge, "Brier score over the window's scored outcomes (binary)."),
        ("modelwatch_precision", .gauge, "Precision per class (zero_division=0)."),
        ("modelwatch_recall", .gauge, "Recall per class (zero_division=0)."),
        ("modelwatch_f1_score", .gauge, "F1 per class (zero_division=0)."),
        ("modelwatch_precision_macro", .gauge, "Unweighted mean of per-class precision."),
        ("modelwatch_recall_macro", .gauge, "Unweighted mean of per-class recall."),
        ("modelwatch_f1_macro", .gauge, "Unweighted mean of per-class F1."),
        ("modelwatch_f1_weighted", .gauge, "Support-weighted mean of per-class F1."),
        ("modelwatch_mae", .gauge, "Mean absolute error over the window's outcomes."),
        ("modelwatch_rmse", .gauge, "Root mean squared error over the window's outcomes."),
        ("modelwatch_mape", .gauge, "Mean absolute percentage error as a ratio (true values of 0 skipped)."),
        ("modelwatch_r2", .gauge, "Coefficient of determination over the window's outcomes."),
        ("modelwatch_estimated_predictions", .gauge, "Predictions of the window whose performance is estimated (those with a score, while a calibrated reference is installed)."),
        ("modelwatch_estimated_accuracy", .gauge, "Accuracy estimated from the calibrated scores of the window's predictions, before their labels arrive (CBPE)."),
        ("modelwatch_estimated_roc_auc", .gauge, "ROC AUC estimated from the calibrated scores of the window's predictions (binary; multiclass one-vs-rest macro)."),
        ("modelwatch_estimated_precision", .gauge, "Precision per class estimated from the calibrated scores of the window's predictions."),
        ("modelwatch_estimated_recall", .gauge, "Recall per class estimated from the calibrated scores of the window's predictions."),
        ("modelwatch_estimated_f1_score", .gauge, "F1 per class estimated from the calibrated scores of the window's predictions."),
        ("modelwatch_estimated_precision_macro", .gauge, "Unweighted mean of the estimated per-class precision."),
        ("modelwatch_estimated_recall_macro", .gauge, "Unweighted mean of the estimated per-class recall."),
        ("modelwatch_estimated_f1_macro", .gauge, "Unweighted mean of the estimated per-class F1."),
        ("modelwatch_reference_rows", .gauge, "Rows of the reference in force (absent without one)."),
        ("modelwatch_reference_bin_ratio", .gauge, "The reference's share of values per bin of modelwatch_feature_values_total (the reference side of PSI)."),
        ("modelwatch_exact_drift_reserved_bytes", .gauge, "Memory reserved by references for exact drift statistics (kept values, a cut point per unique value), of limits.max_exact_drift_bytes."),
        ("modelwatch_alert_threshold", .gauge, "Alert thresholds of the model's settings (alerts:), by metric; the shipped rules compare against them."),
        ("modelwatch_feature_values_total", .counter, "Feature values per reference bin (numeric: PSI bin; categorical: category, __other__ for the rest) since the reference was installed."),
        ("modelwatch_drift_score", .gauge, "Drift of a feature against the reference, by method (for ks and chi2 the statistic; wasserstein is divided by the reference's standard deviation)."),
        ("modelwatch_drift_p_value", .gauge, "p-value of the ks and chi2 drift tests."),
        ("modelwatch_feature_drifted", .gauge, "1 when the feature drifted by the model's drift method (auto: KS/chi-square p-value for references of up to 1,000 rows, else Wasserstein/Jensen-Shannon > 0.1)."),
        ("modelwatch_drifted_features_share", .gauge, "Share of the decided input features that drifted; data drift when >= 0.5."),
        ("modelwatch_prediction_drift_score", .gauge, "Drift of the prediction (binary: score; regression: value; else the class) against the reference, by method."),
        ("modelwatch_label_drift_score", .gauge, "Drift of the labels (in label-arrival time) against the reference, by method."),
        ("modelwatch_feature_missing_ratio", .gauge, "Share of the window's predictions where the feature was null, absent or of the other type."),
        ("modelwatch_feature_out_of_range_ratio", .gauge, "Share of the feature's values outside the reference's [min, max] (numeric)."),
        ("modelwatch_feature_unseen_category_ratio", .gauge, "Share of the feature's values in categories the reference never saw (categorical)."),
        ("modelwatch_feature_mean", .gauge, "Mean of the feature's values (numeric)."),
        ("modelwatch_feature_quantile", .summary, "Quantiles of the feature's values in the window, interpolated within reference cells (numeric, with a reference)."),
        ("modelwatch_concept_drift_state", .gauge, "Concept drift detector state on the outcome stream: 0 stable, 1 warning, 2 drift."),
        ("modelwatch_concept_drift_detections_total", .counter, "Concept drifts detected on the outcome stream (the detector starts over after each)."),
    ]

    func collect(into sink: inout [MetricFamily]) throws {
        let now = clock()
        let boxes = store.all()
        let reports = boxes.map { box in box.state.withLock { $0.report(now: now) } }
        let settings = boxes.map { box in box.settings.withLock { $0 } }
        var series: [String: [MetricSeries]] = [:]
        func add(_ family: String, _ labels: [(String, String)], _ value: Double) {
            series[family, default: []].append(MetricSeries(labels: labels, value))
        }
        func histogram(_ family: String, _ labels: [(String, String)], _ h: BucketHistogram) {
            series[family, default: []].append(MetricSeries(labels: labels, value: .histogram(buckets: h.cumulativeBuckets, sum: h.sum, count: h.count)))
        }
        add("modelwatch_models", [], Double(reports.count))
        add("modelwatch_exact_drift_reserved_bytes", [], Double(store.exactDriftBudget.reserved))
        for (report, settings) in zip(reports, settings) {
            let model = report.name
            for (metric, value) in settings.alerts.effective(psiThreshold: settings.drift.psiThreshold) {
                add("modelwatch_alert_threshold", [("metric", metric), ("model", model)], value)
            }
            if report.referenceGeneration >= 0 { add("modelwatch_reference_rows", [("model", model)], Double(report.referenceRows)) }
            for f in report.referenceBins {
                for (bin, ratio) in f.bins { add("modelwatch_reference_bin_ratio", [("bin", bin), ("feature", f.feature), ("model", model)], ratio) }
            }
            addVersions(report, add)
            for (reason, count) in report.rejected { add("modelwatch_events_rejected_total", [("model", model), ("reason", reason)], Double(count)) }
            for v in report.versions {
                let mv = [("model", model), ("version", v.name)]
                add("modelwatch_predictions_total", mv, Double(v.predictions))
                add("modelwatch_duplicate_predictions_total", mv, Double(v.duplicatePredictions))
                for (result, count) in [("matched", v.labels.matched), ("unmatched", v.labels.unmatched),
                                        ("duplicate", v.labels.duplicate), ("expired", v.labels.expired)] {
                    add("modelwatch_labels_total", mv + [("result", result)], Double(count))
                }
                if report.task != .regression { addOutcomes(v, classNames: report.classNames, mv, add) }
                histogram("modelwatch_prediction_latency_seconds", mv, v.latency)
                histogram("modelwatch_label_delay_seconds", mv, v.labelDelay)
                add("modelwatch_pending_labels", mv, Double(v.pendingLabels))
                if v.lastEvent > 0 { add("modelwatch_last_event_timestamp_seconds", mv, v.lastEvent) }
                for d in v.detectors {
                    add("modelwatch_concept_drift_state", mv + [("detector", d.name)], Double(d.state.rawValue))
                    add("modelwatch_concept_drift_detections_total", mv + [("detector", d.name)], Double(d.detections))
                }
                for f in v.featureBins {
                    for (bin, count) in f.bins {
                        add("modelwatch_feature_values_total", mv + [("feature", f.feature), ("bin", bin)], Double(count))
                    }
                }
                for w in v.windows {
                    let mvw = mv + [("window", w.window.name)]
                    add("modelwatch_window_predictions", mvw, Double(w.performance.predictions))
                    add("modelwatch_window_outcomes", mvw, Double(w.performance.outcomes))
                    if let c = w.performance.labelCoverage { add("modelwatch_label_coverage", mvw, c) }
                    Self.addPerformance(prefix: "modelwatch_", w.performance, mvw, classNames: report.classNames, add)
                    if let e = w.estimated { Self.addEstimated(e, mvw, classNames: report.classNames, add) }
                    addDrift(w.drift, mvw, add)
                }
                addLabelLag(v, mv, classNames: report.classNames, add)
                addBusiness(v, mv, add)
                addSegments(v, mv, add)
            }
        }
        for (family, type, help) in Self.specs {
            sink.append(try MetricFamily(name: family, help: help, type: type, series: series[family] ?? []))
        }
    }

    /// Classes up to which every cell of the confusion matrix is exported, zeros included, so
    /// that `rate()` sees a cell's first outcome (beyond, only the cells seen: n² series).
    static let zeroFilledClasses = 16

    /// The performance families of one window (or cohort), under `prefix` (`modelwatch_`,
    /// `modelwatch_cohort_`, `modelwatch_matured_`).
    static func addPerformance(prefix: String, _ performance: PerformanceSummary,
                               _ labels: [(String, String)], classNames: [String],
                               _ add: (String, [(String, String)], Double) -> Void) {
        if let c = performance.classification {
            add(prefix + "accuracy", labels, c.accuracy)
            if let x = c.rocAUC { add(prefix + "roc_auc", labels, x) }
            if let x = c.logLoss { add(prefix + "log_loss", labels, x) }
            if let x = c.brierScore { add(prefix + "brier_score", labels, x) }
            for k in c.perClass {
                let withClass = labels + [("class", classNames[k.classIndex])]
                add(prefix + "precision", withClass, k.precision)
                add(prefix + "recall", withClass, k.recall)
                add(prefix + "f1_score", withClass, k.f1)
            }
            add(prefix + "precision_macro", labels, c.precisionMacro)
            add(prefix + "recall_macro", labels, c.recallMacro)
            add(prefix + "f1_macro", labels, c.f1Macro)
            add(prefix + "f1_weighted", labels, c.f1Weighted)
        }
        if let r = performance.regression {
            add(prefix + "mae", labels, r.mae)
            add(prefix + "rmse", labels, r.rmse)
            if let x = r.mape { add(prefix + "mape", labels, x) }
            if let x = r.r2 { add(prefix + "r2", labels, x) }
        }
    }

    /// The confusion matrix (`modelwatch_outcomes_total`) and its diagonal by class
    /// (`modelwatch_correct_outcomes_total`, every known class from 0).
    private func addOutcomes(_ v: VersionReport, classNames: [String], _ mv: [(String, String)],
                             _ add: (String, [(String, String)], Double) -> Void) {
        let n = classNames.count
        var cells = [UInt64](repeating: 0, count: n * n)
        for cell in v.outcomes where cell.actual < n && cell.predicted < n { cells[cell.actual * n + cell.predicted] = cell.count }
        for a in 0..<n {
            add("modelwatch_correct_outcomes_total", mv + [("class", classNames[a])], Double(cells[a * n + a]))
            for p in 0..<n where n <= Self.zeroFilledClasses || cells[a * n + p] > 0 {
                add("modelwatch_outcomes_total", mv + [("actual", classNames[a]), ("predicted", classNames[p])], Double(cells[a * n + p]))
            }
        }
    }

    /// The drift and data-quality gauges of one window.
    private func addDrift(_ drift: WindowDrift, _ mvw: [(String, String)], _ add: (String, [(String, String)], Double) -> Void) {
        for f in drift.features {
            let labels = [("feature", f.name)] + mvw  // in label-name order: no sorting per series
            for s in f.scores {
                let withMethod = [("feature", f.name), ("method", s.method)] + mvw
                add("modelwatch_drift_score", withMethod, s.score)
                if let p = s.pValue { add("modelwatch_drift_p_value", withMethod, p) }
            }
            if let d = f.drifted { add("modelwatch_feature_drifted", labels, d ? 1 : 0) }
            if let m = f.missingRatio { add("modelwatch_feature_missing_ratio", labels, m) }
            if let m = f.mean { add("modelwatch_feature_mean", labels, m) }
            if let n = f.numeric {
                add("modelwatch_feature_out_of_range_ratio", labels, n.outOfRangeRatio)
                add("modelwatch_feature_quantile", labels + [("quantile", "0.5")], n.median)
                add("modelwatch_feature_quantile", labels + [("quantile", "0.95")], n.p95)
            }
            if let c = f.categorical { add("modelwatch_feature_unseen_category_ratio", labels, c.unseenRatio) }
        }
        if let share = drift.driftedShare { add("modelwatch_drifted_features_share", mvw, share) }
        for s in drift.prediction?.scores ?? [] { add("modelwatch_prediction_drift_score", mvw + [("method", s.method)], s.score) }
        for s in drift.label?.scores ?? [] { add("modelwatch_label_drift_score", mvw + [("method", s.method)], s.score) }
    }
}
