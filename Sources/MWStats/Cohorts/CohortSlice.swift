// SPDX-License-Identifier: Apache-2.0
// One slice of the cohort ring: the predictions made in it and what became of them.

/// What the predictions made in one slice of time have become: their number, how many have
/// their label (and how many got it within each of ``labelProfileDelays``), and their
/// outcomes, whenever the labels arrived. Mergeable like a window slice.
public struct CohortSlice: WindowSlice, Equatable {
    /// `predictions` and `labelled` of the predictions made in the slice; outcomes by their
    /// prediction time; the estimate of their outcomes (expected counts, no ROC AUC).
    public var performance = PerformanceSlice()
    /// Labelled within 1 h, 1 d and 7 d of the prediction's timestamp.
    public var within1h: UInt64 = 0
    public var within1d: UInt64 = 0
    public var within7d: UInt64 = 0

    public init() {}

    public mutating func merge(_ other: CohortSlice) {
        performance.merge(other.performance)
        within1h += other.within1h
        within1d += other.within1d
        within7d += other.within7d
    }

    /// Counts a label that came `delay` seconds after its prediction.
    public mutating func countLabel(delay: Double) {
        performance.labelled += 1
        if delay <= 3600 { within1h += 1 }
        if delay <= 86400 { within1d += 1 }
        if delay <= 604_800 { within7d += 1 }
    }

    /// Labelled within ``labelProfileDelays``[k].
    public func labelledWithin(_ k: Int) -> UInt64 { [within1h, within1d, within7d][k] }
}

extension CohortSlice: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.value(performance)
        w.integer(within1h)
        w.integer(within1d)
        w.integer(within7d)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        performance = try r.value()
        within1h = try r.integer()
        within1d = try r.integer()
        within7d = try r.integer()
    }
}
