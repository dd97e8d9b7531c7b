"""Model detail: one model version's performance, drift, data quality, labels, latency and volume."""

from mixin.dashboards import panels as p

MV = 'job=~"$job", model="$model", version=~"$version"'
MVW = MV + ', window="$window"'


def s(metric, extra=""):
    return "%s{%s%s}" % (metric, MVW, (", " + extra) if extra else "")


def build(config):
    floor = lambda metric: p.target('max(modelwatch_alert_threshold{job=~"$job", model="$model", metric="%s"})' % metric, "threshold")
    rate = "[$__rate_interval]"
    panels = [
        p.row("Performance"),
        p.timeseries("Accuracy", [p.target(s("modelwatch_accuracy"), "{{version}}"), floor("accuracy")], unit="percentunit",
                     minimum=0, maximum=1, steps=((0.8, "red"),), width=8,
                     description="Accuracy of the window's outcomes; the 'threshold' series is the model's own floor "
                                 "(alerts.accuracy), the red line the default."),
        p.timeseries("ROC AUC", [p.target(s("modelwatch_roc_auc"), "{{version}}")], unit="none", minimum=0, maximum=1, width=8),
        p.timeseries("F1 (macro, weighted)", [p.target(s("modelwatch_f1_macro"), "{{version}} macro"),
                                              p.target(s("modelwatch_f1_weighted"), "{{version}} weighted")],
                     unit="percentunit", minimum=0, maximum=1, width=8),
        p.timeseries("Precision per class", [p.target(s("modelwatch_precision"), "{{version}} {{class}}")], unit="percentunit",
                     minimum=0, maximum=1, width=8),
        p.timeseries("Recall per class", [p.target(s("modelwatch_recall"), "{{version}} {{class}}")], unit="percentunit",
                     minimum=0, maximum=1, width=8),
        p.timeseries("Log loss and Brier score", [p.target(s("modelwatch_log_loss"), "{{version}} log loss"),
                                                  p.target(s("modelwatch_brier_score"), "{{version}} Brier")],
                     unit="none", minimum=0, width=8),
        p.timeseries("Regression error (MAE, RMSE)", [p.target(s("modelwatch_mae"), "{{version}} MAE"),
                                                      p.target(s("modelwatch_rmse"), "{{version}} RMSE")],
                     unit="short", minimum=0, width=12),
        p.timeseries("Regression MAPE and R²", [p.target(s("modelwatch_mape"), "{{version}} MAPE"),
                                                p.target(s("modelwatch_r2"), "{{version}} R²")], unit="none", width=12),
        p.table("Confusion matrix (outcomes in the dashboard's range)",
                [p.target('sum by (actual, predicted) (increase(modelwatch_outcomes_total{%s}[$__range]))' % MV,
                          instant=True, table=True)],
                description="Rows: the actual class; columns: the predicted class; outcomes joined in the time range.",
                transformations=[{"id": "groupingToMatrix", "options": {"columnField": "predicted", "rowField": "actual",
                                                                         "valueField": "Value", "emptyValue": "zero"}}],
                width=12, height=8),
        p.timeseries("Outcomes in the window", [p.target(s("modelwatch_window_outcomes"), "{{version}}")], unit="short",
                     minimum=0, width=12),
        p.row("Drift"),
        p.heatmap("PSI per feature", [p.target(s("modelwatch_drift_score", 'method="psi"'), "{{feature}}")], unit="none",
                  description="Population stability index of each input feature against the reference, over time."),
        p.table("Features, worst first", [
                    p.target('max by (feature) (%s)' % s("modelwatch_drift_score", 'method="psi"'), instant=True, table=True),
                    p.target('max by (feature) (%s)' % s("modelwatch_drift_score", 'method=~"ks|chi2"'), instant=True, table=True),
                    p.target('min by (feature) (%s)' % s("modelwatch_drift_p_value"), instant=True, table=True),
                    p.target('max by (feature) (%s)' % s("modelwatch_drift_score", 'method=~"wasserstein|jensenshannon"'),
                             instant=True, table=True),
                    p.target('max by (feature) (%s)' % s("modelwatch_feature_drifted"), instant=True, table=True)],
                description="Per feature: PSI, the KS or chi-square statistic and p-value, Wasserstein/std or "
                            "Jensen-Shannon, and whether the model's drift method calls it drifted.",
                sort_by="PSI",
                transformations=[{"id": "merge", "options": {}},
                                 {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {
                                     "Value #A": "PSI", "Value #B": "KS / chi²", "Value #C": "p-value",
                                     "Value #D": "Wasserstein / JS", "Value #E": "Drifted"}}}],
                steps=((0.2, "red"),), width=12, height=9),
        p.timeseries("Drifted features share", [p.target(s("modelwatch_drifted_features_share"), "{{version}}"),
                                                floor("drifted_features_share")],
                     unit="percentunit", minimum=0, maximum=1, steps=((0.5, "orange"),), width=12, height=9),
        p.timeseries("Prediction drift", [p.target(s("modelwatch_prediction_drift_score"), "{{version}} {{method}}")],
                     unit="none", minimum=0, width=12),
        p.timeseries("Label drift", [p.target(s("modelwatch_label_drift_score"), "{{version}} {{method}}")],
                     unit="none", minimum=0, width=12),
        p.row("Data quality"),
        p.timeseries("Missing ratio", [p.target(s("modelwatch_feature_missing_ratio"), "{{feature}}")], unit="percentunit",
                     minimum=0, maximum=1, width=8),
        p.timeseries("Out-of-range ratio", [p.target(s("modelwatch_feature_out_of_range_ratio"), "{{feature}}")],
                     unit="percentunit", minimum=0, maximum=1, width=8),
        p.timeseries("Unseen-category ratio", [p.target(s("modelwatch_feature_unseen_category_ratio"), "{{feature}}")],
                     unit="percentunit", minimum=0, maximum=1, width=8),
        p.timeseries("Feature mean", [p.target(s("modelwatch_feature_mean"), "{{feature}}")], unit="short", width=12),
        p.timeseries("Feature median and p95", [p.target(s("modelwatch_feature_quantile"), "{{feature}} q{{quantile}}")],
                     unit="short", width=12),
        p.row("Labels"),
        p.timeseries("Label coverage", [p.target(s("modelwatch_label_coverage"), "{{version}}"), floor("label_coverage")],
                     unit="percentunit", minimum=0, maximum=1, width=8),
        p.timeseries("Label delay (p50, p90, p99)", [
            p.target('histogram_quantile(%s, sum by (version, le) (rate(modelwatch_label_delay_seconds_bucket{%s}%s)))' % (q, MV, rate),
                     "{{version}} p%s" % int(float(q) * 100)) for q in ("0.5", "0.9", "0.99")], unit="s", minimum=0, width=8),
        p.timeseries("Labels/s by result", [p.target('sum by (version, result) (rate(modelwatch_labels_total{%s}%s))' % (MV, rate),
                                                     "{{version}} {{result}}")], unit="reqps", minimum=0, width=8, stack=True),
        p.timeseries("Pending labels", [p.target('modelwatch_pending_labels{%s}' % MV, "{{version}}")], unit="short", minimum=0,
                     width=12),
        p.row("Label lag: estimates, cohorts, maturity"),
        p.timeseries("Accuracy: realised and estimated", [
                         p.target(s("modelwatch_accuracy"), "{{version}} realised"),
                         p.target(s("modelwatch_estimated_accuracy"), "{{version}} estimated"), floor("accuracy")],
                     unit="percentunit", minimum=0, maximum=1, steps=((0.8, "red"),), width=12,
                     description="Realised: the outcomes whose labels arrived in the window. Estimated: what the calibrated "
                                 "scores of the window's predictions promise (CBPE), before any label; it moves days before "
                                 "the labels can show a drop, as long as scores and outcomes keep their relation."),
        p.timeseries("Estimated precision, recall, F1 (macro) and ROC AUC", [
                         p.target(s("modelwatch_estimated_precision_macro"), "{{version}} precision"),
                         p.target(s("modelwatch_estimated_recall_macro"), "{{version}} recall"),
                         p.target(s("modelwatch_estimated_f1_macro"), "{{version}} F1"),
                         p.target(s("modelwatch_estimated_roc_auc"), "{{version}} ROC AUC")],
                     unit="percentunit", minimum=0, maximum=1, width=12),
        p.timeseries("Label coverage by prediction age", [
                         p.target('modelwatch_cohort_label_coverage{%s}' % MV, "{{version}} {{cohort}}")],
                     unit="percentunit", minimum=0, maximum=1, width=8,
                     description="Per cohort (predictions made between the two ages), the share whose label has arrived: "
                                 "how complete yesterday's labels are."),
        p.timeseries("Accuracy by prediction age: realised and estimated", [
                         p.target('modelwatch_cohort_accuracy{%s}' % MV, "{{version}} {{cohort}} realised"),
                         p.target('modelwatch_cohort_estimated_accuracy{%s}' % MV, "{{version}} {{cohort}} estimated")],
                     unit="percentunit", minimum=0, maximum=1, width=8,
                     description="The same predictions measured twice: a gap means the calibration no longer holds "
                                 "(concept drift, ModelEstimateDiverging)."),
        p.timeseries("Labels within 1h / 1d / 7d, expected final coverage, unmatched", [
                         p.target('modelwatch_labelled_within_ratio{%s}' % MV, "{{version}} within {{delay}}"),
                         p.target('modelwatch_expected_label_coverage{%s}' % MV, "{{version}} expected final"),
                         p.target('modelwatch_unmatched_label_ratio{%s}' % MV, "{{version}} unmatched")],
                     unit="percentunit", minimum=0, maximum=1, width=8),
        p.timeseries("Matured windows (predictions older than the maturity delay)", [
                         p.target('modelwatch_matured_accuracy{%s}' % MV, "{{version}} {{window}} accuracy"),
                         p.target('modelwatch_matured_label_coverage{%s}' % MV, "{{version}} {{window}} coverage")],
                     unit="percentunit", minimum=0, maximum=1, width=8,
                     description="Each window shifted back by the maturity delay: the accuracy of predictions whose labels "
                                 "had time to arrive, not biased toward the fast ones."),
        p.timeseries("Matured regression error (MAE)", [p.target('modelwatch_matured_mae{%s}' % MV, "{{version}} {{window}}")],
                     unit="short", minimum=0, width=8),
        p.stat("Maturity delay", [p.target('max(modelwatch_maturity_seconds{%s})' % MV)], unit="s", width=8, height=8),
        p.row("Canary against its baseline"),
        p.timeseries("Accuracy and MAE per version, side by side", [p.target(s("modelwatch_accuracy"), "{{version}} accuracy"),
                                                                   p.target(s("modelwatch_mae"), "{{version}} MAE")],
                     unit="short", minimum=0, width=12,
                     description="The canary and its baseline on the same window (the version variable selects them)."),
        p.timeseries("Traffic share per version", [p.target(s("modelwatch_version_traffic_share"), "{{version}}")],
                     unit="percentunit", minimum=0, maximum=1, width=12, stack=True),
        p.timeseries("Accuracy difference from the baseline (95 % interval)", [
                         p.target(s("modelwatch_version_accuracy_difference"), "{{version}} − {{baseline}}"),
                         p.target(s("modelwatch_version_accuracy_difference_bound"), "{{version}} {{bound}}")],
                     unit="percentunit", width=8,
                     description="Candidate minus baseline (the model's baseline setting), with the 95 % Newcombe interval: "
                                 "an interval that excludes 0 is a real difference."),
        p.timeseries("Canary p-values", [p.target(s("modelwatch_version_accuracy_p_value"), "{{version}} accuracy"),
                                         p.target(s("modelwatch_version_mae_p_value"), "{{version}} MAE"),
                                         floor("canary_p_value")],
                     unit="none", minimum=0, maximum=1, width=8),
        p.row("Segments"),
        p.table("Segment values, worst first", [
                    p.target('min by (segment, value) (%s)' % s("modelwatch_segment_accuracy"), instant=True, table=True),
                    p.target('sum by (segment, value) (%s)' % s("modelwatch_segment_predictions"), instant=True, table=True)],
                description="Per value of each segment feature (settings: segments), the window's accuracy and volume: "
                            "where a model that is fine on average fails.",
                sort_by="Accuracy", sort_descending=False,
                transformations=[{"id": "merge", "options": {}},
                                 {"id": "organize", "options": {"excludeByName": {"Time": True},
                                                                "renameByName": {"Value #A": "Accuracy", "Value #B": "Predictions"}}}],
                units={"Accuracy": "percentunit"}, width=12, height=8),
        p.timeseries("Accuracy per segment value", [p.target(s("modelwatch_segment_accuracy"), "{{segment}}={{value}}")],
                     unit="percentunit", minimum=0, maximum=1, width=12, height=8),
        p.timeseries("MAE per segment value (regression)", [p.target(s("modelwatch_segment_mae"), "{{segment}}={{value}}")],
                     unit="short", minimum=0, width=12),
        p.timeseries("Predictions per segment value", [p.target(s("modelwatch_segment_predictions"), "{{segment}}={{value}}")],
                     unit="short", minimum=0, width=12),
        p.timeseries("Drift per segment value (PSI against the value's reference rows)", [
                         p.target(s("modelwatch_segment_prediction_drift_score"), "{{segment}}={{value}} prediction"),
                         p.target(s("modelwatch_segment_drift_score"), "{{segment}}={{value}} {{feature}}")],
                     unit="none", minimum=0, width=12,
                     description="Each segment value's window against the reference rows with the same value: the prediction, "
                                 "and the features of the segment_drift setting. A value the reference lacks has none."),
        p.row("Business value and cost"),
        p.timeseries("Business values per second", [
                         p.target('sum by (version, name) (rate(modelwatch_business_value_total{%s}%s))' % (MV, rate), "{{version}} {{name}}")],
                     unit="short", width=8,
                     description="The business values events carried (business.<name> on predictions and labels)."),
        p.timeseries("Cost of mistakes in the window: realised and expected", [
                         p.target(s("modelwatch_window_cost"), "{{version}} realised"),
                         p.target(s("modelwatch_estimated_cost"), "{{version}} expected")],
                     unit="short", minimum=0, width=8,
                     description="Realised: the model's costs applied to the window's outcomes. Expected: applied to the "
                                 "estimated outcomes of the window's predictions (calibrated reference), before labels."),
        p.timeseries("Cost per second", [p.target('sum by (version) (rate(modelwatch_cost_total{%s}%s))' % (MV, rate), "{{version}}")],
                     unit="short", minimum=0, width=8),
        p.row("Latency and volume"),
        p.timeseries("Inference latency (p50, p95, p99)", [
            p.target('histogram_quantile(%s, sum by (version, le) (rate(modelwatch_prediction_latency_seconds_bucket{%s}%s)))'
                     % (q, MV, rate), "{{version}} p%s" % int(float(q) * 100)) for q in ("0.5", "0.95", "0.99")]
            + [floor("latency_p99_seconds")], unit="s", minimum=0, width=12),
        p.timeseries("Predictions/s", [p.target('sum by (version) (rate(modelwatch_predictions_total{%s}%s))' % (MV, rate),
                                                "{{version}}")], unit="reqps", minimum=0, width=6),
        p.timeseries("Rejected events/s", [p.target('sum by (reason) (rate(modelwatch_events_rejected_total{job=~"$job", model="$model"}%s))'
                                                    % rate, "{{reason}}")], unit="reqps", minimum=0, width=6),
        p.timeseries("Predictions in the window", [p.target(s("modelwatch_window_predictions"), "{{version}}")], unit="short",
                     minimum=0, width=12),
        p.row("Concept drift"),
        p.state_timeline("Detector state", [p.target('modelwatch_concept_drift_state{%s}' % MV, "{{version}} {{detector}}")],
                         mapping={0: ("stable", "green"), 1: ("warning", "orange"), 2: ("drift", "red")}, width=16),
        p.stat("Detections in range", [p.target('sum(increase(modelwatch_concept_drift_detections_total{%s}[$__range]))' % MV)],
               steps=((1, "orange"),), width=8, height=6),
    ]
    variables = [
        p.datasource_variable(),
        p.query_variable("job", "Job", "label_values(modelwatch_build_info, job)", current={"text": config["job"], "value": config["job"]}),
        p.query_variable("model", "Model", 'label_values(modelwatch_predictions_total{job=~"$job"}, model)'),
        p.query_variable("version", "Version", 'label_values(modelwatch_predictions_total{job=~"$job", model="$model"}, version)',
                         multi=True, include_all=True, current={"text": "All", "value": "$__all"}),
        p.query_variable("window", "Window", 'label_values(modelwatch_window_predictions{job=~"$job", model="$model"}, window)',
                         current={"text": config["alert_window"], "value": config["alert_window"]}),
    ]
    return p.dashboard("modelwatch-model", "modelwatch / Model detail",
                       "One model: performance per window with its thresholds, confusion matrix, drift per feature, "
                       "data quality, labels, latency, volume and concept drift.", panels, variables, config,
                       links=("modelwatch",))
