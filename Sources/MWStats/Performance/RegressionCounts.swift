// SPDX-License-Identifier: Apache-2.0
// The mergeable state behind the regression metrics of SPEC section 4.

/// Sums for MAE, RMSE, MAPE and R², merged exactly across time slices. The spread of the
/// true values is kept as a count, mean and sum of squared deviations (Chan et al.'s parallel
/// update), which stays accurate where Σy² − (Σy)²/n would cancel.
public struct RegressionCounts: Sendable, Equatable {
    public var count: UInt64 = 0
    public var absoluteErrorSum = 0.0
    public var squaredErrorSum = 0.0
    /// Σ |y − ŷ| / |y| over true values other than 0, and how many there were.
    public var percentageErrorSum = 0.0
    public var percentageCount: UInt64 = 0
    public var meanActual = 0.0
    /// Σ (y − ȳ)².
    public var actualSquaredDeviations = 0.0

    public init() {}

    /// Records one outcome.
    public mutating func record(actual: Double, predicted: Double) {
        let error = actual - predicted
        count += 1
        absoluteErrorSum += abs(error)
        squaredErrorSum += error * error
        if actual != 0 {
            percentageErrorSum += abs(error) / abs(actual)
            percentageCount += 1
        }
        let delta = actual - meanActual
        meanActual += delta / Double(count)
        actualSquaredDeviations += delta * (actual - meanActual)
    }

    /// Adds another slice.
    public mutating func merge(_ other: RegressionCounts) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let n = Double(count), m = Double(other.count), total = n + m
        let delta = other.meanActual - meanActual
        meanActual += delta * m / total
        actualSquaredDeviations += other.actualSquaredDeviations + delta * delta * n * m / total
        count += other.count
        absoluteErrorSum += other.absoluteErrorSum
        squaredErrorSum += other.squaredErrorSum
        percentageErrorSum += other.percentageErrorSum
        percentageCount += other.percentageCount
    }
}

extension RegressionCounts: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.integer(count)
        for v in [absoluteErrorSum, squaredErrorSum, percentageErrorSum] { w.double(v) }
        w.integer(percentageCount)
        w.double(meanActual)
        w.double(actualSquaredDeviations)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        count = try r.integer()
        absoluteErrorSum = try r.double()
        squaredErrorSum = try r.double()
        percentageErrorSum = try r.double()
        percentageCount = try r.integer()
        meanActual = try r.double()
        actualSquaredDeviations = try r.double()
    }
}
