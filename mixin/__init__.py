"""The modelwatch mixin: alert rules, recording rules and dashboards from one config."""
