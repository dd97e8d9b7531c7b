"""Grafana dashboard JSON (schema 39) from a few builders; panels are laid out row by row."""

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39


def target(expr, legend="", instant=False, table=False, ref=None):
    t = {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend or "__auto", "range": not instant,
         "instant": instant, "refId": ref or "A"}
    if table:
        t["format"] = "table"
    return t


def thresholds(*steps):
    """steps: (value, color) pairs after the base green; e.g. thresholds((0.8, "red"))."""
    return {"mode": "absolute", "steps": [{"color": "green", "value": None}] + [{"color": c, "value": v} for v, c in steps]}


def _field_defaults(unit, minimum, maximum, steps, threshold_style, decimals=None):
    d = {"unit": unit, "color": {"mode": "palette-classic"}}
    if minimum is not None:
        d["min"] = minimum
    if maximum is not None:
        d["max"] = maximum
    if decimals is not None:
        d["decimals"] = decimals
    d["thresholds"] = thresholds(*steps) if steps else thresholds()
    if threshold_style:
        d["custom"] = {"thresholdsStyle": {"mode": threshold_style}, "lineWidth": 1, "fillOpacity": 10,
                       "spanNulls": False, "showPoints": "never"}
    return d


def timeseries(title, targets, unit="short", description="", minimum=None, maximum=None, steps=(), width=12,
               height=8, stack=False):
    defaults = _field_defaults(unit, minimum, maximum, steps, "line" if steps else "off")
    if stack:
        defaults["custom"]["stacking"] = {"mode": "normal", "group": "A"}
    return {"type": "timeseries", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": _refs(targets), "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"],
                                   "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}},
            "_size": (width, height)}


def stat(title, targets, unit="short", description="", steps=(), width=4, height=4, color_mode="value"):
    return {"type": "stat", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": _refs(targets),
            "fieldConfig": {"defaults": {"unit": unit, "thresholds": thresholds(*steps), "color": {"mode": "thresholds"}},
                            "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": color_mode, "graphMode": "area", "textMode": "auto", "justifyMode": "auto",
                        "orientation": "auto"},
            "_size": (width, height)}


def table(title, targets, description="", units=None, sort_by=None, transformations=None, width=24, height=8,
          steps=(), sort_descending=True):
    overrides = [{"matcher": {"id": "byName", "options": name},
                  "properties": [{"id": "unit", "value": unit}]} for name, unit in (units or {}).items()]
    options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    if sort_by:
        options["sortBy"] = [{"displayName": sort_by, "desc": sort_descending}]
    return {"type": "table", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": _refs(targets),
            "fieldConfig": {"defaults": {"thresholds": thresholds(*steps), "custom": {"align": "auto", "cellOptions": {"type": "auto"}}},
                            "overrides": overrides},
            "options": options, "transformations": transformations or [], "_size": (width, height)}


def heatmap(title, targets, description="", unit="short", width=24, height=9):
    return {"type": "heatmap", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": _refs(targets),
            "fieldConfig": {"defaults": {"unit": unit, "custom": {"hideFrom": {"legend": False, "tooltip": False, "viz": False}}},
                            "overrides": []},
            "options": {"calculate": False, "cellGap": 1, "color": {"mode": "scheme", "scheme": "Oranges", "exponent": 0.5,
                                                                      "fill": "dark-orange", "steps": 64, "reverse": False},
                        "yAxis": {"axisPlacement": "left", "unit": ""}, "rowsFrame": {"layout": "auto"},
                        "legend": {"show": True}, "tooltip": {"mode": "single", "yHistogram": False, "showColorScale": True},
                        "cellValues": {"unit": unit}},
            "_size": (width, height)}


def state_timeline(title, targets, description="", mapping=None, width=24, height=6):
    mappings = [{"type": "value", "options": {str(k): {"text": text, "color": color, "index": i}
                                              for i, (k, (text, color)) in enumerate((mapping or {}).items())}}]
    return {"type": "state-timeline", "title": title, "description": description, "datasource": DATASOURCE,
            "targets": _refs(targets),
            "fieldConfig": {"defaults": {"mappings": mappings, "thresholds": thresholds(), "color": {"mode": "thresholds"}},
                            "overrides": []},
            "options": {"showValue": "auto", "mergeValues": True, "rowHeight": 0.9, "alignValue": "left",
                        "legend": {"showLegend": True, "displayMode": "list", "placement": "bottom"}},
            "_size": (width, height)}


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_size": (24, 1)}


def _refs(targets):
    out = []
    for i, t in enumerate(targets):
        t = dict(t)
        t["refId"] = chr(ord("A") + i)
        out.append(t)
    return out


def layout(panels):
    """Assigns ids and grid positions: left to right, wrapping at 24 columns; a row starts a new line."""
    x = y = line_height = 0
    out = []
    for pid, panel in enumerate(panels, start=1):
        panel = dict(panel)
        width, height = panel.pop("_size")
        if panel["type"] == "row" or x + width > 24:
            y += line_height
            x, line_height = 0, 0
        panel["id"] = pid
        panel["gridPos"] = {"h": height, "w": width, "x": x, "y": y}
        x += width
        line_height = max(line_height, height)
        if panel["type"] == "row":
            y += height
            x, line_height = 0, 0
        out.append(panel)
    return out


def datasource_variable():
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []}


def query_variable(name, label, query, multi=False, include_all=False, current=None, hide=0):
    v = {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
         "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
         "definition": query, "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all, "hide": hide,
         "regex": "", "options": [], "current": current or {}}
    if include_all:
        v["allValue"] = ".+"
    return v


def dashboard(uid, title, description, panels, variables, config, tags=("modelwatch",), links=()):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": list(tags),
        "timezone": "",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": config["refresh"],
        "time": {"from": config["time_from"], "to": "now"},
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"title": t, "type": "dashboards", "tags": ["modelwatch"], "asDropdown": True, "includeVars": True,
                   "keepTime": True} for t in links],
        "templating": {"list": variables},
        "panels": layout(panels),
    }
