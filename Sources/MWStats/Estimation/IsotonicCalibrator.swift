// SPDX-License-Identifier: Apache-2.0
// A monotone map from a model's raw scores to calibrated probabilities.

/// Isotonic calibration as scikit-learn's `IsotonicRegression(increasing=True,
/// out_of_bounds="clip")` fits and predicts it (the calibrator NannyML's CBPE uses): the
/// outcomes (0 or 1) sorted by score, equal scores pooled into their mean, the
/// pool-adjacent-violators fit of that sequence, and at prediction the linear interpolation
/// between the fitted points, scores outside the fitted range clipped to it.
public struct IsotonicCalibrator: Sendable, Equatable {
    /// Distinct fitted scores, ascending, and the calibrated probability at each.
    public let thresholds: [Double]
    public let values: [Double]

    /// Fits the calibration of `scores` against `outcomes` (1 for the class the scores are
    /// the probability of, else 0). Pairs with a non-finite score are skipped.
    public init?(scores: [Double], outcomes: [Double]) {
        let pairs = zip(scores, outcomes).filter { $0.0.isFinite }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        guard !pairs.isEmpty else { return nil }
        // Equal scores pooled (weight: how many), then pool-adjacent-violators on the means.
        var xs: [Double] = [], sums: [Double] = [], weights: [Double] = []
        for (x, y) in pairs {
            if let last = xs.last, last == x {
                sums[sums.count - 1] += y
                weights[weights.count - 1] += 1
            } else {
                xs.append(x)
                sums.append(y)
                weights.append(1)
            }
        }
        // Blocks of the fit: (sum of y, weight, index of the first point); merged while a
        // block's mean is not above the previous block's.
        var blockSum: [Double] = [], blockWeight: [Double] = [], blockStart: [Int] = []
        for i in xs.indices {
            blockSum.append(sums[i])
            blockWeight.append(weights[i])
            blockStart.append(i)
            while blockSum.count >= 2 {
                let n = blockSum.count
                guard blockSum[n - 2] / blockWeight[n - 2] >= blockSum[n - 1] / blockWeight[n - 1] else { break }
                blockSum[n - 2] += blockSum[n - 1]
                blockWeight[n - 2] += blockWeight[n - 1]
                blockSum.removeLast()
                blockWeight.removeLast()
                blockStart.removeLast()
            }
        }
        var fitted = [Double](repeating: 0, count: xs.count)
        for b in blockStart.indices {
            let end = b + 1 < blockStart.count ? blockStart[b + 1] : xs.count
            let mean = blockSum[b] / blockWeight[b]
            for i in blockStart[b]..<end { fitted[i] = mean }
        }
        // Points inside a flat run change nothing in the interpolation: keep its ends only.
        var keptX: [Double] = [], keptY: [Double] = []
        for i in xs.indices {
            let interior = i > 0 && i < xs.count - 1 && fitted[i] == fitted[i - 1] && fitted[i] == fitted[i + 1]
            if !interior {
                keptX.append(xs[i])
                keptY.append(fitted[i])
            }
        }
        thresholds = keptX
        values = keptY
    }

    /// A calibrator restored from its points (ascending thresholds, as many values).
    public init?(thresholds: [Double], values: [Double]) {
        guard !thresholds.isEmpty, thresholds.count == values.count,
              zip(thresholds, thresholds.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        self.thresholds = thresholds
        self.values = values
    }

    /// The calibrated probability of `score` (`numpy.interp` on the fitted points, clipped).
    public func calibrate(_ score: Double) -> Double {
        guard score > thresholds[0] else { return values[0] }
        let last = thresholds.count - 1
        guard score < thresholds[last] else { return values[last] }
        // The first threshold above the score: the score lies in [thresholds[hi−1], thresholds[hi]).
        var lo = 0, hi = last
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if thresholds[mid] <= score { lo = mid } else { hi = mid }
        }
        let x0 = thresholds[lo], x1 = thresholds[hi]
        return values[lo] + (score - x0) * (values[hi] - values[lo]) / (x1 - x0)
    }
}

extension IsotonicCalibrator: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.doubles(thresholds)
        w.doubles(values)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        let x = try r.doubles(), y = try r.doubles()
        guard let restored = IsotonicCalibrator(thresholds: x, values: y) else { throw .invalid("isotonic calibrator with \(x.count) thresholds, \(y.count) values") }
        self = restored
    }
}
