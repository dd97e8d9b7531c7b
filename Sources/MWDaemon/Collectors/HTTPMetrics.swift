// SPDX-License-Identifier: Apache-2.0
// Counts answered requests by handler and status, and times them.

public import MWExposition
public import MWHTTP
import MWSockets
import MWStats

/// `modelwatch_http_requests_total{handler,code}` and `modelwatch_http_request_duration_seconds{handler}`.
/// The server reports each answered request; a scrape copies the state under the lock and renders after.
public final class HTTPMetrics: HTTPServerObserver, Collector {
    private struct Key: Hashable {
        let handler: String
        let code: Int
    }

    private struct State {
        var requests: [Key: UInt64] = [:]
        var durations: [String: BucketHistogram] = [:]
    }

    private let state = Locked(State())
    public let name = "http"

    public init() {}

    public func requestCompleted(handler: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[Key(handler: handler, code: status), default: 0] += 1
            state.durations[handler, default: BucketHistogram(upperBounds: BucketHistogram.latencySeconds)].observe(seconds)
        }
    }

    public func collect(into sink: inout [MetricFamily]) throws {
        let snapshot = state.withLock { $0 }
        sink.append(try MetricFamily(
            name: "modelwatch_http_requests_total", help: "HTTP requests answered, by route pattern and status code.",
            type: .counter,
            series: snapshot.requests.map { MetricSeries(labels: [("handler", $0.key.handler), ("code", String($0.key.code))], Double($0.value)) }))
        sink.append(try MetricFamily(
            name: "modelwatch_http_request_duration_seconds",
            help: "Time from a complete request to its queued response, by route pattern.", type: .histogram,
            series: snapshot.durations.map {
                MetricSeries(labels: [("handler", $0.key)], value: .histogram(buckets: $0.value.cumulativeBuckets, sum: $0.value.sum, count: $0.value.count))
            }))
    }
}
