"""PromQL building blocks shared by the alerts, the rules and the dashboards."""

# Labels that identify one daemon's model version; Prometheus adds job and instance.
TARGET = "job, instance"
MODEL = "job, instance, model"
VERSION = "job, instance, model, version"


def sel(config, **labels):
    """A label selector: the daemons' job plus `labels` (a value starting with ~ is a regex)."""
    parts = []
    for name, value in [("job", config["job"])] + list(labels.items()):
        if value.startswith("~"):
            parts.append('%s=~"%s"' % (name, value[1:]))
        else:
            parts.append('%s="%s"' % (name, value))
    return "{" + ", ".join(parts) + "}"


def threshold(config, metric):
    """The right-hand side that joins a model's own threshold `metric` (modelwatch_alert_threshold)."""
    return "on (%s) group_left () modelwatch_alert_threshold%s" % (MODEL, sel(config, metric=metric))


def enough_outcomes(config, window):
    """Keeps only versions whose `window` holds at least the model's min_outcomes outcomes."""
    return "and on (%s) (modelwatch_window_outcomes%s >= %s)" % (
        VERSION, sel(config, window=window), threshold(config, "min_outcomes"))


def enough_predictions(config, window):
    """Keeps only versions whose `window` holds at least the model's min_predictions predictions."""
    return "and on (%s) (modelwatch_window_predictions%s >= %s)" % (
        VERSION, sel(config, window=window), threshold(config, "min_predictions"))


def ratio_or_zero(numerator, denominator):
    """numerator / denominator, 0 where both are 0 (scikit-learn's zero_division=0)."""
    return "(\n  %s\n  / %s >= 0\n)\nor\n%s * 0" % (numerator, denominator, numerator)


def floored(expr, floor="0.0001"):
    """`expr` with zero proportions replaced by `floor` (SPEC section 4's PSI rule)."""
    return "%s > 0\nor\n%s * 0 + %s" % (expr, expr, floor)
