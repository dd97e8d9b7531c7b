// SPDX-License-Identifier: Apache-2.0
// The event log's size, writes, errors and fsync durations.

import MWExposition
import MWStats

/// `modelwatch_log_bytes`, `modelwatch_log_records_total`, `modelwatch_log_write_errors_total`,
/// `modelwatch_log_writable` and `modelwatch_log_fsync_duration_seconds` (once the log is open);
/// `modelwatch_snapshot_age_seconds`, `_bytes`, `_duration_seconds` and `modelwatch_snapshots_total{result}`.
struct PersistenceCollector: Collector {
    let name = "persistence"
    let journal: Journal
    let clock: @Sendable () -> Double

    func collect(into sink: inout [MetricFamily]) throws {
        guard let log = journal.eventLog else { return }
        let f = log.currentFigures
        sink.append(try MetricFamily(name: "modelwatch_log_bytes", help: "Bytes in the event log's segments in the data dir.",
                                     type: .gauge, series: [MetricSeries(Double(f.bytes))]))
        sink.append(try MetricFamily(name: "modelwatch_log_records_total", help: "Requests appended to the event log since start.",
                                     type: .counter, series: [MetricSeries(Double(f.records))]))
        sink.append(try MetricFamily(name: "modelwatch_log_write_errors_total",
                                     help: "Failed writes or fsyncs of the event log (a full disk among them); each is retried.",
                                     type: .counter, series: [MetricSeries(Double(f.writeErrors))]))
        sink.append(try MetricFamily(name: "modelwatch_log_writable",
                                     help: "1 while the event log accepts writes; 0 after a failed write, until a retry succeeds (writes answer 503 meanwhile).",
                                     type: .gauge, series: [MetricSeries(f.failing ? 0 : 1)]))
        sink.append(try MetricFamily(name: "modelwatch_log_fsync_duration_seconds", help: "Duration of the event log's fsyncs.",
                                     type: .histogram, series: [MetricSeries(value: .histogram(buckets: f.fsync.cumulativeBuckets,
                                                                                                sum: f.fsync.sum, count: f.fsync.count))]))
        guard let snapshotter = journal.snapshotter else { return }
        let s = snapshotter.currentFigures
        if let newest = s.newest {
            sink.append(try MetricFamily(name: "modelwatch_snapshot_age_seconds",
                                         help: "Seconds since the newest snapshot was written (or, before the first of this process, the one restored from).",
                                         type: .gauge, series: [MetricSeries(max(0, clock() - newest))]))
        }
        sink.append(try MetricFamily(name: "modelwatch_snapshot_bytes", help: "Size of the last snapshot this process wrote.",
                                     type: .gauge, series: [MetricSeries(Double(s.bytes))]))
        sink.append(try MetricFamily(name: "modelwatch_snapshot_duration_seconds", help: "How long the last snapshot took to write.",
                                     type: .gauge, series: [MetricSeries(s.seconds)]))
        sink.append(try MetricFamily(name: "modelwatch_snapshots_total", help: "Snapshots written by result.",
                                     type: .counter, series: [MetricSeries(labels: [("result", "written")], Double(s.written)),
                                                              MetricSeries(labels: [("result", "failed")], Double(s.failures))]))
    }
}
