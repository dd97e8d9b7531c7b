// SPDX-License-Identifier: Apache-2.0
// One time slice of a model version's window: volume, label coverage and outcomes.

/// What one slice of a window holds. Predictions count at prediction time; `labelled` counts,
/// in the slice of the prediction, those predictions whose label has since arrived (label
/// coverage); outcomes count at label-arrival time; the estimate of the predictions' outcomes
/// (with a calibrated reference) at prediction time.
public struct PerformanceSlice: WindowSlice, Equatable {
    public var predictions: UInt64 = 0
    public var labelled: UInt64 = 0
    public var classification = ClassificationCounts()
    public var regression = RegressionCounts()
    public var estimated = EstimatedCounts()
    /// Sums of the business values that arrived in the slice, by business name index.
    public var business: [Double] = []
    /// Segment windows only: values per bin of the columns whose drift segments measure, laid out
    /// as ``SegmentDriftLayout`` `driftGeneration` lays them out (empty elsewhere).
    public var drift: [UInt32] = []
    public var driftGeneration: Int32 = -1

    public init() {}

    /// Counts one event's bins (`positions` in ``drift``) under layout `generation` of `total` bins;
    /// counts of an older layout are dropped.
    mutating func countDrift(_ positions: [Int32], total: Int, generation: Int32) {
        if driftGeneration != generation || drift.count != total {
            drift = [UInt32](repeating: 0, count: total)
            driftGeneration = generation
        }
        for p in positions { drift[Int(p)] &+= 1 }
    }

    public mutating func merge(_ other: PerformanceSlice) {
        predictions += other.predictions
        labelled += other.labelled
        if other.classification.confusion.size > 0 { classification.merge(other.classification) }
        if other.regression.count > 0 { regression.merge(other.regression) }
        if other.estimated.count > 0 { estimated.merge(other.estimated) }
        if !other.business.isEmpty {
            if business.count < other.business.count { business += [Double](repeating: 0, count: other.business.count - business.count) }
            for k in other.business.indices { business[k] += other.business[k] }
        }
        if !other.drift.isEmpty {
            // The newer layout's counts win; an older one's are dropped.
            if drift.isEmpty || other.driftGeneration > driftGeneration {
                drift = other.drift
                driftGeneration = other.driftGeneration
            } else if other.driftGeneration == driftGeneration && other.drift.count == drift.count {
                for k in drift.indices { drift[k] &+= other.drift[k] }
            }
        }
    }
}

extension PerformanceSlice: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.integer(predictions)
        w.integer(labelled)
        w.value(classification)
        w.value(regression)
        w.value(estimated)
        w.doubles(business)
        w.array(drift) { $0.integer($1) }
        w.integer(driftGeneration)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        predictions = try r.integer()
        labelled = try r.integer()
        classification = try r.value()
        regression = try r.value()
        if r.layout >= 2 {
            estimated = try r.value()
            business = try r.doubles()
        }
        if r.layout >= 3 {
            drift = try r.array { (r) throws(SnapshotError) in try r.integer(UInt32.self) }
            driftGeneration = try r.integer()
        }
    }
}
