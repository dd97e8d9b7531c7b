// SPDX-License-Identifier: Apache-2.0
// Drift and data quality of one window: what the report carries per column.

/// Drift and data quality of one column (a feature, the prediction or the label) in one window.
public struct ColumnDriftReport: Sendable {
    public let name: String
    public let type: FeatureType?
    /// Values present in the window (not null, absent, or of the column's other type).
    public let present: UInt64
    /// `1 − present / predictions` of the window; nil for the label and without predictions.
    public let missingRatio: Double?
    /// Mean of the window's values (numeric).
    public let mean: Double?
    /// Against the reference; nil without one or without values counted against it.
    public let numeric: NumericDrift?
    public let categorical: CategoricalDrift?
    /// The method that decided and its verdict; nil without statistics or with fewer values
    /// than the model's `min_samples`.
    public let method: DriftMethod?
    public let drifted: Bool?

    /// Every score with its method label (`psi`, `ks`, `wasserstein`, `jensenshannon`, `chi2`)
    /// and, for the tests, its p-value.
    public var scores: [(method: String, score: Double, pValue: Double?)] {
        if let n = numeric {
            var out: [(String, Double, Double?)] = [("psi", n.psi, nil), ("ks", n.ksStatistic, n.ksPValue)]
            if let w = n.wasserstein { out.append(("wasserstein", w, nil)) }
            out.append(("jensenshannon", n.jensenShannon, nil))
            return out
        }
        if let c = categorical {
            var out: [(String, Double, Double?)] = [("psi", c.psi, nil), ("jensenshannon", c.jensenShannon, nil)]
            if let chi = c.chiSquare { out.append(("chi2", chi, c.chiSquarePValue)) }
            return out
        }
        return []
    }

    /// Orders columns worst first: drifted, then undecided, then not drifted; within each, by
    /// PSI (the one score every column has), then by name.
    static func worstFirst(_ a: ColumnDriftReport, _ b: ColumnDriftReport) -> Bool {
        func rank(_ r: ColumnDriftReport) -> Int { r.drifted == true ? 0 : r.drifted == nil ? 1 : 2 }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        let pa = a.numeric?.psi ?? a.categorical?.psi ?? -1, pb = b.numeric?.psi ?? b.categorical?.psi ?? -1
        if pa != pb { return pa > pb }
        return a.name < b.name
    }
}

/// Drift of one window: every input feature (worst first), the prediction and the label.
public struct WindowDrift: Sendable {
    public let features: [ColumnDriftReport]
    public let prediction: ColumnDriftReport?
    public let label: ColumnDriftReport?

    /// Share of the decided input features that drifted; nil when none is decided.
    public var driftedShare: Double? {
        let decided = features.compactMap(\.drifted)
        guard !decided.isEmpty else { return nil }
        return Double(decided.filter { $0 }.count) / Double(decided.count)
    }

    /// The model's data drift (SPEC section 4): at least half of the decided features drifted.
    public var dataDrift: Bool? { driftedShare.map { $0 >= 0.5 } }
}

/// One concept drift detector of a version.
public struct DetectorReport: Sendable {
    public let name: String
    public let state: DetectorState
    public let detections: UInt64
}

/// A feature's values per reference bin since the reference was installed.
public struct FeatureBins: Sendable {
    public let feature: String
    public let bins: [(bin: String, count: UInt64)]
}

/// The reference's share of its values in each bin of one input feature: the reference side of
/// PSI, so that PromQL can compute PSI from `modelwatch_feature_values_total`.
public struct FeatureBinRatios: Sendable {
    public let feature: String
    public let bins: [(bin: String, ratio: Double)]
}

extension ModelState {
    /// The drift of window `w` of version `v`, from each column's merged sketch.
    func windowDrift(version v: Int, window w: Int, predictions: UInt64, sketch: (Int) -> FeatureSketch) -> WindowDrift {
        var features: [ColumnDriftReport] = []
        for c in columns.indices.dropFirst(2) {
            features.append(columnReport(columns[c], sketch(c), predictions: predictions))
        }
        features.sort(by: ColumnDriftReport.worstFirst)
        let prediction = columns[0].type == nil ? nil : columnReport(columns[0], sketch(0), predictions: predictions)
        let label = columns[1].type == nil ? nil : columnReport(columns[1], sketch(1), predictions: nil)
        return WindowDrift(features: features, prediction: prediction, label: label)
    }

    private func columnReport(_ column: TrackedColumn, _ sketch: FeatureSketch, predictions: UInt64?) -> ColumnDriftReport {
        let present = UInt64(sketch.present)
        var missing: Double?
        if let predictions, predictions > 0 { missing = max(0, 1 - Double(present) / Double(predictions)) }
        var numeric: NumericDrift?, categorical: CategoricalDrift?
        var decision: (method: DriftMethod, drifted: Bool)?
        let enough = { (n: Int) in n >= max(1, self.options.minSamples) }
        switch column.reference {
        case .numeric(let r)?:
            if let cells = sketch.cells(generation: referenceGeneration, cellCount: column.cellCount) {
                numeric = DriftStatistics.numeric(r, cells: cells.counts, offsets: cells.offsets,
                                                  lowSum: sketch.lowSum, highSum: sketch.highSum,
                                                  values: sketch.exactValues(generation: referenceGeneration))
            }
            if let n = numeric, enough(n.count) { decision = DriftDecision.numeric(n, referenceCount: r.count, settings: options.drift) }
        case .categorical(let r)?:
            if let cells = sketch.cells(generation: referenceGeneration, cellCount: column.cellCount) {
                categorical = DriftStatistics.categorical(r, counts: cells.counts)
            }
            if let c = categorical, enough(c.count) { decision = DriftDecision.categorical(c, referenceCount: r.count, settings: options.drift) }
        case nil:
            break
        }
        let mean = column.type == .numeric && present > 0 ? sketch.sum / Double(present) : nil
        return ColumnDriftReport(name: column.name, type: column.type, present: present, missingRatio: missing, mean: mean,
                                 numeric: numeric, categorical: categorical, method: decision?.method, drifted: decision?.drifted)
    }

    /// Counts per reference bin of each input feature (current reference only); every bin from
    /// 0 once the reference is in force, so that `rate()` sees a bin's first values.
    func featureBins(version v: Int) -> [FeatureBins] {
        var out: [FeatureBins] = []
        let state = versionStates[v]
        for c in columns.indices.dropFirst(2) where columns[c].reference != nil {
            let seen = c < state.columns.count ? state.columns[c].cellTotals(generation: referenceGeneration, cellCount: columns[c].cellCount) : nil
            let cells = seen ?? [UInt64](repeating: 0, count: columns[c].cellCount)
            let counts = columns[c].bins(ofCells: cells)
            out.append(FeatureBins(feature: columns[c].name, bins: zip(columns[c].binLabels, counts).map { ($0, $1) }))
        }
        return out
    }
}

extension ModelState {
    /// The reference's bin proportions of each input feature, labelled as `featureBins` are.
    var referenceBinRatios: [FeatureBinRatios] {
        columns.indices.dropFirst(2).compactMap { c in
            guard let reference = columns[c].reference else { return nil }
            return FeatureBinRatios(feature: columns[c].name, bins: Array(zip(columns[c].binLabels, reference.binProportions)))
        }
    }

    /// The reference in force, column by column: `prediction`, `label`, then the features.
    public var referenceColumns: [(name: String, role: String, reference: ColumnReference)] {
        columns.compactMap { column in
            column.reference.map { (column.name, column.role == .input ? "feature" : column.name, $0) }
        }
    }
}
