// SPDX-License-Identifier: Apache-2.0
// The mergeable state behind estimated performance: expected outcomes of unlabelled predictions.

/// What a window needs to estimate classification performance before any label arrives
/// (confidence-based performance estimation, as NannyML's CBPE): for each prediction, its
/// calibrated probabilities say how likely each actual class is, so the expected confusion
/// matrix is the sum of those probabilities in the column of the predicted class; ROC AUC is
/// estimated from binned calibrated probabilities. Sums and counts only, so slices merge.
public struct EstimatedCounts: Sendable, Equatable {
    /// Predictions estimated.
    public private(set) var count: UInt64 = 0
    /// Classes the matrix has room for.
    public private(set) var size = 0
    /// Row-major expected counts: `expected[actual · size + predicted]`.
    public private(set) var expected: [Double] = []
    /// Binary: `[positive class]`; multiclass: one per class index. Binned calibrated
    /// probabilities of that class (the histogram's positive flag: predicted as that class).
    public private(set) var histograms: [ScoreHistogram] = []

    public init() {}

    /// One binary prediction: `p` the calibrated probability of the positive class.
    /// `histograms: false` keeps the expected counts only (no ROC AUC; 8 KB less per slice).
    public mutating func recordBinary(predicted: Int, positive: Int, negative: Int, probability p: Double, histograms keep: Bool = true) {
        guard predicted >= 0, positive >= 0, negative >= 0 else { return }
        grow(to: max(predicted, positive, negative) + 1)
        count += 1
        expected[positive * size + predicted] += p
        expected[negative * size + predicted] += 1 - p
        guard keep else { return }
        if histograms.isEmpty { histograms = [ScoreHistogram()] }
        histograms[0].observe(score: p, positive: predicted == positive)
    }

    /// One multiclass prediction: `p[k]` the calibrated probability of class index `k`.
    public mutating func recordMulticlass(predicted: Int, probabilities p: [Double], histograms keep: Bool = true) {
        guard predicted >= 0 else { return }
        grow(to: max(predicted + 1, p.count))
        count += 1
        for k in p.indices { expected[k * size + predicted] += p[k] }
        guard keep else { return }
        histograms.grow(to: p.count)
        for k in p.indices { histograms[k].observe(score: p[k], positive: predicted == k) }
    }

    /// Records what the calibration expects of one prediction.
    public mutating func record(_ outcome: EstimatedOutcome, histograms: Bool = true) {
        switch outcome {
        case let .binary(predicted, positive, negative, p):
            recordBinary(predicted: predicted, positive: positive, negative: negative, probability: p, histograms: histograms)
        case let .multiclass(predicted, p):
            recordMulticlass(predicted: predicted, probabilities: p, histograms: histograms)
        }
    }

    /// Adds another slice.
    public mutating func merge(_ other: EstimatedCounts) {
        guard other.count > 0 else { return }
        grow(to: other.size)
        count += other.count
        for a in 0..<other.size {
            for p in 0..<other.size { expected[a * size + p] += other.expected[a * other.size + p] }
        }
        histograms.merge(other.histograms)
    }

    /// The expected count of predictions of class `predicted` whose actual class is `actual`.
    public subscript(actual: Int, predicted: Int) -> Double {
        actual < size && predicted < size ? expected[actual * size + predicted] : 0
    }

    private mutating func grow(to newSize: Int) {
        guard newSize > size else { return }
        expected = grownSquare(expected, size: size, to: newSize)
        size = newSize
    }
}

/// One prediction as the calibration sees it: its predicted class and the calibrated
/// probability of each actual class.
public enum EstimatedOutcome: Sendable {
    /// `probability`: of the positive class.
    case binary(predicted: Int, positive: Int, negative: Int, probability: Double)
    /// `probabilities[k]`: of class index `k`, summing to 1.
    case multiclass(predicted: Int, probabilities: [Double])
}

extension EstimatedCounts: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.integer(count)
        w.int(size)
        w.doubles(expected)
        w.array(histograms) { $0.value($1) }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        count = try r.integer()
        size = try r.int()
        expected = try r.doubles()
        guard size >= 0, size <= 100_000, expected.count == size * size else { throw .invalid("estimated matrix of \(expected.count) cells for \(size) classes") }
        histograms = try r.array { (r) throws(SnapshotError) in try r.value(ScoreHistogram.self) }
    }
}

/// Estimated performance of one window (``EstimatedCounts`` turned into metrics the way the
/// realised ones are computed from a confusion matrix, with expected counts in its cells).
public struct EstimatedMetrics: Sendable, Equatable {
    /// Predictions the estimate covers.
    public let predictions: UInt64
    public let accuracy: Double
    /// Per class with any expected mass (binary: both classes; the positive class's is the
    /// binary precision, recall and F1 of NannyML).
    public let perClass: [(classIndex: Int, precision: Double, recall: Double, f1: Double)]
    public let precisionMacro: Double
    public let recallMacro: Double
    public let f1Macro: Double
    /// Binary: of the positive class; multiclass: one-vs-rest macro. nil when undefined.
    public let rocAUC: Double?

    public static func == (a: EstimatedMetrics, b: EstimatedMetrics) -> Bool {
        a.predictions == b.predictions && a.accuracy == b.accuracy && a.rocAUC == b.rocAUC
            && a.perClass.elementsEqual(b.perClass) { $0 == $1 }
    }

    /// nil without predictions.
    public init?(_ e: EstimatedCounts) {
        guard e.count > 0 else { return nil }
        predictions = e.count
        var correct = 0.0, total = 0.0
        var classes: [(Int, Double, Double, Double)] = []
        for k in 0..<e.size {
            var row = 0.0, column = 0.0
            for j in 0..<e.size {
                row += e[k, j]
                column += e[j, k]
            }
            total += row
            guard row + column > 0 else { continue }
            let tp = e[k, k]
            correct += tp
            let precision = column > 0 ? tp / column : 0
            let recall = row > 0 ? tp / row : 0
            let f1Denominator = tp + 0.5 * ((column - tp) + (row - tp))
            classes.append((k, precision, recall, f1Denominator > 0 ? tp / f1Denominator : 0))
        }
        perClass = classes
        accuracy = total > 0 ? correct / total : 0
        let n = Double(max(classes.count, 1))
        precisionMacro = classes.reduce(0) { $0 + $1.1 } / n
        recallMacro = classes.reduce(0) { $0 + $1.2 } / n
        f1Macro = classes.reduce(0) { $0 + $1.3 } / n
        let aucs = e.histograms.compactMap(\.expectedROCAUC)
        rocAUC = !aucs.isEmpty && aucs.count == e.histograms.count ? aucs.reduce(0, +) / Double(aucs.count) : nil
    }
}
