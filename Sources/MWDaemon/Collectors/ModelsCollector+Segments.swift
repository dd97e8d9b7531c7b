// SPDX-License-Identifier: Apache-2.0
// The segment families: volume and performance per value of each segment feature.

import MWExposition
import MWStats

extension ModelsCollector {
    static let segmentSpecs: [(String, MetricType, String)] = [
        ("modelwatch_segment_predictions", .gauge, "Predictions in the window with this value of the segment feature (the top segment_values by volume, the rest as __other__)."),
        ("modelwatch_segment_outcomes", .gauge, "Outcomes in the window of predictions with this segment value."),
        ("modelwatch_segment_accuracy", .gauge, "Accuracy of the window's outcomes with this segment value."),
        ("modelwatch_segment_f1_macro", .gauge, "Macro F1 of the window's outcomes with this segment value."),
        ("modelwatch_segment_mae", .gauge, "Mean absolute error of the window's outcomes with this segment value (regression)."),
        ("modelwatch_segment_rmse", .gauge, "Root mean squared error of the window's outcomes with this segment value (regression)."),
        ("modelwatch_segment_prediction_drift_score", .gauge, "PSI of the prediction in the window with this segment value against the reference rows with the same value."),
        ("modelwatch_segment_drift_score", .gauge, "PSI of a segment_drift feature in the window with this segment value against the reference rows with the same value."),
        ("modelwatch_segment_untracked_values_total", .counter, "Predictions whose segment value found no slot in memory (twice segment_values are kept) and counted as __other__."),
    ]

    func addSegments(_ v: VersionReport, _ mv: [(String, String)], _ add: (String, [(String, String)], Double) -> Void) {
        var untracked: [String: UInt64] = [:]
        for s in v.segments {
            untracked[s.segment] = s.untracked
            for e in s.values {
                let labels = mv + [("window", s.window.name), ("segment", s.segment), ("value", e.value)]
                add("modelwatch_segment_predictions", labels, Double(e.performance.predictions))
                add("modelwatch_segment_outcomes", labels, Double(e.performance.outcomes))
                // Five families at most per value (the volume of a segment's series: models × windows ×
                // segments × values); precision, recall and coverage are in the status JSON.
                if let c = e.performance.classification {
                    add("modelwatch_segment_accuracy", labels, c.accuracy)
                    add("modelwatch_segment_f1_macro", labels, c.f1Macro)
                }
                if let r = e.performance.regression {
                    add("modelwatch_segment_mae", labels, r.mae)
                    add("modelwatch_segment_rmse", labels, r.rmse)
                }
                for d in e.drift {
                    if let feature = d.feature {
                        add("modelwatch_segment_drift_score", labels + [("feature", feature), ("method", "psi")], d.psi)
                    } else {
                        add("modelwatch_segment_prediction_drift_score", labels + [("method", "psi")], d.psi)
                    }
                }
            }
        }
        for (segment, count) in untracked { add("modelwatch_segment_untracked_values_total", mv + [("segment", segment)], Double(count)) }
    }
}
