// SPDX-License-Identifier: Apache-2.0
// Metrics computed from merged counts, as scikit-learn computes them on the same outcomes.

/// Precision, recall and F1 of one class (`zero_division=0`), and its support.
public struct ClassMetrics: Sendable, Equatable {
    public let classIndex: Int
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// Outcomes whose actual class is this one.
    public let support: UInt64
}

/// Classification metrics of one window.
///
/// Classes are those present among the window's actual or predicted classes, as scikit-learn
/// infers `labels` when none are given; macro averages are over them, weighted averages by
/// support. Probability metrics cover the outcomes that carried `score`/`scores` and are nil
/// when there are none; ROC AUC is nil when fewer than two classes occur (undefined).
public struct ClassificationMetrics: Sendable, Equatable {
    public let outcomes: UInt64
    public let accuracy: Double
    public let perClass: [ClassMetrics]
    public let precisionMacro: Double
    public let recallMacro: Double
    public let f1Macro: Double
    public let precisionWeighted: Double
    public let recallWeighted: Double
    public let f1Weighted: Double
    public let rocAUC: Double?
    public let logLoss: Double?
    /// Binary only.
    public let brierScore: Double?

    /// - Parameter binary: score histograms hold the positive class only (binary AUC, Brier).
    public init?(_ counts: ClassificationCounts, binary: Bool) {
        let m = counts.confusion
        let total = m.total
        guard total > 0 else { return nil }
        outcomes = total
        var correct: UInt64 = 0
        var classes: [ClassMetrics] = []
        for k in 0..<m.size {
            var row: UInt64 = 0, column: UInt64 = 0
            for j in 0..<m.size {
                row += m[k, j]
                column += m[j, k]
            }
            guard row + column > 0 else { continue }
            let tp = m[k, k]
            correct += tp
            let precision = column > 0 ? Double(tp) / Double(column) : 0
            let recall = row > 0 ? Double(tp) / Double(row) : 0
            let f1Denominator = 2 * tp + (column - tp) + (row - tp)
            let f1 = f1Denominator > 0 ? 2 * Double(tp) / Double(f1Denominator) : 0
            classes.append(ClassMetrics(classIndex: k, precision: precision, recall: recall, f1: f1, support: row))
        }
        perClass = classes
        accuracy = Double(correct) / Double(total)
        let n = Double(classes.count), support = Double(total)
        precisionMacro = classes.reduce(0) { $0 + $1.precision } / n
        recallMacro = classes.reduce(0) { $0 + $1.recall } / n
        f1Macro = classes.reduce(0) { $0 + $1.f1 } / n
        precisionWeighted = classes.reduce(0) { $0 + $1.precision * Double($1.support) } / support
        recallWeighted = classes.reduce(0) { $0 + $1.recall * Double($1.support) } / support
        f1Weighted = classes.reduce(0) { $0 + $1.f1 * Double($1.support) } / support

        if counts.scored > 0 {
            logLoss = counts.logLossSum / Double(counts.scored)
            brierScore = binary ? counts.brierSum / Double(counts.scored) : nil
        } else {
            logLoss = nil
            brierScore = nil
        }
        if binary {
            rocAUC = counts.scoreHistograms.first?.rocAUC
        } else {
            // One-vs-rest, macro: every class that occurs among the scored actual classes.
            let occurring = counts.scoreHistograms.filter { $0.positiveCount > 0 }
            if occurring.count >= 2 {
                let aucs = occurring.compactMap(\.rocAUC)
                rocAUC = aucs.count == occurring.count ? aucs.reduce(0, +) / Double(aucs.count) : nil
            } else {
                rocAUC = nil
            }
        }
    }
}

/// Regression metrics of one window. MAPE skips true values of 0 (nil when all are 0);
/// R² is nil when the true values are constant (undefined).
public struct RegressionMetrics: Sendable, Equatable {
    public let outcomes: UInt64
    public let mae: Double
    public let rmse: Double
    public let mape: Double?
    public let r2: Double?

    public init?(_ counts: RegressionCounts) {
        guard counts.count > 0 else { return nil }
        let n = Double(counts.count)
        outcomes = counts.count
        mae = counts.absoluteErrorSum / n
        rmse = (counts.squaredErrorSum / n).squareRoot()
        mape = counts.percentageCount > 0 ? counts.percentageErrorSum / Double(counts.percentageCount) : nil
        r2 = counts.actualSquaredDeviations > 0 ? 1 - counts.squaredErrorSum / counts.actualSquaredDeviations : nil
    }
}
