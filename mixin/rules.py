"""Recording rules: fleet-wide performance and drift from the counters, which sum across daemons.

Every rule aggregates `by (job, model, version, ...)`: the daemons of one job are one fleet, and
`instance` is summed away. Two families of each:
- `..._rate<range>`: from rate() over the range, the windowed view; Prometheus extrapolates each
  target's rate to the range's edges, so a fleet's figure weighs each daemon by its own
  extrapolation (docs/monitoring.md bounds the error);
- `..._cumulative`: from the counters themselves (everything since the daemons started or the
  reference was installed): exact, the same over N daemons as over one that got every event.
"""

from mixin.promql import floored, ratio_or_zero, sel

FLEET = "job, model, version"


def _record(name, expr):
    return {"record": name, "expr": expr}


def _performance(c, suffix, take):
    """Accuracy, precision and recall from `take(series)`: rate(...[range]) or the series itself."""
    outcomes = take("modelwatch_outcomes_total%s" % sel(c))
    correct = take("modelwatch_correct_outcomes_total%s" % sel(c))
    per_class = "job, model, version, class"
    predicted = 'label_replace(%s, "class", "$1", "predicted", "(.+)")' % outcomes
    actual = 'label_replace(%s, "class", "$1", "actual", "(.+)")' % outcomes
    correct_by_class = "sum by (%s) (%s)" % (per_class, correct)
    return [
        _record("model_version:modelwatch_outcomes:%s" % suffix, "sum by (%s) (%s)" % (FLEET, outcomes)),
        _record("model_version:modelwatch_correct_outcomes:%s" % suffix, "sum by (%s) (%s)" % (FLEET, correct)),
        _record("model_version:modelwatch_accuracy:ratio_%s" % suffix,
                "model_version:modelwatch_correct_outcomes:%s\n/\n(model_version:modelwatch_outcomes:%s > 0)" % (suffix, suffix)),
        _record("model_version_class:modelwatch_precision:ratio_%s" % suffix,
                ratio_or_zero(correct_by_class, "sum by (%s) (%s)" % (per_class, predicted))),
        _record("model_version_class:modelwatch_recall:ratio_%s" % suffix,
                ratio_or_zero(correct_by_class, "sum by (%s) (%s)" % (per_class, actual))),
    ]


def _psi(c, suffix, take):
    """PSI per feature: current bin proportions against the reference's, zeros floored at 0.0001."""
    per_bin = "job, model, version, feature, bin"
    per_feature = "job, model, version, feature"
    values = take("modelwatch_feature_values_total%s" % sel(c))
    ratio = "model_version_feature_bin:modelwatch_feature_values:ratio_%s" % suffix
    current = "model_version_feature_bin:modelwatch_feature_values:ratio_floored_%s" % suffix
    reference = "model_feature_bin:modelwatch_reference_bin_ratio:floored"
    join = "on (job, model, feature, bin) group_left ()"
    return [
        _record(ratio, "sum by (%s) (%s)\n/ on (%s) group_left ()\n(sum by (%s) (%s) > 0)"
                % (per_bin, values, per_feature, per_feature, values)),
        _record(current, floored(ratio)),
        _record("model_version_feature:modelwatch_psi:%s" % suffix,
                "sum by (%s) (\n  (%s - %s %s)\n  * ln(%s / %s %s)\n)"
                % (per_feature, current, join, reference, current, join, reference)),
    ]


def _weighted(c, gauge, weight, by):
    """The fleet's `gauge` as each daemon's value weighted by its `weight` (a count of the same
    predictions or outcomes): exact for ratios of counts such as accuracy or coverage."""
    return ("sum by (%s) (\n  %s%s\n  * on (job, instance, %s) %s%s\n)\n/\n(sum by (%s) (%s%s) > 0)"
            % (by, gauge, sel(c), by.replace("job, ", ""), weight, sel(c), by, weight, sel(c)))


def _label_lag(c):
    """Estimated accuracy and cohort coverage over the fleet, and the realised-estimated gap."""
    window, cohort = "job, model, version, window", "job, model, version, cohort"
    return [
        _record("model_version_window:modelwatch_estimated_accuracy:fleet",
                _weighted(c, "modelwatch_estimated_accuracy", "modelwatch_estimated_predictions", window)),
        _record("model_version_cohort:modelwatch_cohort_label_coverage:fleet",
                _weighted(c, "modelwatch_cohort_label_coverage", "modelwatch_cohort_predictions", cohort)),
        _record("model_version_cohort:modelwatch_cohort_accuracy:fleet",
                _weighted(c, "modelwatch_cohort_accuracy", "modelwatch_cohort_outcomes", cohort)),
        _record("model_version_cohort:modelwatch_cohort_estimated_accuracy:fleet",
                _weighted(c, "modelwatch_cohort_estimated_accuracy", "modelwatch_cohort_estimated_predictions", cohort)),
        _record("model_version_cohort:modelwatch_estimation_gap:fleet",
                "model_version_cohort:modelwatch_cohort_accuracy:fleet\n- model_version_cohort:modelwatch_cohort_estimated_accuracy:fleet"),
    ]


def _business(c):
    """Fleet-wide business value and cost per second, from the counters (they sum across daemons)."""
    out = []
    for r in c["recording_ranges"]:
        out += [
            _record("model_version_name:modelwatch_business_value:rate%s" % r,
                    "sum by (%s, name) (rate(modelwatch_business_value_total%s[%s]))" % (FLEET, sel(c), r)),
            _record("model_version:modelwatch_cost:rate%s" % r,
                    "sum by (%s) (rate(modelwatch_cost_total%s[%s]))" % (FLEET, sel(c), r)),
        ]
    return out


def _segments(c):
    """Per segment value over the fleet: predictions and outcomes summed, accuracy weighted by outcomes."""
    by = "job, model, version, window, segment, value"
    return [
        _record("model_version_segment:modelwatch_segment_predictions:sum",
                "sum by (%s) (modelwatch_segment_predictions%s)" % (by, sel(c))),
        _record("model_version_segment:modelwatch_segment_outcomes:sum",
                "sum by (%s) (modelwatch_segment_outcomes%s)" % (by, sel(c))),
        _record("model_version_segment:modelwatch_segment_accuracy:fleet",
                _weighted(c, "modelwatch_segment_accuracy", "modelwatch_segment_outcomes", by)),
        # PSI does not add up across daemons: the fleet view is the largest.
        _record("model_version_segment:modelwatch_segment_prediction_drift_score:max",
                "max by (%s, method) (modelwatch_segment_prediction_drift_score%s)" % (by, sel(c))),
        _record("model_version_segment_feature:modelwatch_segment_drift_score:max",
                "max by (%s, feature, method) (modelwatch_segment_drift_score%s)" % (by, sel(c))),
    ]


def groups(config):
    """The recording rule file's groups: the reference's bins, then one group per rate range, then cumulative."""
    reference = "max by (job, model, feature, bin) (modelwatch_reference_bin_ratio%s)" % sel(config)
    out = [{"name": "modelwatch-reference", "rules": [
        _record("model_feature_bin:modelwatch_reference_bin_ratio:floored", floored(reference)),
    ]}]
    for r in config["recording_ranges"]:
        take = lambda series, r=r: "rate(%s[%s])" % (series, r)
        suffix = "rate%s" % r
        rules = [
            _record("model_version:modelwatch_predictions:%s" % suffix,
                    "sum by (%s) (%s)" % (FLEET, take("modelwatch_predictions_total%s" % sel(config)))),
            _record("model_version_result:modelwatch_labels:%s" % suffix,
                    "sum by (%s, result) (%s)" % (FLEET, take("modelwatch_labels_total%s" % sel(config)))),
        ]
        rules += _performance(config, suffix, take) + _psi(config, suffix, take)
        out.append({"name": "modelwatch-fleet-%s" % r, "rules": rules})
    out.append({"name": "modelwatch-label-lag", "rules": _label_lag(config)})
    out.append({"name": "modelwatch-business", "rules": _business(config)})
    out.append({"name": "modelwatch-segments", "rules": _segments(config)})
    identity = lambda series: series
    out.append({"name": "modelwatch-fleet-cumulative",
                "rules": _performance(config, "cumulative", identity) + _psi(config, "cumulative", identity)})
    return out
