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
        segmentReferences = reference.segments
        layOutSegmentDrift()
    }

    /// Lays out the bins segment windows count (the prediction's, then `segment_drift`'s
    /// features'), under a new generation: counts of the old layout are not read again.
    mutating func layOutSegmentDrift() {
        let features = options.segmentDrift.compactMap { name -> (name: String, reference: ColumnReference)? in
            columnIndex[name].flatMap { c in columns[c].reference.map { (name, $0) } }
        }
        segmentDrift = SegmentDriftLayout(prediction: columns[0].reference, features: features, generation: segmentDrift.generation &+ 1)
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
