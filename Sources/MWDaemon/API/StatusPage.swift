// SPDX-License-Identifier: Apache-2.0
// GET /: a small HTML page with every model, its traffic and its health.

import MWStats

/// The HTML status page at `/` (SPEC section 3): the models, their health (``ModelHealth``) and
/// links to `/metrics` and `/v1/models`. Plain HTML, no script; everything interpolated is escaped.
enum StatusPage {
    /// One model's line.
    struct Row {
        let summary: ModelSummary
        let health: ModelHealth
    }

    static func html(_ rows: [Row], now: Double) -> String {
        var body = ""
        if rows.isEmpty {
            body = "<p>No models yet: POST predictions to <code>/v1/models/{model}/predictions</code> or declare models in the config file.</p>\n"
        } else {
            body += "<table>\n<tr><th>model</th><th>task</th><th>versions</th><th>predictions</th><th>pending labels</th><th>last event</th><th>health</th></tr>\n"
            for row in rows {
                let s = row.summary
                let name = escape(s.name)
                let last = s.lastEvent > 0 ? "\(ModelHealth.format(max(0, now - s.lastEvent))) s ago" : "never"
                var health = "<span class=\"\(row.health.status.rawValue)\">\(row.health.status == .noData ? "no data" : row.health.status.rawValue)</span>"
                if !row.health.findings.isEmpty {
                    health += "<ul>" + row.health.findings.map { f in
                        let place = [f.version.map { "version \($0)" }, f.window.map { "window \($0)" }].compactMap { $0 }.joined(separator: ", ")
                        return "<li>\(escape(f.message))\(place.isEmpty ? "" : " <small>(\(escape(place)))</small>")</li>"
                    }.joined() + "</ul>"
                }
                body += "<tr><td><a href=\"/v1/models/\(name)\">\(name)</a></td><td>\(escape(s.task?.rawValue ?? "-"))</td>"
                    + "<td>\(escape(s.versions.joined(separator: ", ")))</td><td>\(s.predictions)</td><td>\(s.pendingLabels)</td>"
                    + "<td>\(last)</td><td>\(health)</td></tr>\n"
            }
            body += "</table>\n"
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>modelwatch</title>
        <style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}code{background:#eee;padding:0 .2rem}
        table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
        .ok{color:#1a7f37}.degraded{color:#cf222e;font-weight:bold}.no_data{color:#666}ul{margin:.2rem 0;padding-left:1.2rem}</style>
        </head><body>
        <h1>modelwatch \(ModelwatchVersion.current)</h1>
        <p>Watches machine-learning models in production: predictions and labels in, sliding-window
        performance, drift and data quality out, for Prometheus. Health is the shipped alerts' main
        conditions checked now, with each model's thresholds (Prometheus pages; this page does not).</p>
        \(body)<ul>
        <li><a href="/metrics">/metrics</a>: Prometheus exposition</li>
        <li><a href="/v1/models">/v1/models</a>: models and their status (JSON)</li>
        <li><a href="/healthz">/healthz</a> and <a href="/readyz">/readyz</a></li>
        </ul>
        </body></html>

        """
    }

    /// `&`, `<`, `>`, `"` and `'` as entities.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
