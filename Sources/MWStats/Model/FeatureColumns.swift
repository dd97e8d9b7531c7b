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
    var type: FeatureType? {
        didSet { placer.type = type }
    }
    var reference: ColumnReference? {
        didSet { referenceChanged() }
    }
    /// What the ingestion path needs to place a value (valid while this column holds `reference`).
    private(set) var placer: ColumnPlacer
    /// Labels of the `bin` label of `modelwatch_feature_values_total`, one per counted bin;
    /// formatted once per reference, not per scrape.
    private(set) var binLabels: [String] = []
    /// Cells of the reference's sketches (0 without a reference).
    var cellCount: Int { placer.cellCount }

    /// - Parameter reference: a reference already in force (a restored column).
    init(name: String, role: ColumnRole, type: FeatureType?, reference: ColumnReference? = nil) {
        self.name = name
        self.role = role
        self.type = type
        self.reference = reference
        placer = ColumnPlacer(type: type, reference: nil)
        referenceChanged()  // observers do not run in an initializer
    }

    /// The placer and bin labels follow the reference.
    private mutating func referenceChanged() {
        placer = ColumnPlacer(type: type, reference: reference)
        switch reference {
        case .numeric(let r)?: binLabels = r.psiBinLabels
        case .categorical(let r)?: binLabels = r.categories + ["__other__"]
        case nil: binLabels = []
        }
    }

    /// Values per bin of `modelwatch_feature_values_total` from values per reference cell.
    func bins(ofCells totals: [UInt64]) -> [UInt64] {
        guard case .numeric(let r)? = reference else { return totals }  // categorical: a bin per cell
        var bins = [UInt64](repeating: 0, count: r.psiBinCount)
        for (c, n) in totals.enumerated() where c < r.psiBinOfCell.count { bins[r.psiBinOfCell[c]] &+= n }
        return bins
    }
}

/// What placing a value needs of a column, copied out of it without reference counting: its
/// type, the numeric reference's cell lookup, or an unmanaged categorical reference (the
/// column holds the reference, which owns both).
struct ColumnPlacer {
    var type: FeatureType?
    private var numeric: CellLookup?
    private var categorical: Unmanaged<CategoricalReference>?
    private(set) var cellCount = 0

    init(type: FeatureType?, reference: ColumnReference?) {
        self.type = type
        switch reference {
        case .numeric(let r)?:
            numeric = r.cells
            cellCount = r.cellCount
        case .categorical(let r)?:
            categorical = .passUnretained(r)
            cellCount = r.categories.count + 1
        case nil:
            break
        }
    }

    /// Where `value` goes; `.none` for a missing value or one of the other type (a string in a
    /// numeric column), which count as missing.
    @inline(__always)
    func place(_ value: FeatureValue) -> Placement {
        switch value {
        case .number(let x): place(number: x)
        case .category(let s): place(category: s)
        case .missing: .none
        }
    }

    /// Where the number `x` goes (in a categorical column: as the category it spells).
    @inline(__always)
    func place(number x: Double) -> Placement {
        switch type {
        case .numeric?:
            guard let numeric else { return .uncelled(x) }
            let (c, offset) = numeric.locate(x)
            return .cell(c, offset: offset, value: x)
        case .categorical?:
            return place(categoryNumber: x)
        case nil:
            return .none
        }
    }

    @inline(never)  // rare, and formatting kept out of the numeric path
    private func place(categoryNumber x: Double) -> Placement { place(category: FeatureValue.categoryName(x)) }

    /// Where the category `s` goes (`.none` in a numeric column).
    func place(category s: String) -> Placement {
        guard type == .categorical else { return .none }
        guard let cell = categoryCell(of: s) else { return .uncelled(0) }
        return .cell(cell, offset: 0, value: 0)
    }

    /// The numeric reference's cell lookup, for a numeric column that has one.
    var numericCells: CellLookup? { type == .numeric ? numeric : nil }

    /// Where a category goes when there is no categorical reference: present but in no cell
    /// (categorical column), or nowhere (numeric column: counts as missing).
    func placeUncelledCategory() -> Placement { type == .categorical ? .uncelled(0) : .none }

    /// Whether categories are placed in reference cells (a categorical column with a reference).
    var placesCategories: Bool { type == .categorical && categorical != nil }

    /// The reference cell of category `s` (the last cell for one the reference did not keep);
    /// nil without a categorical reference.
    func categoryCell(of s: String) -> Int? {
        guard let categorical else { return nil }
        return categorical._withUnsafeGuaranteedRef { r in r.position(of: s) ?? r.categories.count }
    }
}

/// The reference cells of a body's categories, per column: each distinct category of a body
/// (an index into its ``CategoryStrings``) is looked up once per column, not once per value.
/// A small direct-mapped table per column, valid for one body and one reference generation.
struct CategoryCells {
    /// The strings the cached indices belong to.
    private(set) var table: CategoryStrings?
    private var generation: Int32 = -1
    /// Per column, ``ways`` entries of `index << 32 | cell`; −1 when empty.
    private var entries: [Int64] = []
    static let ways = 16

    /// Makes the entries those of `table`'s indices for reference `generation` in `columns`
    /// columns (emptied unless they already are).
    mutating func use(_ table: CategoryStrings, generation: Int32, columns: Int) {
        guard table !== self.table || generation != self.generation || entries.count < columns * Self.ways else { return }
        self.table = table
        self.generation = generation
        entries = [Int64](repeating: -1, count: columns * Self.ways)
    }

    /// The cell of category `index` of ``table`` in column `c`, from `lookup` on a miss.
    @inline(__always)
    mutating func cell(column c: Int, index: Int, lookup: (String) -> Int) -> Int {
        let slot = c * Self.ways + index & (Self.ways - 1)
        let entry = entries[slot]
        if entry >= 0 && Int(entry >> 32) == index { return Int(entry & 0xFFFF_FFFF) }
        let cell = lookup(table!.strings[index])
        entries[slot] = Int64(index) << 32 | Int64(cell)
        return cell
    }
}

/// Where one value goes in a column's sketches.
enum Placement {
    case none
    /// Present, but there is no reference to place it against.
    case uncelled(Double)
    /// In reference cell `cell` (numeric: `offset` inside it, 0…1; categorical: the category).
    case cell(Int, offset: Double, value: Double)
}

/// One version's sliding windows of one column, and its values per reference cell since the
/// reference was installed (`modelwatch_feature_values_total`).
///
/// The per-cell totals are not counted value by value: the pending slice of the windows
/// already counts its values per cell, so its counts are added to the totals when it is
/// flushed (once per time unit), and reads add the slice still pending.
struct ColumnWindows: Sendable {
    private(set) var windows: CascadingWindows<FeatureSketch>
    private var totals: [UInt64] = []
    private var totalsGeneration: Int32 = -1

    init(options: ModelOptions) {
        windows = CascadingWindows(lengths: options.windows.map(\.seconds), sliceCount: options.slicesPerWindow,
                                   empty: FeatureSketch())
    }

    /// Records one value in every window; `unit` is `CascadingWindows.unitNumber(now, unit:)`
    /// (the same for every column of a model at one instant), `generation` the reference's.
    @inline(__always)
    mutating func record(_ placement: Placement, cellCount: Int, generation: Int32, unit: Int64, now: Double) {
        if unit != windows.pendingUnit { startUnit(unit, placement, cellCount: cellCount, generation: generation) }
        switch placement {
        case .none:
            return
        case .uncelled(let x):
            windows.update(unit: unit, at: now) { $0.addUncelled(x) }
        case .cell(let c, let offset, let x):
            windows.update(unit: unit, at: now) {
                $0.add(cell: c, offset: offset, value: x, generation: generation, cellCount: cellCount)
            }
        }
    }

    /// Records a category in each of `cells` that is not negative (negative: none at that
    /// index), as ``record(_:cellCount:generation:unit:now:)`` would, with one window update
    /// for them all when they go to the pending slice.
    @inline(__always)
    mutating func record(cells: UnsafeBufferPointer<Int32>, cellCount: Int, generation: Int32, unit: Int64, now: Double) {
        guard pendingTakes(unit, cellCount: cellCount, generation: generation) else {
            for cell in cells where cell >= 0 {
                record(.cell(Int(cell), offset: 0, value: 0), cellCount: cellCount, generation: generation, unit: unit, now: now)
            }
            return
        }
        windows.pending.add(cells: cells, generation: generation, cellCount: cellCount)
    }

    /// Records each finite value of `values` (the others are not numbers) in its cell of
    /// `lookup`, as ``record(_:cellCount:generation:unit:now:)`` would, with one window update
    /// for them all when they go to the pending slice.
    @inline(__always)
    mutating func record(numbers values: UnsafeBufferPointer<Double>, lookup: CellLookup, cellCount: Int,
                         generation: Int32, unit: Int64, now: Double) {
        guard pendingTakes(unit, cellCount: cellCount, generation: generation) else {
            for x in values where x.isFinite {
                let (cell, offset) = lookup.locate(x)
                record(.cell(cell, offset: offset, value: x), cellCount: cellCount, generation: generation, unit: unit, now: now)
            }
            return
        }
        windows.pending.add(numbers: values, lookup: lookup, generation: generation, cellCount: cellCount)
    }

    /// Whether values of `unit` go to the pending slice, made that of `unit` first (the
    /// previous one goes into the totals); false when they bypass it, one by one (no common
    /// unit, or a clock that stepped back).
    @inline(__always)
    private mutating func pendingTakes(_ unit: Int64, cellCount: Int, generation: Int32) -> Bool {
        guard unit != windows.pendingUnit else { return true }
        guard windows.unit != nil && unit > windows.pendingUnit else { return false }
        fold(windows.open(unit: unit), cellCount: cellCount, generation: generation)
        return true
    }

    /// Before a value of another unit: the pending slice goes into the totals; a value that
    /// will bypass the pending slice (no common unit, or a clock that stepped back) is counted
    /// in them directly.
    @inline(never)
    private mutating func startUnit(_ unit: Int64, _ placement: Placement, cellCount: Int, generation: Int32) {
        guard !pendingTakes(unit, cellCount: cellCount, generation: generation), case .cell(let c, _, _) = placement else { return }
        resetTotals(cellCount: cellCount, generation: generation)
        if c < totals.count { totals[c] &+= 1 }
    }

    /// Window `w` at `now`, through its cache of older slices.
    mutating func mergedCaching(window w: Int, at now: Double, cellCount: Int, generation: Int32) -> FeatureSketch {
        fold(windows.flush(), cellCount: cellCount, generation: generation)
        return windows.mergedCaching(window: w, at: now)
    }

    private mutating func resetTotals(cellCount: Int, generation: Int32) {
        guard totalsGeneration != generation else { return }
        totalsGeneration = generation
        totals = [UInt64](repeating: 0, count: cellCount)
    }

    private mutating func fold(_ slice: FeatureSketch?, cellCount: Int, generation: Int32) {
        guard let slice, let cells = slice.cells(generation: generation, cellCount: cellCount) else { return }
        resetTotals(cellCount: cellCount, generation: generation)
        for (c, n) in cells.counts.enumerated() where n > 0 { totals[c] &+= UInt64(n) }
    }

    /// Values per reference cell of reference `generation` since it was installed, the pending
    /// slice included; nil when none were counted.
    func cellTotals(generation: Int32, cellCount: Int) -> [UInt64]? {
        var out = totalsGeneration == generation ? totals : nil
        if let pending = windows.pending.cells(generation: generation, cellCount: cellCount) {
            if out == nil { out = [UInt64](repeating: 0, count: cellCount) }
            for (c, n) in pending.counts.enumerated() where n > 0 { out![c] &+= UInt64(n) }
        }
        return out
    }
}

/// The features of a batch's accepted events, recorded together after the batch.
struct FeatureBatch {
    struct Row {
        var version: Int32
        var features: Features
    }

    /// Events recorded together, column by column: 64 events of 50 packed values are 25 KB,
    /// which stay in the first-level cache while each column's lookup and tallies are used.
    static let block = 64

    var rows: [Row] = []

    mutating func append(version: Int, _ features: Features) {
        guard !features.packed.isEmpty else { return }
        rows.append(Row(version: Int32(version), features: features))
    }
}

extension TrackedColumn {
    func write(to w: inout SnapshotWriter) {
        w.string(name)
        w.integer(UInt8(role == .prediction ? 0 : role == .label ? 1 : 2))
        w.optional(type) { $0.string($1.rawValue) }
        w.optional(reference) { $1.write(to: &$0) }
    }

    init(from r: inout SnapshotReader, budget: ExactDriftBudget?) throws(SnapshotError) {
        let name = try r.string()
        let role: ColumnRole
        switch try r.integer(UInt8.self) {
        case 0: role = .prediction
        case 1: role = .label
        case 2: role = .input
        case let tag: throw .invalid("column role \(tag)")
        }
        let type = try r.optional { (r) throws(SnapshotError) in try FeatureType(snapshot: try r.string()) }
        self.init(name: name, role: role, type: type,
                  reference: try r.optional { (r) throws(SnapshotError) in try ColumnReference.read(from: &r, budget: budget) })
    }
}

extension ColumnWindows: Snapshotted {
    func write(to w: inout SnapshotWriter) {
        w.value(windows)
        w.counts(totals)
        w.integer(totalsGeneration)
    }

    init(from r: inout SnapshotReader) throws(SnapshotError) {
        windows = try r.value()
        totals = try r.counts()
        totalsGeneration = try r.integer()
    }
}
