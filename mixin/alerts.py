"""Every alert rule: symptoms a team acts on, each guarded so that a quiet model does not page."""

from mixin.promql import MODEL, VERSION, enough_outcomes, enough_predictions, sel, threshold


def _alert(config, name, expr, for_key, severity, summary, description, window=None):
    labels = {"severity": severity}
    if window:
        labels["window"] = window
    rule = {"alert": name, "expr": expr}
    duration = config["for"][for_key] if for_key else None
    if duration:
        rule["for"] = duration
    rule["labels"] = labels
    rule["annotations"] = {
        "summary": summary,
        "description": description,
        "runbook_url": "%s#%s" % (config["runbook"], name.lower()),
    }
    return rule


MV = "{{ $labels.model }} {{ $labels.version }}"


def _beyond(c, metric, op, key, guard, **labels):
    """`metric{labels} op` the model's threshold `key`, kept where `guard` holds."""
    return "%s%s %s %s\n%s" % (metric, sel(c, **labels), op, threshold(c, key), guard)


def performance(c):
    w, b = c["alert_window"], c["baseline_window"]
    drop = lambda metric: (
        "(\n  modelwatch_%s%s\n  - ignoring (window)\n  modelwatch_%s%s\n) > %s\n%s"
        % (metric, sel(c, window=b), metric, sel(c, window=w), threshold(c, metric_key[metric]), enough_outcomes(c, w)))
    metric_key = {"roc_auc": "roc_auc_drop", "f1_macro": "f1_drop"}
    rise = lambda metric: (
        "(\n  modelwatch_%s%s\n  / ignoring (window)\n  modelwatch_%s%s\n  - 1\n) > %s\n%s"
        % (metric, sel(c, window=w), metric, sel(c, window=b), threshold(c, "error_increase"), enough_outcomes(c, w)))
    return [
        _alert(c, "ModelAccuracyLow",
               _beyond(c, "modelwatch_accuracy", "<", "accuracy", enough_outcomes(c, w), window=w),
               "performance", "critical", "Model accuracy is below its floor.",
               "Accuracy of %s over the last {{ $labels.window }} is {{ $value | humanizePercentage }}, below the model's floor "
               "(alerts.accuracy, default 80%%)." % MV, window=w),
        _alert(c, "ModelROCAUCDropped", drop("roc_auc"), "performance", "warning",
               "Model ROC AUC fell below its %s baseline." % b,
               "ROC AUC of %s over the last %s is {{ $value | printf \"%%.3f\" }} below its %s value." % (MV, w, b), window=w),
        _alert(c, "ModelF1Dropped", drop("f1_macro"), "performance", "warning",
               "Model macro F1 fell below its %s baseline." % b,
               "Macro F1 of %s over the last %s is {{ $value | printf \"%%.3f\" }} below its %s value." % (MV, w, b), window=w),
        _alert(c, "ModelMAEIncreased", rise("mae"), "performance", "warning",
               "Regression MAE rose above its %s baseline." % b,
               "MAE of %s over the last %s is {{ $value | humanizePercentage }} above its %s value." % (MV, w, b), window=w),
        _alert(c, "ModelRMSEIncreased", rise("rmse"), "performance", "warning",
               "Regression RMSE rose above its %s baseline." % b,
               "RMSE of %s over the last %s is {{ $value | humanizePercentage }} above its %s value." % (MV, w, b), window=w),
    ]


def drift(c):
    w = c["alert_window"]
    return [
        _alert(c, "ModelDataDrift",
               _beyond(c, "modelwatch_drifted_features_share", ">=", "drifted_features_share", enough_predictions(c, w), window=w),
               "drift", "warning", "Most of the model's input features drifted.",
               "{{ $value | humanizePercentage }} of the input features of %s drifted from the reference over the last "
               "{{ $labels.window }}." % MV, window=w),
        _alert(c, "FeaturePSIHigh",
               _beyond(c, "modelwatch_drift_score", ">", "psi", enough_predictions(c, w), window=w, method="psi"),
               "drift", "warning", "A feature's PSI is above the model's threshold.",
               "PSI of feature {{ $labels.feature }} of %s over the last {{ $labels.window }} is {{ $value | printf \"%%.3f\" }} "
               "(drift.psi_threshold)." % MV, window=w),
        _alert(c, "ModelPredictionDrift",
               _beyond(c, "modelwatch_prediction_drift_score", ">", "prediction_psi", enough_predictions(c, w), window=w, method="psi"),
               "drift", "warning", "The model's predictions drifted from the reference.",
               "PSI of the predictions of %s over the last {{ $labels.window }} is {{ $value | printf \"%%.3f\" }}." % MV, window=w),
        _alert(c, "ModelLabelDrift",
               _beyond(c, "modelwatch_label_drift_score", ">", "prediction_psi", enough_outcomes(c, w), window=w, method="psi"),
               "drift", "warning", "The ground truth drifted from the reference.",
               "PSI of the labels of %s over the last {{ $labels.window }} is {{ $value | printf \"%%.3f\" }}." % MV, window=w),
        # One detector alone fires too often on a stationary stream (DDM late in a long stream,
        # Page-Hinkley on regression errors of large scale): at least two must agree.
        _alert(c, "ModelConceptDrift",
               "count by (%s) (increase(modelwatch_concept_drift_detections_total%s[%s]) > 0) >= %d"
               % (VERSION, sel(c), c["concept_drift_hold"], c["concept_drift_detectors"]),
               None, "warning", "Concept drift detectors agree on a change in the model's outcomes.",
               "{{ $value }} concept drift detectors found a change in the error rate of %s within the last %s."
               % (MV, c["concept_drift_hold"])),
    ]


def quality(c):
    w, b = c["alert_window"], c["baseline_window"]

    def jump(name, metric, key, what):
        expr = "(\n  modelwatch_feature_%s%s\n  - ignoring (window)\n  modelwatch_feature_%s%s\n) > %s\n%s" % (
            metric, sel(c, window=w), metric, sel(c, window=b), threshold(c, key), enough_predictions(c, w))
        return _alert(c, name, expr, "quality", "warning", "A feature's %s jumped." % what,
                      "The %s of feature {{ $labels.feature }} of %s over the last %s is {{ $value | humanizePercentage }} "
                      "above its %s value." % (what, MV, w, b), window=w)

    return [
        jump("FeatureMissingRatioJump", "missing_ratio", "missing_ratio_increase", "missing ratio"),
        jump("FeatureOutOfRangeJump", "out_of_range_ratio", "out_of_range_ratio_increase", "out-of-range ratio"),
        jump("FeatureUnseenCategoriesJump", "unseen_category_ratio", "unseen_category_ratio_increase", "unseen-category ratio"),
    ]


def labels(c):
    cw, quiet, look, er = c["coverage_window"], c["labels_quiet"], c["traffic_lookback"], c["expiry_range"]
    matched = "modelwatch_labels_total%s" % sel(c, result="matched")
    predictions = "modelwatch_predictions_total%s" % sel(c)
    return [
        _alert(c, "ModelLabelCoverageLow",
               _beyond(c, "modelwatch_label_coverage", "<", "label_coverage", enough_predictions(c, cw), window=cw),
               "labels", "warning", "Few of the model's predictions have their label.",
               "Only {{ $value | humanizePercentage }} of the predictions of %s in the last {{ $labels.window }} have their label "
               "(alerts.label_coverage)." % MV, window=cw),
        _alert(c, "ModelLabelsStopped",
               "sum by (%s) (rate(%s[%s])) == 0\nand on (%s)\nsum by (%s) (rate(%s[%s])) > 0\nand on (%s)\n"
               "sum by (%s) (increase(%s[%s])) > 0"
               % (VERSION, matched, quiet, VERSION, VERSION, predictions, quiet, VERSION, VERSION, matched, look),
               "labels", "warning", "Labels stopped arriving while predictions flow.",
               "No label of %s matched a prediction in the last %s, although predictions arrive and labels did "
               "within the last %s." % (MV, quiet, look)),
        _alert(c, "ModelPredictionsExpiring",
               "sum by (%s) (rate(modelwatch_labels_total%s[%s]))\n/\nsum by (%s) (rate(%s[%s]) > 0)\n> %s"
               % (VERSION, sel(c, result="expired"), er, VERSION, predictions, er, threshold(c, "expired_ratio")),
               "labels", "warning", "Predictions expire without their label.",
               "{{ $value | humanizePercentage }} as many predictions of %s expired unlabelled as arrived over the last %s "
               "(label_ttl or max_pending too small, or labels lost)." % (MV, er)),
    ]


def label_lag(c):
    w, dc, cc = c["alert_window"], c["divergence_cohort"], c["coverage_cohort"]
    estimated = "and on (%s) (modelwatch_estimated_predictions%s >= %s)" % (VERSION, sel(c, window=w), threshold(c, "min_outcomes"))
    cohort_outcomes = "and on (%s) (modelwatch_cohort_outcomes%s >= %s)" % (VERSION, sel(c, cohort=dc), threshold(c, "min_outcomes"))
    cohort_predictions = "and on (%s) (modelwatch_cohort_predictions%s >= %s)" % (VERSION, sel(c, cohort=cc), threshold(c, "min_predictions"))
    return [
        _alert(c, "ModelEstimatedAccuracyLow",
               _beyond(c, "modelwatch_estimated_accuracy", "<", "accuracy", estimated, window=w),
               "performance", "warning", "The model's estimated accuracy is below its floor, before the labels say so.",
               "Accuracy of %s estimated from the calibrated scores of the last {{ $labels.window }} of predictions is "
               "{{ $value | humanizePercentage }}, below the model's floor (alerts.accuracy); the labels will tell in time." % MV,
               window=w),
        _alert(c, "ModelEstimateDiverging",
               "abs(\n  modelwatch_cohort_accuracy%s\n  - on (%s, cohort)\n  modelwatch_cohort_estimated_accuracy%s\n) > %s\n%s"
               % (sel(c, cohort=dc), VERSION, sel(c, cohort=dc), threshold(c, "estimation_gap"), cohort_outcomes),
               "performance", "warning", "Realised and estimated accuracy of the same predictions disagree: concept drift.",
               "The realised accuracy of the predictions %s made {{ $labels.cohort }} ago is {{ $value | humanizePercentage }} away "
               "from the accuracy their calibrated scores promise (alerts.estimation_gap): the relation between scores and "
               "outcomes moved, so estimates can no longer be trusted." % MV),
        _alert(c, "ModelCohortCoverageStalled",
               "modelwatch_cohort_label_coverage%s\n< on (%s) group_left ()\n(\n  modelwatch_expected_label_coverage%s\n  * on (%s) group_left ()\n  %s\n)\n%s"
               % (sel(c, cohort=cc), VERSION, sel(c), MODEL, "modelwatch_alert_threshold%s" % sel(c, metric="cohort_coverage_ratio"),
                  cohort_predictions),
               "labels", "warning", "The labels of older predictions did not come in as they usually do.",
               "Only {{ $value | humanizePercentage }} of the predictions %s made {{ $labels.cohort }} ago have their label, "
               "under alerts.cohort_coverage_ratio of the coverage older predictions reached." % MV),
    ]


def canary(c):
    cw = c["canary_window"]
    same = "job, instance, model, version, baseline, window"

    def worse(metric, op):
        # A difference in the bad direction whose p-value is below the model's canary_p_value,
        # with min_outcomes outcomes on the candidate's side.
        return ("modelwatch_version_%s_difference%s %s 0\nand on (%s)\n(modelwatch_version_%s_p_value%s < %s)\n%s"
                % (metric, sel(c, window=cw), op, same, metric, sel(c, window=cw), threshold(c, "canary_p_value"),
                   enough_outcomes(c, cw)))
    return [
        _alert(c, "ModelCanaryWorse", worse("accuracy", "<"), "performance", "warning",
               "A version is significantly less accurate than its baseline.",
               "Accuracy of %s over the last {{ $labels.window }} is {{ $value | humanizePercentage }} against version "
               "{{ $labels.baseline }} (two-proportion z-test, p below alerts.canary_p_value)." % MV, window=cw),
        _alert(c, "ModelCanaryErrorHigher", worse("mae", ">"), "performance", "warning",
               "A version's errors are significantly larger than its baseline's.",
               "MAE of %s over the last {{ $labels.window }} is {{ $value | printf \"%%.3g\" }} above version "
               "{{ $labels.baseline }}'s (Welch's t-test, p below alerts.canary_p_value)." % MV, window=cw),
    ]


def segments(c):
    sw = c["segment_window"]
    guard = "and on (%s, segment, value) (modelwatch_segment_outcomes%s >= %s)" % (VERSION, sel(c, window=sw), threshold(c, "min_outcomes"))
    return [
        _alert(c, "ModelSegmentAccuracyLow",
               _beyond(c, "modelwatch_segment_accuracy", "<", "accuracy", guard, window=sw),
               "performance", "warning", "The model fails one segment of its traffic.",
               "Accuracy of %s on {{ $labels.segment }}={{ $labels.value }} over the last {{ $labels.window }} is "
               "{{ $value | humanizePercentage }}, below the model's floor (alerts.accuracy)." % MV, window=sw),
        _alert(c, "ModelSegmentErrorHigh",
               "modelwatch_segment_mae%s\n> on (%s, window) group_left ()\n(\n  modelwatch_mae%s\n  * on (%s) group_left ()\n  (1 + %s)\n)\n%s"
               % (sel(c, window=sw), VERSION, sel(c, window=sw), MODEL, "modelwatch_alert_threshold%s" % sel(c, metric="error_increase"), guard),
               "performance", "warning", "The model's errors on one segment are far above its overall errors.",
               "MAE of %s on {{ $labels.segment }}={{ $labels.value }} over the last {{ $labels.window }} is "
               "{{ $value | printf \"%%.3g\" }}, more than alerts.error_increase above the model's overall MAE." % MV, window=sw),
        # The prediction's PSI on the value, or its largest segment_drift feature PSI, each
        # against the model's own threshold, with min_predictions predictions of the value.
        _alert(c, "ModelSegmentDrift",
               "(\n  %s\n  or\n  max without (feature) (\n    %s\n  )\n)\nand on (%s, window, segment, value) (modelwatch_segment_predictions%s >= %s)"
               % (_beyond(c, "modelwatch_segment_prediction_drift_score", ">", "prediction_psi", "", window=sw, method="psi").strip(),
                  _beyond(c, "modelwatch_segment_drift_score", ">", "psi", "", window=sw, method="psi").strip(),
                  VERSION, sel(c, window=sw), threshold(c, "min_predictions")),
               "drift", "warning", "One segment's traffic drifted from its reference rows.",
               "On {{ $labels.segment }}={{ $labels.value }}, %s's predictions or inputs (segment_drift) over the last "
               "{{ $labels.window }} have a PSI of {{ $value | printf \"%%.3f\" }} against the reference rows of the same value "
               "(drift.psi_threshold)." % MV, window=sw),
    ]


def business(c):
    w, b = c["alert_window"], c["baseline_window"]
    per_outcome = lambda window: ("(modelwatch_window_cost%s / on (%s) (modelwatch_window_outcomes%s > 0))"
                                  % (sel(c, window=window), VERSION + ", window", sel(c, window=window)))
    return [
        _alert(c, "ModelCostRising",
               "(\n  %s\n  / ignoring (window)\n  (%s > 0)\n  - 1\n) > %s\n%s"
               % (per_outcome(w), per_outcome(b), threshold(c, "cost_increase"), enough_outcomes(c, w)),
               "performance", "warning", "What the model's mistakes cost per outcome rose above its baseline.",
               "The cost per outcome of %s over the last %s is {{ $value | humanizePercentage }} above its %s value "
               "(costs in the model's settings; alerts.cost_increase)." % (MV, w, b), window=w),
    ]


def availability(c):
    r, look = c["rate_range"], c["traffic_lookback"]
    predictions = "modelwatch_predictions_total%s" % sel(c)
    latency = ("histogram_quantile(0.99, sum by (%s, le) (rate(modelwatch_prediction_latency_seconds_bucket%s[%s])))"
               % (VERSION, sel(c), r))
    events = ("sum by (%s) (increase(modelwatch_predictions_total%s[%s]))\n+ on (%s)\n"
              "sum by (%s) (increase(modelwatch_labels_total%s[%s]))" % (MODEL, sel(c), r, MODEL, MODEL, sel(c), r))
    rejected = "sum by (%s) (increase(modelwatch_events_rejected_total%s[%s]))" % (MODEL, sel(c), r)
    return [
        _alert(c, "ModelPredictionsStopped",
               "sum by (%s) (rate(%s[%s])) == 0\nand on (%s)\nsum by (%s) (increase(%s[%s])) > 0"
               % (VERSION, predictions, r, VERSION, VERSION, predictions, look),
               "availability", "critical", "A model that had traffic stopped sending predictions.",
               "{{ $labels.model }} {{ $labels.version }} sent no prediction in the last %s, after traffic within the last %s."
               % (r, look)),
        _alert(c, "ModelLatencyHigh",
               "%s\n> %s\nand on (%s)\nsum by (%s) (increase(modelwatch_prediction_latency_seconds_count%s[%s])) >= %s"
               % (latency, threshold(c, "latency_p99_seconds"), VERSION, VERSION, sel(c), r, threshold(c, "min_predictions")),
               "latency", "warning", "The model's p99 inference latency is too high.",
               "p99 inference latency of %s over the last %s is {{ $value | humanizeDuration }} (alerts.latency_p99_seconds)."
               % (MV, r)),
        _alert(c, "ModelEventsRejected",
               "%s\n/ on (%s)\n(%s\n+ on (%s)\n(%s))\n> %s\nand on (%s)\n(%s) >= %s"
               % (rejected, MODEL, rejected, MODEL, events, threshold(c, "rejected_ratio"), MODEL,
                  "%s\n+ on (%s)\n(%s)" % (rejected, MODEL, events), threshold(c, "min_predictions")),
               "availability", "warning", "A high share of the model's events is rejected.",
               "{{ $value | humanizePercentage }} of the events sent for {{ $labels.model }} in the last %s were rejected; "
               "modelwatch_events_rejected_total says why." % r),
    ]


def daemon(c):
    up = "up%s" % sel(c)
    return [
        _alert(c, "ModelwatchDown", "%s == 0" % up, "down", "critical", "A modelwatch daemon is down.",
               "Prometheus cannot scrape {{ $labels.instance }} (job {{ $labels.job }}); its models are not watched."),
        _alert(c, "ModelwatchAbsent", "absent(%s)" % up, "absent", "critical", "No modelwatch daemon is scraped.",
               "Prometheus has no target for job {{ $labels.job }}: the daemons or their service discovery are gone."),
        _alert(c, "ModelwatchMemoryHigh", "process_resident_memory_bytes%s > %d" % (sel(c), c["memory_bytes"]),
               "memory", "warning", "A modelwatch daemon uses a lot of memory.",
               "{{ $labels.instance }} uses {{ $value | humanize1024 }}B of resident memory (ceiling %d bytes): "
               "many models, versions, features or pending predictions." % c["memory_bytes"]),
        _alert(c, "ModelwatchCollectorFailing", "modelwatch_scrape_collector_success%s == 0" % sel(c), "collector", "warning",
               "A modelwatch metrics collector fails.",
               "Collector {{ $labels.collector }} of {{ $labels.instance }} failed in its last scrapes; its metrics are missing."),
        _alert(c, "ModelwatchCertificateExpiring",
               "modelwatch_tls_certificate_expiry_timestamp_seconds%s - time() < %d * 86400" % (sel(c), c["certificate_days"]),
               "certificate", "warning", "A modelwatch TLS certificate expires soon.",
               "The certificate {{ $labels.instance }} serves expires in {{ $value | humanizeDuration }}; "
               "replace the files of tls.cert_file and tls.key_file and send SIGHUP."),
    ]


GROUPS = [
    ("modelwatch-performance", performance),
    ("modelwatch-drift", drift),
    ("modelwatch-data-quality", quality),
    ("modelwatch-labels", labels),
    ("modelwatch-label-lag", label_lag),
    ("modelwatch-canary", canary),
    ("modelwatch-business", business),
    ("modelwatch-segments", segments),
    ("modelwatch-availability", availability),
    ("modelwatch-daemon", daemon),
]


def groups(config):
    """The alert rule file's groups."""
    return [{"name": name, "rules": build(config)} for name, build in GROUPS]
