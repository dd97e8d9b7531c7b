// SPDX-License-Identifier: Apache-2.0
// Binned scores of positives and negatives: ROC AUC without keeping every score.

/// Counts of scores in `binCount` equal bins over [0, 1], split by whether the outcome was
/// positive. ROC AUC from two such histograms is the Mann–Whitney statistic with scores in the
/// same bin counted as ties, so it differs from the exact AUC by at most half the share of
/// positive–negative pairs that share a bin (SPEC: ≥ 1,000 bins, within 0.002). Mergeable.
public struct ScoreHistogram: Sendable, Equatable {
    /// Bins over [0, 1]; the SPEC asks for at least 1,000.
    public static let binCount = 1_000

    /// `counts[2·b]` positives and `counts[2·b + 1]` negatives in bin `b`; empty until first use.
    private var counts: [UInt32] = []

    public init() {}

    /// The bin of a score in [0, 1]: `⌊score · binCount⌋`, with 1.0 in the last bin.
    @inline(__always)
    public static func bin(_ score: Double) -> Int {
        min(max(Int(score * Double(binCount)), 0), binCount - 1)
    }

    /// True when nothing has been observed.
    public var isEmpty: Bool { counts.isEmpty }

    /// Records one scored outcome.
    public mutating func observe(score: Double, positive: Bool) {
        if counts.isEmpty { counts = [UInt32](repeating: 0, count: 2 * Self.binCount) }
        counts[2 * Self.bin(score) + (positive ? 0 : 1)] &+= 1
    }

    /// Adds every bin of `other`.
    public mutating func merge(_ other: ScoreHistogram) {
        guard !other.counts.isEmpty else { return }
        if counts.isEmpty { counts = other.counts; return }
        counts.withUnsafeMutableBufferPointer { mine in
            other.counts.withUnsafeBufferPointer { theirs in
                for i in 0..<mine.count { mine[i] &+= theirs[i] }
            }
        }
    }

    /// How many positives were observed.
    public var positiveCount: UInt64 {
        var total: UInt64 = 0
        for b in stride(from: 0, to: counts.count, by: 2) { total += UInt64(counts[b]) }
        return total
    }

    /// Area under the ROC curve, or nil when there are no positives or no negatives (undefined).
    public var rocAUC: Double? {
        guard !counts.isEmpty else { return nil }
        var negativesBelow = 0.0, area = 0.0, positives = 0.0
        for b in 0..<Self.binCount {
            let pos = Double(counts[2 * b]), neg = Double(counts[2 * b + 1])
            area += pos * (negativesBelow + 0.5 * neg)
            negativesBelow += neg
            positives += pos
        }
        guard positives > 0, negativesBelow > 0 else { return nil }
        return area / (positives * negativesBelow)
    }
}
