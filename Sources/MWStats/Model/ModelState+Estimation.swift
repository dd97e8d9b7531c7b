// SPDX-License-Identifier: Apache-2.0
// Estimated performance: the reference's calibration by class index, and what it expects of a prediction.

extension ModelState {
    /// Rebuilds ``calibrators`` from ``calibration``: its calibrators by class index. Binary:
    /// the positive class and the other one of the model's two (those of the reference's
    /// labels while the model knows fewer). Multiclass: the reference's classes are interned
    /// (it may name classes no event has yet) unless the settings declare the classes.
    mutating func indexCalibration() {
        calibrators = nil
        calibratedClasses = nil
        guard let calibration, task == .binary || task == .multiclass, calibration.binary == (task == .binary) else { return }
        guard calibration.classNames.count <= options.maxClasses else { return }
        if calibration.binary {
            guard calibration.classNames.count == 2 else { return }
            if classes.count < 2 {
                for name in calibration.classNames { _ = classes.intern(name) }
            }
            guard classes.count == 2, let p = classes.index(of: calibration.classNames[0]) else { return }
            calibrators = calibration.calibrators
            calibratedClasses = (p, 1 - p)
        } else {
            if options.classes == nil {
                for name in calibration.classNames where classes.count < options.maxClasses { _ = classes.intern(name) }
            }
            var byIndex = [IsotonicCalibrator?](repeating: nil, count: classes.count)
            for (name, c) in zip(calibration.classNames, calibration.calibrators) {
                if let k = classes.index(of: name) { byIndex[k] = c }
            }
            calibrators = byIndex
        }
    }

    /// What the calibration expects of a prediction, nil without a calibration or a score.
    func estimatedOutcome(predicted: Int, score: Double, scores: [Double]?) -> EstimatedOutcome? {
        guard let calibrators, predicted >= 0 else { return nil }
        if let (positive, negative) = calibratedClasses {
            guard task == .binary, !score.isNaN else { return nil }
            return .binary(predicted: predicted, positive: positive, negative: negative,
                           probability: ScoreCalibration.probability(score: score, calibrator: calibrators.first ?? nil))
        }
        guard task == .multiclass, let scores else { return nil }
        return .multiclass(predicted: predicted, probabilities: ScoreCalibration.probabilities(scores, calibrators: calibrators))
    }
}
