// SPDX-License-Identifier: Apache-2.0
// The mergeable state behind every classification metric of SPEC section 4.

/// Everything a window needs to compute classification metrics, kept as sums and counts so
/// that time slices merge exactly: the confusion matrix, log-loss and Brier sums, and binned
/// scores for ROC AUC (one histogram for the positive class of a binary model, one per class
/// for one-vs-rest AUC of a multiclass model).
public struct ClassificationCounts: Sendable, Equatable {
    public var confusion = ConfusionMatrix()
    /// Outcomes that carried probabilities (`score` or `scores`).
    public var scored: UInt64 = 0
    /// Σ −log p(actual), p clipped to [ε, 1 − ε] as scikit-learn does.
    public var logLossSum = 0.0
    /// Σ (y − p)², binary only (y = 1 for the positive class).
    public var brierSum = 0.0
    /// Binary: `[positive]`; multiclass: one per class index (one-vs-rest).
    public var scoreHistograms: [ScoreHistogram] = []

    public init() {}

    /// Records an outcome without probabilities.
    public mutating func record(actual: Int, predicted: Int) {
        confusion.add(actual: actual, predicted: predicted)
    }

    /// Records a binary outcome; `score` is the probability of the positive class.
    public mutating func recordBinary(actual: Int, predicted: Int, positive: Bool, score: Double) {
        confusion.add(actual: actual, predicted: predicted)
        scored += 1
        logLossSum -= Self.log(positive ? score : 1 - score)
        let y = positive ? 1.0 : 0.0
        brierSum += (y - score) * (y - score)
        if scoreHistograms.isEmpty { scoreHistograms = [ScoreHistogram()] }
        scoreHistograms[0].observe(score: score, positive: positive)
    }

    /// Records a multiclass outcome; `scores[k]` is the probability of class index `k`
    /// (classes missing from the event's `scores` count as 0).
    public mutating func recordMulticlass(actual: Int, predicted: Int, scores: [Double]) {
        confusion.add(actual: actual, predicted: predicted)
        scored += 1
        logLossSum -= Self.log(actual < scores.count ? scores[actual] : 0)
        scoreHistograms.grow(to: scores.count)
        for k in scores.indices { scoreHistograms[k].observe(score: scores[k], positive: k == actual) }
    }

    /// Adds another slice.
    public mutating func merge(_ other: ClassificationCounts) {
        confusion.merge(other.confusion)
        scored += other.scored
        logLossSum += other.logLossSum
        brierSum += other.brierSum
        scoreHistograms.merge(other.scoreHistograms)
    }

    /// scikit-learn clips probabilities to [ε, 1 − ε] with ε the float64 machine epsilon.
    @inline(__always)
    static func log(_ p: Double) -> Double {
        let eps = Double.ulpOfOne
        return _log(min(max(p, eps), 1 - eps))
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif

extension ClassificationCounts: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.value(confusion)
        w.integer(scored)
        w.double(logLossSum)
        w.double(brierSum)
        w.array(scoreHistograms) { $0.value($1) }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        confusion = try r.value()
        scored = try r.integer()
        logLossSum = try r.double()
        brierSum = try r.double()
        scoreHistograms = try r.array { (r) throws(SnapshotError) in try r.value(ScoreHistogram.self) }
    }
}
