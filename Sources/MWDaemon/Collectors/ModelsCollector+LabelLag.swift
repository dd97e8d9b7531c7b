// SPDX-License-Identifier: Apache-2.0
// The label-lag families: estimated performance, cohorts, matured windows, the label profile.

import MWExposition
import MWStats

extension ModelsCollector {
    /// Cohorts, matured windows and the label profile: the base performance families again
    /// under `modelwatch_cohort_` and `modelwatch_matured_`, and their volume and coverage.
    static let labelLagSpecs: [(String, MetricType, String)] = {
        var out: [(String, MetricType, String)] = [
            ("modelwatch_cohort_predictions", .gauge, "Predictions made in the cohort's age span (cohort=\"1d-2d\": between 1 and 2 days ago, in whole cohort slices)."),
            ("modelwatch_cohort_outcomes", .gauge, "Outcomes of the cohort's predictions, whenever their labels arrived."),
            ("modelwatch_cohort_label_coverage", .gauge, "Share of the cohort's predictions whose label has arrived."),
            ("modelwatch_cohort_estimated_predictions", .gauge, "Predictions of the cohort whose outcome is estimated (with a score, under a calibrated reference)."),
            ("modelwatch_cohort_estimated_accuracy", .gauge, "Accuracy estimated from the calibrated scores of the cohort's predictions: beside modelwatch_cohort_accuracy, a gap says the calibration no longer holds (concept drift)."),
            ("modelwatch_matured_window_predictions", .gauge, "Predictions of the matured window: made between the maturity delay and the maturity delay plus the window ago."),
            ("modelwatch_matured_window_outcomes", .gauge, "Outcomes of the matured window's predictions."),
            ("modelwatch_matured_label_coverage", .gauge, "Share of the matured window's predictions whose label has arrived."),
            ("modelwatch_maturity_seconds", .gauge, "The maturity delay in force (maturity: a duration, or auto: the observed p90 label delay)."),
            ("modelwatch_labelled_within_ratio", .gauge, "Share of the predictions made at least `delay` ago that were labelled within `delay` of their timestamp."),
            ("modelwatch_expected_label_coverage", .gauge, "Label coverage of the predictions older than the label TTL (whose labels can no longer arrive): what newer ones can be expected to reach."),
            ("modelwatch_unmatched_label_ratio", .gauge, "Share of labels that never met their prediction, of matched and unmatched labels."),
        ]
        let what = ["accuracy": "Accuracy", "roc_auc": "ROC AUC (binary; multiclass one-vs-rest macro)", "log_loss": "Log loss",
                    "brier_score": "Brier score (binary)", "precision": "Precision per class", "recall": "Recall per class",
                    "f1_score": "F1 per class", "precision_macro": "Macro precision", "recall_macro": "Macro recall",
                    "f1_macro": "Macro F1", "f1_weighted": "Support-weighted F1", "mae": "Mean absolute error",
                    "rmse": "Root mean squared error", "mape": "Mean absolute percentage error (ratio)", "r2": "Coefficient of determination"]
        for (prefix, whose) in [("modelwatch_cohort_", "the cohort's predictions (by prediction time), as the modelwatch_ family of the same name"),
                                ("modelwatch_matured_", "the matured window's predictions (older than the maturity delay), as the modelwatch_ family of the same name")] {
            for f in performanceFamilies { out.append((prefix + f, .gauge, what[f]! + " of the outcomes of " + whose + ".")) }
        }
        return out
    }()

    /// Cohorts, matured windows and the label profile of one version.
    func addLabelLag(_ v: VersionReport, _ mv: [(String, String)], classNames: [String],
                             _ add: (String, [(String, String)], Double) -> Void) {
        for c in v.cohorts {
            let labels = mv + [("cohort", c.name)]
            add("modelwatch_cohort_predictions", labels, Double(c.performance.predictions))
            add("modelwatch_cohort_outcomes", labels, Double(c.performance.outcomes))
            if let x = c.performance.labelCoverage { add("modelwatch_cohort_label_coverage", labels, x) }
            if let e = c.estimated {
                add("modelwatch_cohort_estimated_predictions", labels, Double(e.predictions))
                add("modelwatch_cohort_estimated_accuracy", labels, e.accuracy)
            }
            Self.addPerformance(prefix: "modelwatch_cohort_", c.performance, labels, classNames: classNames, add)
        }
        for m in v.matured {
            let labels = mv + [("window", m.name)]
            add("modelwatch_matured_window_predictions", labels, Double(m.performance.predictions))
            add("modelwatch_matured_window_outcomes", labels, Double(m.performance.outcomes))
            if let x = m.performance.labelCoverage { add("modelwatch_matured_label_coverage", labels, x) }
            Self.addPerformance(prefix: "modelwatch_matured_", m.performance, labels, classNames: classNames, add)
        }
        let profile = v.labelProfile
        if let m = profile.maturity { add("modelwatch_maturity_seconds", mv, m) }
        for w in profile.labelledWithin {
            if let share = w.share { add("modelwatch_labelled_within_ratio", mv + [("delay", w.name)], share) }
        }
        if let x = profile.expectedFinalCoverage { add("modelwatch_expected_label_coverage", mv, x) }
        if let x = profile.unmatchedShare { add("modelwatch_unmatched_label_ratio", mv, x) }
    }

    /// The `modelwatch_estimated_*` families of one window.
    static func addEstimated(_ e: EstimatedMetrics, _ labels: [(String, String)], classNames: [String],
                             _ add: (String, [(String, String)], Double) -> Void) {
        add("modelwatch_estimated_predictions", labels, Double(e.predictions))
        add("modelwatch_estimated_accuracy", labels, e.accuracy)
        if let x = e.rocAUC { add("modelwatch_estimated_roc_auc", labels, x) }
        for k in e.perClass where k.classIndex < classNames.count {
            let withClass = labels + [("class", classNames[k.classIndex])]
            add("modelwatch_estimated_precision", withClass, k.precision)
            add("modelwatch_estimated_recall", withClass, k.recall)
            add("modelwatch_estimated_f1_score", withClass, k.f1)
        }
        add("modelwatch_estimated_precision_macro", labels, e.precisionMacro)
        add("modelwatch_estimated_recall_macro", labels, e.recallMacro)
        add("modelwatch_estimated_f1_macro", labels, e.f1Macro)
    }
}
