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
    /// PSI of the candidate's values of each input feature against the baseline's in the same
    /// window (on the reference's PSI bins; features with `min_samples` values on both sides),
    /// worst first, and of its predictions.
    public let inputPSI: [(feature: String, psi: Double)]
    public let predictionPSI: Double?
}

extension ModelState {
    /// The comparison of `candidate` with `baseline` over window `w`, from the versions'
    /// merged window slices (`merge(v, w)`); nil when either version is unknown.
    func comparison(candidate: String, baseline: String, window w: Int,
                    merge: (Int, Int) -> PerformanceSlice, sketch: (Int, Int, Int) -> FeatureSketch) -> VersionComparison? {
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
                                 accuracy: accuracy, rocAUC: auc, absoluteError: error,
                                 inputPSI: columns.indices.dropFirst(2).compactMap { col in
                                     versionPSI(column: col, candidate: sketch(c, w, col), baseline: sketch(b, w, col)).map { (columns[col].name, $0) }
                                 }.sorted { $0.1 > $1.1 },
                                 predictionPSI: versionPSI(column: 0, candidate: sketch(c, w, 0), baseline: sketch(b, w, 0)))
    }

    /// PSI of one version's window of column `c` against another's, on the reference's bins
    /// (numeric: its 10 PSI bins; categorical: its categories and `__other__`); nil without a
    /// reference or below `min_samples` values on either side.
    func versionPSI(column c: Int, candidate: FeatureSketch, baseline: FeatureSketch) -> Double? {
        let column = columns[c]
        let minimum = UInt32(max(1, options.minSamples))
        guard candidate.present >= minimum, baseline.present >= minimum, let reference = column.reference,
              let q = candidate.cells(generation: referenceGeneration, cellCount: column.cellCount)?.counts,
              let p = baseline.cells(generation: referenceGeneration, cellCount: column.cellCount)?.counts else { return nil }
        switch reference {
        case .numeric(let r):
            return DriftStatistics.psi(reference: DriftStatistics.proportions(DriftStatistics.psiBins(p, r)),
                                       current: DriftStatistics.proportions(DriftStatistics.psiBins(q, r)))
        case .categorical:
            return DriftStatistics.psi(reference: DriftStatistics.proportions(p), current: DriftStatistics.proportions(q))
        }
    }

    /// Every other version against the model's `baseline` setting, on every window (none
    /// without a baseline, or before the baseline version has data).
    func baselineComparisons(merge: (Int, Int) -> PerformanceSlice, sketch: (Int, Int, Int) -> FeatureSketch) -> [VersionComparison] {
        guard let baseline = options.baseline, versionIndex[baseline] != nil else { return [] }
        return versionStates.map(\.name).filter { $0 != baseline }.flatMap { candidate in
            options.windows.indices.compactMap { comparison(candidate: candidate, baseline: baseline, window: $0, merge: merge, sketch: sketch) }
        }
    }

    /// `GET /v1/models/{model}/compare`: `candidate` against `baseline` over the window named
    /// `window` at `now`; nil when a version or the window is unknown.
    public mutating func compare(candidate: String, baseline: String, window: String, now: Double) -> VersionComparison? {
        guard let w = options.windows.firstIndex(where: { $0.name == window }) else { return nil }
        expire(now: now)
        var sketches: [Int: [FeatureSketch]] = [:]
        for name in [candidate, baseline] {
            guard let v = versionIndex[name] else { return nil }
            sketches[v] = columns.indices.map { mergeColumn(version: v, column: $0, window: w, now: now) }
        }
        return comparison(candidate: candidate, baseline: baseline, window: w,
                          merge: { v, w in mergeWindow(version: v, window: w, now: now) },
                          sketch: { v, _, c in sketches[v]?[c] ?? FeatureSketch() })
    }
}
