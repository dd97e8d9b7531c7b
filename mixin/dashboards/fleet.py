"""Fleet overview: every model at a glance."""

from mixin.dashboards import panels as p

JOB = 'job=~"$job"'
W = 'job=~"$job", window="$window"'


def build(config):
    by_model = lambda metric, agg="min": '%s by (model) (%s{%s})' % (agg, metric, W)
    table_targets = [
        p.target(by_model("modelwatch_accuracy"), instant=True, table=True),
        p.target(by_model("modelwatch_mae", "max"), instant=True, table=True),
        p.target(by_model("modelwatch_roc_auc"), instant=True, table=True),
        p.target(by_model("modelwatch_drifted_features_share", "max"), instant=True, table=True),
        p.target(by_model("modelwatch_label_coverage"), instant=True, table=True),
        p.target('sum by (model) (rate(modelwatch_predictions_total{%s}[$__rate_interval]))' % JOB, instant=True, table=True),
        p.target('sum by (model) (rate(modelwatch_events_rejected_total{%s}[$__rate_interval]))' % JOB, instant=True, table=True),
        p.target('count by (model) (ALERTS{alertstate="firing", model!=""})', instant=True, table=True),
    ]
    columns = ["Accuracy", "MAE", "ROC AUC", "Drifted features", "Label coverage", "Predictions/s", "Rejected/s", "Firing alerts"]
    rename = {"Value #%s" % chr(ord("A") + i): name for i, name in enumerate(columns)}
    panels = [
        p.row("Models"),
        p.table("Every model", table_targets,
                description="The worst version of each model on the chosen window: performance (accuracy for "
                            "classification, MAE for regression), ROC AUC, the share of drifted input features, label "
                            "coverage, traffic, rejected events and firing alerts.",
                units={"Accuracy": "percentunit", "ROC AUC": "none", "Drifted features": "percentunit",
                       "Label coverage": "percentunit", "Predictions/s": "reqps", "Rejected/s": "reqps"},
                sort_by="Firing alerts",
                transformations=[{"id": "merge", "options": {}},
                                 {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": rename}}],
                height=9),
        p.stat("Models", [p.target('count(count by (model) (modelwatch_predictions_total{%s}))' % JOB)], width=4),
        p.stat("Predictions/s", [p.target('sum(rate(modelwatch_predictions_total{%s}[$__rate_interval]))' % JOB)],
               unit="reqps", width=5),
        p.stat("Labels matched/s", [p.target('sum(rate(modelwatch_labels_total{%s, result="matched"}[$__rate_interval]))' % JOB)],
               unit="reqps", width=5),
        p.stat("Models drifting", [p.target('count(max by (model) (modelwatch_drifted_features_share{%s}) >= 0.5) or vector(0)' % W)],
               steps=((1, "orange"),), width=5),
        p.stat("Firing model alerts", [p.target('count(ALERTS{alertstate="firing", model!=""}) or vector(0)')],
               steps=((1, "red"),), width=5),
        p.row("Performance and drift"),
        p.timeseries("Accuracy", [p.target(by_model("modelwatch_accuracy"), "{{model}}")], unit="percentunit",
                     minimum=0, maximum=1, steps=((0.8, "red"),),
                     description="Worst version's accuracy per classification model; the line is the default floor (0.8)."),
        p.timeseries("Regression MAE", [p.target(by_model("modelwatch_mae", "max"), "{{model}}")], unit="short", minimum=0),
        p.timeseries("ROC AUC", [p.target(by_model("modelwatch_roc_auc"), "{{model}}")], unit="none", minimum=0, maximum=1),
        p.timeseries("Drifted features share", [p.target(by_model("modelwatch_drifted_features_share", "max"), "{{model}}")],
                     unit="percentunit", minimum=0, maximum=1, steps=((0.5, "orange"),),
                     description="Data drift is on at 0.5 (SPEC section 4)."),
        p.row("Label lag"),
        p.timeseries("Estimated accuracy (fleet)", [
                         p.target('min by (model) (model_version_window:modelwatch_estimated_accuracy:fleet{%s})' % W, "{{model}}")],
                     unit="percentunit", minimum=0, maximum=1, steps=((0.8, "red"),),
                     description="Accuracy the calibrated scores promise, before labels (worst version per model, every daemon "
                                 "of the job weighted by its predictions)."),
        p.timeseries("Realised minus estimated accuracy (fleet, by cohort)", [
                         p.target('min by (model, cohort) (model_version_cohort:modelwatch_estimation_gap:fleet{%s})' % JOB,
                                  "{{model}} {{cohort}}")],
                     unit="percentunit", description="Far from 0: the scores no longer mean what they did (concept drift)."),
        p.timeseries("Label coverage by prediction age (fleet)", [
                         p.target('min by (model, cohort) (model_version_cohort:modelwatch_cohort_label_coverage:fleet{%s})' % JOB,
                                  "{{model}} {{cohort}}")],
                     unit="percentunit", minimum=0, maximum=1, width=24),
        p.row("Business"),
        p.timeseries("Business value per second (fleet)", [
                         p.target('sum by (model, name) (model_version_name:modelwatch_business_value:rate5m{%s})' % JOB, "{{model}} {{name}}")],
                     unit="short", width=12),
        p.timeseries("Cost of mistakes per second (fleet)", [
                         p.target('sum by (model) (model_version:modelwatch_cost:rate5m{%s})' % JOB, "{{model}}")],
                     unit="short", minimum=0, width=12),
        p.row("Labels and traffic"),
        p.timeseries("Label coverage", [p.target(by_model("modelwatch_label_coverage"), "{{model}}")], unit="percentunit",
                     minimum=0, maximum=1, width=8),
        p.timeseries("Predictions/s", [p.target('sum by (model) (rate(modelwatch_predictions_total{%s}[$__rate_interval]))' % JOB,
                                                "{{model}}")], unit="reqps", minimum=0, width=8),
        p.timeseries("Rejected events/s", [p.target('sum by (model, reason) (rate(modelwatch_events_rejected_total{%s}[$__rate_interval]))' % JOB,
                                                    "{{model}}: {{reason}}")], unit="reqps", minimum=0, width=8),
        p.row("Alerts"),
        p.table("Firing and pending alerts", [p.target('ALERTS{model!=""}', instant=True, table=True)],
                transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True, "__name__": True}}}],
                height=8),
    ]
    variables = [
        p.datasource_variable(),
        p.query_variable("job", "Job", "label_values(modelwatch_build_info, job)", current={"text": config["job"], "value": config["job"]}),
        p.query_variable("window", "Window", 'label_values(modelwatch_window_predictions{job=~"$job"}, window)',
                         current={"text": config["alert_window"], "value": config["alert_window"]}),
    ]
    return p.dashboard("modelwatch-fleet", "modelwatch / Fleet overview",
                       "Every model watched by modelwatch: performance, drift, labels, traffic and alerts.",
                       panels, variables, config, links=("modelwatch",))
