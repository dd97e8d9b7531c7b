// SPDX-License-Identifier: Apache-2.0
// What a model's mistakes cost: the cost matrix of its settings, applied to outcomes.

/// The cost of a model's mistakes (`costs:` in its settings): for a binary model a cost per
/// false positive and per false negative; for a multiclass one a cost per (actual, predicted)
/// pair of class names (pairs left out cost 0); for regression a cost per unit of absolute
/// error. Applied to a window's outcomes it gives the realised cost, to its estimated outcomes
/// the expected cost.
public enum Costs: Sendable, Equatable {
    case binary(falsePositive: Double, falseNegative: Double)
    case matrix([String: [String: Double]])
    case absoluteError(Double)

    /// The cost of `count` outcomes of class `actual` predicted as `predicted`.
    func cost(actual: String, predicted: String, positive: String, count: Double) -> Double {
        switch self {
        case let .binary(fp, fn):
            guard actual != predicted else { return 0 }
            return count * (predicted == positive ? fp : fn)
        case .matrix(let m):
            return count * (m[actual]?[predicted] ?? 0)
        case .absoluteError:
            return 0
        }
    }

    /// The realised cost of a window's outcomes; nil for the other kind of task or without outcomes.
    func realised(_ slice: PerformanceSlice, classes: [String], positive: String) -> Double? {
        if case .absoluteError(let perUnit) = self {
            return slice.regression.count > 0 ? perUnit * slice.regression.absoluteErrorSum : nil
        }
        let m = slice.classification.confusion
        guard m.total > 0 else { return nil }
        var total = 0.0
        for (a, p, n) in m.nonZeroCells where a < classes.count && p < classes.count {
            total += cost(actual: classes[a], predicted: classes[p], positive: positive, count: Double(n))
        }
        return total
    }

    /// The expected cost of a window's estimated outcomes; nil without estimates.
    func expected(_ e: EstimatedCounts, classes: [String], positive: String) -> Double? {
        if case .absoluteError = self { return nil }
        guard e.count > 0 else { return nil }
        var total = 0.0
        for a in 0..<min(e.size, classes.count) {
            for p in 0..<min(e.size, classes.count) where a != p || !isBinary {
                total += cost(actual: classes[a], predicted: classes[p], positive: positive, count: e[a, p])
            }
        }
        return total
    }

    private var isBinary: Bool { if case .binary = self { return true } else { return false } }
}
