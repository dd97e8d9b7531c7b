// SPDX-License-Identifier: Apache-2.0
// Which columns segment windows count the drift of, and where in a slice their bins lie.

/// The columns whose drift every segment value's windows count, each the bins of its reference
/// (``ReferenceBins``) at an offset in ``PerformanceSlice/drift``: the prediction (when the
/// reference summarises it), then the features of `segment_drift` the reference has. Derived
/// from the reference and the settings; slices counted under another layout (an older
/// `generation`) are not read.
struct SegmentDriftLayout: @unchecked Sendable {
    struct Column {
        /// The feature's name, or ``SegmentReference/predictionKey``.
        let key: String
        let bins: ReferenceBins
        let offset: Int
    }

    private(set) var columns: [Column] = []
    private(set) var total = 0
    /// Bumped by ``ModelState`` whenever the layout changes.
    var generation: Int32 = 0

    init() {}

    /// The layout of `features` (in that order, after the prediction) among `columns`.
    init(prediction: ColumnReference?, features: [(name: String, reference: ColumnReference)], generation: Int32) {
        self.generation = generation
        if let prediction { append(SegmentReference.predictionKey, prediction) }
        for f in features { append(f.name, f.reference) }
    }

    private mutating func append(_ key: String, _ reference: ColumnReference) {
        let bins = ReferenceBins(reference)
        columns.append(Column(key: key, bins: bins, offset: total))
        total += bins.count
    }

    /// What tells two layouts apart (kept in the snapshot with ``generation``).
    var signature: [String] { columns.map { "\($0.key):\($0.bins.count)" } }

    /// Whether an event counts anything (some column has a reference).
    var isEmpty: Bool { columns.isEmpty }
}
