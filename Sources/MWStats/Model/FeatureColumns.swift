// SPDX-License-Identifier: Apache-2.0
// The columns a model tracks for drift and data quality: its features, the prediction, the label.

/// Which stream a tracked column follows.
enum ColumnRole: Sendable {
    case prediction, label, input
}

/// One tracked column of a model: its type (declared, from the reference, or from the first
/// value seen) and, once a reference exists, the reference's summary of it.
struct TrackedColumn: Sendable {
    let name: String
    let role: ColumnRole
    var type: FeatureType?
    var reference: ColumnReference? {
        didSet {
            cellCount = reference?.cellCount ?? 0
            switch reference {
            case .numeric(let r)?: binLabels = r.psiBinLabels
            case .categorical(let r)?: binLabels = r.categories + ["__other__"]
            case nil: binLabels = []
            }
        }
    }
    /// Cells of the reference's sketches (0 without a reference), kept for the ingestion path.
    private(set) var cellCount = 0
    /// Labels of the `bin` label of `modelwatch_feature_values_total`, one per counted bin;
    /// formatted once per reference, not per scrape.
    private(set) var binLabels: [String] = []

    init(name: String, role: ColumnRole, type: FeatureType?) {
        self.name = name
        self.role = role
        self.type = type
    }

    /// Where `value` goes in a column of `type` with `reference`; `.none` for a missing value or
    /// one of the other type (a string in a numeric column), which count as missing. Static, so
    /// that a caller holding the column in an array passes its parts without copying it.
    static func place(_ value: FeatureValue, type: FeatureType?, reference: ColumnReference?) -> Placement {
        switch (type, value) {
        case (.numeric, .number(let x)):
            guard case .numeric(let r)? = reference else { return .uncelled(x) }
            let (c, offset) = r.locate(x)
            return .cell(c, offset: offset, value: x, bin: r.psiBinOfCell[c])
        case (.categorical, .category(let s)):
            return place(category: s, reference)
        case (.categorical, .number(let x)):
            return place(category: FeatureValue.categoryName(x), reference)
        default:
            return .none
        }
    }

    private static func place(category s: String, _ reference: ColumnReference?) -> Placement {
        guard case .categorical(let r)? = reference else { return .uncelled(0) }
        let c = r.position(of: s) ?? r.categories.count
        return .cell(c, offset: 0, value: 0, bin: c)
    }
}

/// Where one value goes in a column's sketches.
enum Placement {
    case none
    /// Present, but there is no reference to place it against.
    case uncelled(Double)
    /// In reference cell `cell` (`offset` inside it, 0…1) and PSI bin (or category) `bin`.
    case cell(Int, offset: Double, value: Double, bin: Int)
}

/// One version's sliding windows of one column, and its values per reference bin since the
/// reference was installed (`modelwatch_feature_values_total`).
struct ColumnWindows: Sendable {
    var windows: CascadingWindows<FeatureSketch>
    var binCounts: [UInt64] = []
    var binGeneration: Int32 = -1

    init(options: ModelOptions) {
        windows = CascadingWindows(lengths: options.windows.map(\.seconds), sliceCount: options.slicesPerWindow,
                                   empty: FeatureSketch())
    }

    /// Records one value in every window; `unit` is `CascadingWindows.unitNumber(now, unit:)`
    /// (the same for every column of a model at one instant).
    mutating func record(_ placement: Placement, cellCount: Int, binCount: Int, generation: Int32, unit: Int64, now: Double) {
        switch placement {
        case .none:
            return
        case .uncelled(let x):
            windows.update(unit: unit, at: now) { $0.addUncelled(x) }
        case .cell(let c, let offset, let x, let bin):
            windows.update(unit: unit, at: now) {
                $0.add(cell: c, offset: offset, value: x, generation: generation, cellCount: cellCount)
            }
            if binGeneration != generation {
                binGeneration = generation
                binCounts = [UInt64](repeating: 0, count: binCount)
            }
            if bin < binCounts.count { binCounts[bin] &+= 1 }
        }
    }
}
