// SPDX-License-Identifier: Apache-2.0
// What the write handlers ask before they change state, log to while they do, and answer after.

import MWHTTP
import MWSockets
import Synchronization

/// The write handlers' side of persistence. Before changing state a handler asks ``refusal()``
/// (503 while the state is being restored, or while the log cannot be written); while it holds
/// the model's lock it ``append(_:time:model:ndjson:body:)``s the request; it answers through
/// ``respond(after:_:to:)``, which waits for the fsync policy. With no log (replaying, or a
/// daemon built without a data dir), appends are dropped and answers go out at once.
final class Journal: Sendable {
    private let log = Locked<EventLog?>(nil)
    private let snapshots = Locked<Snapshotter?>(nil)
    private let readiness: Readiness?

    /// - Parameter readiness: writes are refused until it is ready (nil: never refused for that).
    init(readiness: Readiness?) { self.readiness = readiness }

    /// A journal that logs nothing and refuses nothing (replay).
    static let none = Journal(readiness: nil)

    /// Starts logging to `log` (after the restore).
    func attach(_ log: EventLog) { self.log.withLock { $0 = log } }

    var eventLog: EventLog? { log.withLock { $0 } }

    /// The snapshotter beside the log (for `/metrics` and the final snapshot).
    var snapshotter: Snapshotter? {
        get { snapshots.withLock { $0 } }
        set { snapshots.withLock { $0 = newValue } }
    }

    /// 503 when a write cannot be accepted now; nil when it can.
    func refusal() -> HTTPResponse? {
        if let readiness, !readiness.isReady {
            return .error(.serviceUnavailable, code: "not_ready", message: "state is still being restored from the data dir; retry shortly")
        }
        if let failure = eventLog?.refusal {
            return .error(.serviceUnavailable, code: "storage_unavailable",
                          message: "the event log cannot be written (\(failure)); nothing was accepted; retry once the disk has room")
        }
        return nil
    }

    /// Logs a request that changed (or may have changed) state of `box` (nil: it is gone); call
    /// under the model's lock. The box remembers the record's number for its snapshot.
    func append(_ kind: LogRecord.Kind, time: Double, box: ModelBox?, model: String, ndjson: Bool, body: [UInt8]) -> UInt64? {
        guard let sequence = eventLog?.append(kind, time: time, model: model, ndjson: ndjson, body: body) else { return nil }
        box?.logged.store(sequence, ordering: .relaxed)
        return sequence
    }

    /// Sends `response` once record `sequence` is durable as the policy says; 503 if writing it failed.
    func respond(after sequence: UInt64?, _ response: HTTPResponse, to context: RequestContext) {
        guard let sequence, let log = eventLog else { return context.respond(response) }
        log.whenDurable(sequence) { durable in
            context.respond(durable ? response : .error(.serviceUnavailable, code: "storage_unavailable",
                                                  message: "the event log could not be written (\(log.refusal.map { "\($0)" } ?? "write failed")); the request is applied but not yet on disk (the write is retried); send it again once the disk has room (its events then count as duplicates)"))
        }
    }
}
