// SPDX-License-Identifier: Apache-2.0
// Turning a model's scores into probabilities it can be judged by before its labels arrive.

/// The calibration of a classification model's scores, fitted on its reference (rows with a
/// score or scores and a label), as NannyML's CBPE fits it: per class (binary: the positive
/// class only), an isotonic calibrator when calibration lowers the expected calibration
/// error on held-out reference rows, else the scores as they are. Multiclass probabilities
/// are calibrated class by class and then divided by their sum (uniform when the sum is 0).
public struct ScoreCalibration: Sendable, Equatable {
    /// Binary: the positive class, then the negative one. Multiclass: every class of the reference.
    public let classNames: [String]
    /// One per class name; nil where calibration did not help (the score is used as it is).
    /// Binary: the positive class's, then nil.
    public let calibrators: [IsotonicCalibrator?]
    public let binary: Bool
    /// Reference rows the calibration was fitted on.
    public let rows: Int

    public init(classNames: [String], calibrators: [IsotonicCalibrator?], binary: Bool, rows: Int) {
        self.classNames = classNames
        self.calibrators = calibrators
        self.binary = binary
        self.rows = rows
    }

    /// Binary: the calibrated probability of the positive class.
    public func probability(score: Double) -> Double {
        Self.probability(score: score, calibrator: calibrators.first ?? nil)
    }

    /// The same with the positive class's calibrator given.
    public static func probability(score: Double, calibrator: IsotonicCalibrator?) -> Double {
        calibrator?.calibrate(score) ?? min(max(score, 0), 1)
    }

    /// Multiclass: calibrated probabilities, `scores[k]` being the raw score of `classNames[k]`
    /// (0 for a class the event did not score), normalised to sum 1.
    public func probabilities(_ scores: [Double]) -> [Double] { Self.probabilities(scores, calibrators: calibrators) }

    /// The same with the calibrators in the order of `scores` (a model's class indices).
    public static func probabilities(_ scores: [Double], calibrators: [IsotonicCalibrator?]) -> [Double] {
        var p = scores.indices.map { k in k < calibrators.count ? (calibrators[k]?.calibrate(scores[k]) ?? scores[k]) : scores[k] }
        let sum = p.reduce(0, +)
        if sum > 0 {
            for k in p.indices { p[k] /= sum }
        } else {
            p = [Double](repeating: 1 / Double(max(p.count, 1)), count: p.count)
        }
        return p
    }

    /// Fits the calibration of one class's scores: isotonic when NannyML's test says it helps
    /// (``needsCalibration(scores:outcomes:)``), nil otherwise.
    public static func fitClass(scores: [Double], outcomes: [Double]) -> IsotonicCalibrator? {
        guard needsCalibration(scores: scores, outcomes: outcomes) else { return nil }
        return IsotonicCalibrator(scores: scores, outcomes: outcomes)
    }

    /// Whether isotonic calibration lowers the expected calibration error (10 bins of equal
    /// count) of held-out rows, as NannyML's `needs_calibration` decides it: not with one
    /// class only, not when the scores already separate the classes (ROC AUC > 0.999), else
    /// by comparing the error of the raw and the calibrated scores over 10 held-out tenths.
    /// NannyML draws its tenths at random (`StratifiedShuffleSplit`, seed 42); these are
    /// every tenth row of each class, which keeps the decision reproducible here.
    public static func needsCalibration(scores: [Double], outcomes: [Double]) -> Bool {
        let n = scores.count
        let positives = outcomes.reduce(0, +)
        guard n >= 20, positives > 0, positives < Double(n) else { return false }
        guard let auc = exactROCAUC(scores: scores, outcomes: outcomes), auc <= 0.999 else { return false }
        var rank = [0, 0]
        let fold = outcomes.map { y -> Int in
            let c = y > 0.5 ? 1 : 0
            defer { rank[c] += 1 }
            return rank[c] % 10
        }
        var testScores: [Double] = [], testCalibrated: [Double] = [], testOutcomes: [Double] = []
        for f in 0..<10 {
            var trainS: [Double] = [], trainY: [Double] = []
            var heldOut: [Int] = []
            for i in 0..<n {
                if fold[i] == f { heldOut.append(i) } else { trainS.append(scores[i]); trainY.append(outcomes[i]) }
            }
            guard !heldOut.isEmpty, let calibrator = IsotonicCalibrator(scores: trainS, outcomes: trainY) else { continue }
            for i in heldOut {
                testScores.append(scores[i])
                testCalibrated.append(calibrator.calibrate(scores[i]))
                testOutcomes.append(outcomes[i])
            }
        }
        guard let before = expectedCalibrationError(testScores, testOutcomes),
              let after = expectedCalibrationError(testCalibrated, testOutcomes) else { return false }
        return before > after
    }

    /// NannyML's expected calibration error: rows sorted by probability, cut into 10 bins of
    /// equal count (the last takes the remainder; fewer bins below 20 rows), the
    /// count-weighted mean of |mean probability − mean outcome| over the bins.
    static func expectedCalibrationError(_ p: [Double], _ y: [Double]) -> Double? {
        let n = p.count
        var bins = 10
        if n <= 2 * bins { bins = n / 2 }
        guard bins >= 2 else { return nil }
        let width = n / bins
        var edges = Array(stride(from: 0, through: n, by: width))
        edges[edges.count - 1] = n
        let order = p.indices.sorted { p[$0] < p[$1] }
        var error = 0.0
        for (lo, hi) in zip(edges, edges.dropFirst()) where hi > lo {
            var sp = 0.0, sy = 0.0
            for i in order[lo..<hi] { sp += p[i]; sy += y[i] }
            let count = Double(hi - lo)
            error += count / Double(n) * abs(sp / count - sy / count)
        }
        return error
    }

    /// ROC AUC with ties counted half (scikit-learn's `roc_auc_score`), nil with one class.
    static func exactROCAUC(scores: [Double], outcomes: [Double]) -> Double? {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var negativesBelow = 0.0, area = 0.0, positives = 0.0
        var i = 0
        while i < order.count {
            var j = i, pos = 0.0, neg = 0.0
            while j < order.count, scores[order[j]] == scores[order[i]] {
                if outcomes[order[j]] > 0.5 { pos += 1 } else { neg += 1 }
                j += 1
            }
            area += pos * (negativesBelow + 0.5 * neg)
            negativesBelow += neg
            positives += pos
            i = j
        }
        guard positives > 0, negativesBelow > 0 else { return nil }
        return area / (positives * negativesBelow)
    }
}

extension ScoreCalibration: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.array(classNames) { $0.string($1) }
        w.array(calibrators) { w, c in w.optional(c) { $0.value($1) } }
        w.bool(binary)
        w.int(rows)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        let names = try r.array { (r) throws(SnapshotError) in try r.string() }
        let calibrators = try r.array { (r) throws(SnapshotError) in
            try r.optional { (r) throws(SnapshotError) in try r.value(IsotonicCalibrator.self) }
        }
        guard names.count == calibrators.count else { throw .invalid("calibration of \(names.count) classes with \(calibrators.count) calibrators") }
        self.init(classNames: names, calibrators: calibrators, binary: try r.bool(), rows: try r.int())
    }
}
