// SPDX-License-Identifier: Apache-2.0
// Applying logged records through the same handlers as live requests, with the recorded clock.

import Logging
import MWHTTP
import Synchronization

/// Rebuilds state from the log: each record becomes the request it was, handled by handlers
/// that log nothing, whose clock reads the record's instant. The statistics core takes `now` as
/// a parameter, so windows, sketches, detectors and the join end up as they were.
struct Replay {
    private let clock = ReplayClock()
    private let ingest: IngestHandler
    private let models: ModelHandlers
    private let reference: ReferenceHandler
    private let store: ModelStore

    init(store: ModelStore, limits: LiveLimits, logger: Logger) {
        self.store = store
        var quiet = logger
        quiet.logLevel = .warning  // no audit lines for requests audited when they happened
        let now: @Sendable () -> Double = { [clock] in clock.now }
        ingest = IngestHandler(store: store, limits: limits, clock: now, journal: .none)
        models = ModelHandlers(store: store, clock: now, logger: quiet, journal: .none)
        reference = ReferenceHandler(store: store, limits: limits, logger: quiet, journal: .none, clock: now)
    }

    func apply(_ record: LogRecord) {
        clock.set(record.time)
        let sink = ResponseSink()
        var headers = HTTPHeaders()
        headers.add("Content-Type", record.ndjson ? "application/x-ndjson" : "application/json")
        let path: String
        let method: String
        switch record.kind {
        case .predictions: (method, path) = ("POST", "/v1/models/\(record.model)/predictions")
        case .labels: (method, path) = ("POST", "/v1/models/\(record.model)/labels")
        case .putModel: (method, path) = ("PUT", "/v1/models/\(record.model)")
        case .deleteModel: (method, path) = ("DELETE", "/v1/models/\(record.model)")
        case .putReference: (method, path) = ("PUT", "/v1/models/\(record.model)/reference")
        }
        var request = HTTPRequest(method: method, target: path, path: path, headers: headers, body: record.body)
        request.pathParameters = ["model": record.model]
        let context = RequestContext(request: request, sink: sink)
        switch record.kind {
        case .predictions: ingest.predictions(context)
        case .labels: ingest.labels(context)
        case .putModel: models.put(context)
        case .deleteModel: models.delete(context)
        case .putReference: reference.put(context)
        }
        // The model holds this record's effect now (a snapshot taken next says so).
        store.existing(record.model)?.logged.store(record.sequence, ordering: .relaxed)
    }
}

/// The clock of a replay: the instant of the record being applied.
final class ReplayClock: Sendable {
    private let bits = Atomic<UInt64>(0)
    var now: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
    func set(_ time: Double) { bits.store(time.bitPattern, ordering: .relaxed) }
}
