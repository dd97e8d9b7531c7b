"""The daemon itself: HTTP traffic, errors, latency, resources, connections and scrapes."""

from mixin.dashboards import panels as p

I = 'job=~"$job", instance=~"$instance"'


def build(config):
    rate = "[$__rate_interval]"
    panels = [
        p.row("Overview"),
        p.stat("Up", [p.target('sum(up{%s})' % I)], steps=((0, "red"), (1, "green")), width=4),
        p.stat("Models", [p.target('sum(modelwatch_models{%s})' % I)], width=4),
        p.stat("Requests/s", [p.target('sum(rate(modelwatch_http_requests_total{%s}%s))' % (I, rate))], unit="reqps", width=4),
        p.stat("Open connections", [p.target('sum(modelwatch_open_connections{%s})' % I)], width=4),
        p.stat("Resident memory", [p.target('sum(process_resident_memory_bytes{%s})' % I)], unit="bytes", width=4),
        p.stat("Version", [p.target('count by (version) (modelwatch_build_info{%s})' % I, "{{version}}")], width=4,
               color_mode="none"),
        p.row("HTTP"),
        p.timeseries("Requests/s by route and code", [p.target('sum by (handler, code) (rate(modelwatch_http_requests_total{%s}%s))' % (I, rate),
                                                               "{{handler}} {{code}}")], unit="reqps", minimum=0, stack=True),
        p.timeseries("Error share (4xx, 5xx)", [
            p.target('(sum(rate(modelwatch_http_requests_total{%s, code=~"%s.."}%s)) or vector(0))\n/ sum(rate(modelwatch_http_requests_total{%s}%s))'
                     % (I, digit, rate, I, rate), "%sxx" % digit) for digit in "45"], unit="percentunit", minimum=0, steps=((0.05, "red"),)),
        p.timeseries("Request duration p99 by route", [
            p.target('histogram_quantile(0.99, sum by (handler, le) (rate(modelwatch_http_request_duration_seconds_bucket{%s}%s)))'
                     % (I, rate), "{{handler}}")], unit="s", minimum=0),
        p.timeseries("Connections", [p.target('modelwatch_open_connections{%s}' % I, "{{instance}} open"),
                                     p.target('rate(modelwatch_refused_connections_total{%s}%s)' % (I, rate), "{{instance}} refused/s")],
                     unit="short", minimum=0),
        p.row("Resources"),
        p.timeseries("CPU", [p.target('rate(process_cpu_seconds_total{%s}%s)' % (I, rate), "{{instance}}")], unit="percentunit",
                     minimum=0, width=8, description="Cores in use (1 = one core)."),
        p.timeseries("Memory", [p.target('process_resident_memory_bytes{%s}' % I, "{{instance}} resident"),
                                p.target('process_virtual_memory_bytes{%s}' % I, "{{instance}} virtual")],
                     unit="bytes", minimum=0, steps=((config["memory_bytes"], "red"),), width=8),
        p.timeseries("Open file descriptors", [p.target('process_open_fds{%s}' % I, "{{instance}} open"),
                                               p.target('process_max_fds{%s}' % I, "{{instance}} max")], unit="short",
                     minimum=0, width=8),
        p.row("Scrapes"),
        p.timeseries("Scrape duration", [p.target('scrape_duration_seconds{%s}' % I, "{{instance}}")], unit="s", minimum=0, width=8),
        p.timeseries("Collector duration", [p.target('modelwatch_scrape_collector_duration_seconds{%s}' % I,
                                                     "{{instance}} {{collector}}")], unit="s", minimum=0, width=8),
        p.timeseries("Collector success", [p.target('modelwatch_scrape_collector_success{%s}' % I, "{{instance}} {{collector}}")],
                     unit="bool", minimum=0, maximum=1, steps=((0, "red"), (1, "green")), width=8),
        p.timeseries("Samples scraped", [p.target('scrape_samples_scraped{%s}' % I, "{{instance}}")], unit="short", minimum=0),
    ]
    variables = [
        p.datasource_variable(),
        p.query_variable("job", "Job", "label_values(modelwatch_build_info, job)", current={"text": config["job"], "value": config["job"]}),
        p.query_variable("instance", "Instance", 'label_values(modelwatch_build_info{job=~"$job"}, instance)', multi=True,
                         include_all=True, current={"text": "All", "value": "$__all"}),
    ]
    return p.dashboard("modelwatch-daemon", "modelwatch / Daemon", "The modelwatch daemons: HTTP, resources and scrapes.",
                       panels, variables, config, links=("modelwatch",))
