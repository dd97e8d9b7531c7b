// SPDX-License-Identifier: Apache-2.0
// Access metrics: refusals by reason, requests per principal and scope, the replay cache.

import MWExposition

/// `modelwatch_auth_failures_total{reason}`, `modelwatch_auth_requests_total{principal,scope}`
/// and `modelwatch_hmac_replay_cache_entries`.
struct AuthCollector: Collector {
    let name = "auth"
    let authorizer: Authorizer

    func collect(into sink: inout [MetricFamily]) throws {
        let (failures, allowed) = authorizer.metrics.snapshot
        sink.append(try MetricFamily(name: "modelwatch_auth_failures_total",
                                     help: "Requests refused by access control, by reason (missing_token, invalid_token, forbidden_scope, forbidden_model, missing_signature, invalid_timestamp, stale_timestamp, invalid_signature, replayed_signature, replay_cache_full).",
                                     type: .counter, series: failures.map { MetricSeries(labels: [("reason", $0.reason)], Double($0.count)) }))
        sink.append(try MetricFamily(name: "modelwatch_auth_requests_total",
                                     help: "Requests allowed by access control, by principal and the scope the route needs.",
                                     type: .counter, series: allowed.map {
                                         MetricSeries(labels: [("principal", $0.principal), ("scope", $0.scope)], Double($0.count))
                                     }))
        sink.append(try MetricFamily(name: "modelwatch_hmac_replay_cache_entries",
                                     help: "Signatures remembered to refuse replays (each for the 300 s skew window).",
                                     type: .gauge, series: [MetricSeries(Double(authorizer.replayEntries))]))
    }
}
