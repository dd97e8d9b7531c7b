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

    public init() {}

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
    }
}
