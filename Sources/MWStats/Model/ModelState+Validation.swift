// SPDX-License-Identifier: Apache-2.0
// Checking an event against its model (task, classes, limits) before anything changes.

extension ModelState {
    /// A label value resolved against the task.
    enum ResolvedLabel {
        case classIndex(Int)
        case value(Double)
    }

    mutating func resolveLabel(_ label: TargetValue) throws(EventRejection) -> ResolvedLabel {
        switch task {
        case .regression:
            guard case .number(let y) = label else {
                throw EventRejection(field: "label", reason: .taskMismatch,
                                     message: "model \(name) is a regression model: label must be a number")
            }
            return .value(y)
        case .binary, .multiclass, nil:
            guard let className = label.className else {
                throw EventRejection(field: "label", reason: .taskMismatch,
                                     message: "model \(name) is a classification model: label must be a class (string, boolean or whole number)")
            }
            try admit([className], field: "label", task: task)
            return .classIndex(classes.intern(className))
        }
    }

    /// Checks that `names` may join the class table (declared classes, binary, limit).
    func admit(_ names: [String], field: String, task: ModelTask?) throws(EventRejection) {
        var new: [String] = []
        for n in names where classes.index(of: n) == nil && !new.contains(n) { new.append(n) }
        guard !new.isEmpty else { return }
        if options.classes != nil {
            throw EventRejection(field: field, reason: .unknownClass,
                                 message: "class \(new[0]) is not among the declared classes \(options.classes!)")
        }
        if task == .binary, classes.count + new.count > 2 {
            throw EventRejection(field: field, reason: .tooManyClasses,
                                 message: "binary model \(name) already has classes \(classes.names); got \(new[0])")
        }
        if classes.count + new.count > options.maxClasses {
            throw EventRejection(field: field, reason: .tooManyClasses,
                                 message: "model \(name) would exceed limits.max_classes (\(options.maxClasses))")
        }
    }

    /// A prediction checked against the model, ready to apply.
    struct ResolvedPrediction {
        var task: ModelTask
        var classNames: [String]
        var predictedName: String?
        var value: Double
        var scores: [ClassScore]?

        func internClasses(into table: inout NameTable) {
            for n in classNames { table.intern(n) }
        }

        /// The value the prediction column tracks: the score of a binary model (unless the
        /// column counts classes), the value of a regression model, else the predicted class.
        func driftValue(columnType: FeatureType?) -> FeatureValue {
            switch task {
            case .regression: return .number(value)
            case .binary where columnType != .categorical && !value.isNaN: return .number(value)
            case .binary, .multiclass: return predictedName.map { .category($0) } ?? .missing
            }
        }

        func predictedIndex(_ table: NameTable) -> Int { predictedName.flatMap { table.index(of: $0) } ?? -1 }

        func scoreVector(_ table: NameTable) -> [Double]? {
            guard task == .multiclass, let scores else { return nil }
            var vector = [Double](repeating: 0, count: table.count)
            for s in scores { if let k = table.index(of: s.className) { vector[k] = s.probability } }
            return vector
        }
    }

    func resolve(_ event: PredictionEvent) throws(EventRejection) -> ResolvedPrediction {
        guard let prediction = event.prediction else {
            throw EventRejection(field: "prediction", reason: .missingField, message: "prediction is required")
        }
        let task = self.task ?? ModelTask.infer(from: event) ?? .multiclass
        if task == .regression {
            guard case .number(let value) = prediction else {
                throw EventRejection(field: "prediction", reason: .taskMismatch,
                                     message: "model \(name) is a regression model: prediction must be a number")
            }
            if event.score != nil || event.scores != nil {
                throw EventRejection(field: event.score != nil ? "score" : "scores", reason: .taskMismatch,
                                     message: "model \(name) is a regression model: it takes no score or scores")
            }
            if let label = event.label, case .number = label {} else if event.label != nil {
                throw EventRejection(field: "label", reason: .taskMismatch,
                                     message: "model \(name) is a regression model: label must be a number")
            }
            return ResolvedPrediction(task: task, classNames: [], predictedName: nil, value: value, scores: nil)
        }
        guard let predictedName = prediction.className else {
            throw EventRejection(field: "prediction", reason: .taskMismatch,
                                 message: "model \(name) is a \(task.rawValue) model: prediction must be a class (string, boolean or whole number)")
        }
        var names = [predictedName]
        if let label = event.label {
            guard let labelName = label.className else {
                throw EventRejection(field: "label", reason: .taskMismatch,
                                     message: "model \(name) is a \(task.rawValue) model: label must be a class (string, boolean or whole number)")
            }
            names.append(labelName)
        }
        var value = Double.nan
        if task == .binary {
            if event.scores != nil {
                throw EventRejection(field: "scores", reason: .taskMismatch,
                                     message: "model \(name) is binary: send score, the probability of class \(positiveClassName)")
            }
            value = event.score ?? .nan
        } else {
            if event.score != nil {
                throw EventRejection(field: "score", reason: .taskMismatch,
                                     message: "model \(name) is multiclass: send scores, an object of class probabilities")
            }
            if let scores = event.scores {
                try admit(scores.map(\.className), field: "scores", task: task)
                names.append(contentsOf: scores.map(\.className))
            }
        }
        // Check the new classes together, against the task this event would give the model.
        try admit(names, field: "prediction", task: task)
        return ResolvedPrediction(task: task, classNames: names, predictedName: predictedName, value: value,
                                  scores: event.scores)
    }
}
