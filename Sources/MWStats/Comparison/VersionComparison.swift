// SPDX-License-Identifier: Apache-2.0
// A canary against its baseline on one window: traffic, and whether it is really better or worse.

/// One candidate version against the baseline version over one window: each one's share of
/// the window's predictions and outcomes, and the differences (candidate − baseline) with
/// their tests: accuracy (classification), ROC AUC (binary, scored), mean absolute error
/// (regression). A difference is nil below `min_samples` outcomes on either side or where its
/// test is undefined (see ``ComparisonTests``).
public struct VersionComparison: Sendable {
    public let candidate: String
    public let baseline: String
    public let window: WindowSpec
    /// Share of the window's predictions (over every version of the model).
    public let candidateTraffic: Double?
    public let baselineTraffic: Double?
    public let candidatePredictions: UInt64
    public let baselinePredictions: UInt64
    public let candidateOutcomes: UInt64
    public let baselineOutcomes: UInt64
    public let accuracy: Difference?
    public let rocAUC: Difference?
    public let absoluteError: Difference?
}

extension ModelState {
    /// The comparison of `candidate` with `baseline` over window `w`, from the versions'
    /// merged window slices (`merge(v, w)`); nil when either version is unknown.
    func comparison(candidate: String, baseline: String, window w: Int,
                    merge: (Int, Int) -> PerformanceSlice) -> VersionComparison? {
        guard let c = versionIndex[candidate], let b = versionIndex[baseline], c != b else { return nil }
        let slices = versionStates.indices.map { merge($0, w) }
        let total = slices.reduce(0) { $0 + $1.predictions }
        let (cs, bs) = (slices[c], slices[b])
        let minimum = UInt64(max(1, options.minSamples))
        let outcomes = { (s: PerformanceSlice) in s.classification.confusion.total + s.regression.count }
        let enough = outcomes(cs) >= minimum && outcomes(bs) >= minimum
        var accuracy: Difference?, auc: Difference?, error: Difference?
        if enough, task == .regression {
            let (x, y) = (cs.regression, bs.regression)
            error = ComparisonTests.welch(mean1: x.absoluteErrorSum / Double(x.count), sumSquares1: x.squaredErrorSum, n1: Double(x.count),
                                          mean2: y.absoluteErrorSum / Double(y.count), sumSquares2: y.squaredErrorSum, n2: Double(y.count))
        } else if enough {
            let correct = { (m: ConfusionMatrix) in (0..<m.size).reduce(0.0) { $0 + Double(m[$1, $1]) } }
            accuracy = ComparisonTests.proportions(correct(cs.classification.confusion), Double(cs.classification.confusion.total),
                                                   correct(bs.classification.confusion), Double(bs.classification.confusion.total))
            if task == .binary, let hc = cs.classification.scoreHistograms.first, let hb = bs.classification.scoreHistograms.first,
               let ac = hc.rocAUC, let ab = hb.rocAUC {
                let pc = Double(hc.positiveCount), pb = Double(hb.positiveCount)
                auc = ComparisonTests.rocAUC(ac, positives1: pc, negatives1: Double(cs.classification.scored) - pc,
                                             ab, positives2: pb, negatives2: Double(bs.classification.scored) - pb)
            }
        }
        return VersionComparison(candidate: candidate, baseline: baseline, window: options.windows[w],
                                 candidateTraffic: total > 0 ? Double(cs.predictions) / Double(total) : nil,
                                 baselineTraffic: total > 0 ? Double(bs.predictions) / Double(total) : nil,
                                 candidatePredictions: cs.predictions, baselinePredictions: bs.predictions,
                                 candidateOutcomes: outcomes(cs), baselineOutcomes: outcomes(bs),
                                 accuracy: accuracy, rocAUC: auc, absoluteError: error)
    }

    /// Every other version against the model's `baseline` setting, on every window (none
    /// without a baseline, or before the baseline version has data).
    func baselineComparisons(merge: (Int, Int) -> PerformanceSlice) -> [VersionComparison] {
        guard let baseline = options.baseline, versionIndex[baseline] != nil else { return [] }
        return versionStates.map(\.name).filter { $0 != baseline }.flatMap { candidate in
            options.windows.indices.compactMap { comparison(candidate: candidate, baseline: baseline, window: $0, merge: merge) }
        }
    }

    /// `GET /v1/models/{model}/compare`: `candidate` against `baseline` over the window named
    /// `window` at `now`; nil when a version or the window is unknown.
    public mutating func compare(candidate: String, baseline: String, window: String, now: Double) -> VersionComparison? {
        guard let w = options.windows.firstIndex(where: { $0.name == window }) else { return nil }
        expire(now: now)
        return comparison(candidate: candidate, baseline: baseline, window: w) { v, w in mergeWindow(version: v, window: w, now: now) }
    }
}
