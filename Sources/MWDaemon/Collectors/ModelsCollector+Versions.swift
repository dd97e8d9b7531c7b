// SPDX-License-Identifier: Apache-2.0
// The version families: traffic shares, and canaries against their baseline.

import MWExposition
import MWStats

extension ModelsCollector {
    static let versionSpecs: [(String, MetricType, String)] = {
        var out: [(String, MetricType, String)] = [
            ("modelwatch_version_traffic_share", .gauge, "Share of the model's predictions in the window that went to this version."),
        ]
        for (metric, what) in [("accuracy", "accuracy (two-proportion z-test; Newcombe's interval)"),
                               ("roc_auc", "ROC AUC (binary; Hanley-McNeil z-test)"),
                               ("mae", "mean absolute error (regression; Welch's t-test on absolute errors)")] {
            out.append(("modelwatch_version_\(metric)_difference", .gauge,
                        "This version's \(what) minus the baseline version's, over the window (settings: baseline)."))
            out.append(("modelwatch_version_\(metric)_difference_bound", .gauge,
                        "The 95 % confidence interval of modelwatch_version_\(metric)_difference: bound=\"low\" and \"high\"."))
            out.append(("modelwatch_version_\(metric)_p_value", .gauge,
                        "Two-sided p-value of modelwatch_version_\(metric)_difference (small: the difference is real)."))
        }
        out.append(("modelwatch_version_feature_psi", .gauge,
                    "PSI of this version's values of the feature against the baseline version's in the same window (the reference's bins)."))
        out.append(("modelwatch_version_prediction_psi", .gauge,
                    "PSI of this version's predictions against the baseline version's in the same window."))
        return out
    }()

    /// Traffic shares of every version, and the comparisons with the baseline.
    func addVersions(_ report: ModelReport, _ add: (String, [(String, String)], Double) -> Void) {
        let model = report.name
        for (w, window) in (report.versions.first?.windows ?? []).enumerated() {
            let total = report.versions.reduce(0) { $0 + ($1.windows.count > w ? $1.windows[w].performance.predictions : 0) }
            guard total > 0 else { continue }
            for v in report.versions where v.windows.count > w {
                add("modelwatch_version_traffic_share", [("model", model), ("version", v.name), ("window", window.window.name)],
                    Double(v.windows[w].performance.predictions) / Double(total))
            }
        }
        for c in report.comparisons {
            let labels = [("baseline", c.baseline), ("model", model), ("version", c.candidate), ("window", c.window.name)]
            for (metric, d) in [("accuracy", c.accuracy), ("roc_auc", c.rocAUC), ("mae", c.absoluteError)] {
                guard let d else { continue }
                add("modelwatch_version_\(metric)_difference", labels, d.difference)
                add("modelwatch_version_\(metric)_difference_bound", labels + [("bound", "low")], d.low)
                add("modelwatch_version_\(metric)_difference_bound", labels + [("bound", "high")], d.high)
                add("modelwatch_version_\(metric)_p_value", labels, d.pValue)
            }
            for (feature, psi) in c.inputPSI { add("modelwatch_version_feature_psi", labels + [("feature", feature)], psi) }
            if let psi = c.predictionPSI { add("modelwatch_version_prediction_psi", labels, psi) }
        }
    }
}
