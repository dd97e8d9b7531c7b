"""The Grafana dashboards, one module each."""
