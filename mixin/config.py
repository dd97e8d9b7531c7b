"""The one config the alerts, the recording rules and the dashboards are built from."""

DEFAULTS = {
    # Prometheus job of the daemons (the scrape job in prometheus/prometheus.yml).
    "job": "model_metrics",
    # The daemon's windows the rules read: a short one to alert on, a long one as the baseline
    # the short one is compared with, and the one whose label coverage is checked.
    "alert_window": "5m",
    "baseline_window": "24h",
    "coverage_window": "1h",
    # Label lag: the cohort whose realised and estimated accuracy are compared (old enough for
    # many labels, young enough to matter), and the one whose label coverage must have come in.
    "divergence_cohort": "1d-2d",
    "coverage_cohort": "2d-7d",
    # Canaries are judged on this window: long enough for the outcomes a test needs.
    "canary_window": "1h",
    # Segments are judged on this window (a segment value has a share of the model's outcomes).
    "segment_window": "1h",
    # Ranges of the recording rules' rate(); each gets its own set of rules.
    "recording_ranges": ["5m", "1h"],
    # rate() range inside alerts (rejections, latency, traffic).
    "rate_range": "5m",
    # Traffic counts as "had traffic" when predictions arrived within this look-back.
    "traffic_lookback": "6h",
    # Labels count as stopped when none matched within this while predictions flowed.
    "labels_quiet": "30m",
    # Expired predictions are measured over this range.
    "expiry_range": "1h",
    # A concept drift detection keeps its alert firing this long; the alert needs this many of
    # the model's detectors (ddm, page_hinkley, adwin) to have fired within it.
    "concept_drift_hold": "15m",
    "concept_drift_detectors": 2,
    "for": {
        "performance": "10m",
        "drift": "5m",
        "quality": "10m",
        "labels": "15m",
        "availability": "10m",
        "latency": "10m",
        "down": "5m",
        "absent": "10m",
        "memory": "15m",
        "collector": "5m",
        "certificate": "1h",
    },
    # The served TLS certificate alerts this many days before it expires.
    "certificate_days": 14,
    # Resident memory above which the daemon alerts.
    "memory_bytes": 4 * 1024 ** 3,
    # Where runbook_url points; each alert adds its anchor.
    "runbook": "https://github.com/modelwatch/modelwatch/blob/main/docs/runbook.md",
    # Dashboards: refresh and default time range.
    "refresh": "30s",
    "time_from": "now-6h",
}


def load(overrides=None):
    """DEFAULTS with `overrides` (a dict, `for` merged key by key) applied."""
    config = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for key, value in (overrides or {}).items():
        if key not in config:
            raise KeyError("unknown mixin config key %r; expected one of %s" % (key, ", ".join(sorted(config))))
        if key == "for":
            unknown = set(value) - set(config["for"])
            if unknown:
                raise KeyError("unknown 'for' keys %s" % ", ".join(sorted(unknown)))
            config["for"].update(value)
        else:
            config[key] = value
    return config
