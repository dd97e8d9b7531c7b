// SPDX-License-Identifier: Apache-2.0
// Installing a model's reference, uploaded or gathered from its first predictions.

extension ModelState {
    /// Replaces the reference. Window sketches keep counting; those that counted against the
    /// previous reference are left out of drift statistics from now on (see ``FeatureSketch``).
    public mutating func install(reference: ModelReference) {
        referenceGeneration += 1
        referenceRows = reference.rows
        referenceCollector = nil
        for c in columns.indices { columns[c].reference = nil }
        for (name, summary) in reference.features.sorted(by: { $0.key < $1.key }) {
            if let c = column(named: name) { set(summary, column: c) }
        }
        set(reference.prediction, column: 0)
        set(reference.label, column: 1)
        calibration = reference.calibration
        indexCalibration()
    }

    /// Rebuilds ``calibrators`` from ``calibration``: its class names interned in the class
    /// table (a multiclass reference may name classes no event has yet), its calibrators by
    /// class index.
    mutating func indexCalibration() {
        calibrators = nil
        calibratedClasses = nil
        guard let calibration, task == .binary || task == .multiclass, calibration.binary == (task == .binary) else { return }
        guard calibration.classNames.count <= options.maxClasses else { return }
        for name in calibration.classNames { _ = classes.intern(name) }
        if calibration.binary {
            guard calibration.classNames.count == 2, let p = classes.index(of: calibration.classNames[0]),
                  let n = classes.index(of: calibration.classNames[1]) else { return }
            calibrators = calibration.calibrators
            calibratedClasses = (p, n)
        } else {
            var byIndex = [IsotonicCalibrator?](repeating: nil, count: classes.count)
            for (name, c) in zip(calibration.classNames, calibration.calibrators) {
                if let k = classes.index(of: name) { byIndex[k] = c }
            }
            calibrators = byIndex
        }
    }

    mutating func set(_ summary: ColumnReference?, column c: Int) {
        guard let summary else { return }
        retype(c, to: summary.type)
        columns[c].reference = summary
    }

    /// `reference: {source: first, events: N}`: the first N accepted predictions.
    mutating func collectReference(_ event: PredictionEvent, rows: Int) {
        if referenceCollector == nil { referenceCollector = ReferenceBuilder() }
        referenceCollector!.add(event)  // in place: no copy of the rows gathered so far
        if referenceCollector!.rows >= rows, let reference = try? referenceCollector!.build(task: task, options: options, strict: false,
                                                                                                      positiveClass: positiveClassName) {
            install(reference: reference)
        }
    }

    /// Whether the model has a reference, and whether it is still gathering one.
    public var referenceStatus: (installed: Bool, collected: Int) {
        (referenceGeneration >= 0, referenceCollector?.rows ?? 0)
    }
}
