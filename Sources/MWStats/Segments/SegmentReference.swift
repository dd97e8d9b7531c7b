// SPDX-License-Identifier: Apache-2.0
// The reference rows of each value of a segment: what the value's window is compared with.

/// Where a value goes among a column reference's PSI bins: numeric, the PSI bins of
/// ``NumericReference`` (`searchsorted(psi_edges, v, side="right")`); categorical, each kept
/// category, then one bin for the rest. The bins of ``ColumnReference/binProportions``.
struct ReferenceBins: @unchecked Sendable {
    let count: Int
    /// Holds the reference alive while ``placer`` points into it.
    private let reference: ColumnReference
    private let placer: ColumnPlacer
    private let binOfCell: [Int]?

    init(_ reference: ColumnReference) {
        self.reference = reference
        placer = ColumnPlacer(type: reference.type, reference: reference)
        switch reference {
        case .numeric(let r):
            count = r.psiBinCount
            binOfCell = r.psiBinOfCell
        case .categorical(let r):
            count = r.categories.count + 1
            binOfCell = nil
        }
    }

    /// The bin of `value`; nil when missing or of the other type (a string in a numeric column).
    @inline(__always)
    func bin(_ value: FeatureValue) -> Int? {
        guard case .cell(let c, _, _) = placer.place(value) else { return nil }
        guard let binOfCell else { return c }
        return c < binOfCell.count ? binOfCell[c] : nil
    }
}

/// The reference rows of each value of one segment feature, counted in the reference's PSI bins
/// of every column it summarises: a segment value's window is compared with the rows of the
/// same value (as a drift report filtered to that value would be), not with the whole
/// reference, from which a segment differs by nature. Built with the reference, for the
/// segments configured then.
public struct SegmentReference: Sendable, Equatable {
    public let segment: String
    /// The values with the most reference rows (at most ``ModelOptions/trackedSegmentValues``;
    /// rows without the feature count as `__missing__`), most rows first.
    public let values: [String]
    public let rows: [Int]
    /// The position of each of ``values`` (derived: read once per value and window per scrape).
    private let index: [String: Int]
    /// Per column (a feature's name; the prediction's is ``predictionKey``): per value, its rows'
    /// counts in the column's bins.
    public let bins: [String: [[Double]]]
    /// The prediction's key in ``bins`` (no feature can have an empty name).
    public static let predictionKey = ""

    init(segment: String, values: [String], rows: [Int], bins: [String: [[Double]]]) {
        self.segment = segment
        self.values = values
        self.rows = rows
        self.bins = bins
        index = Dictionary(values.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The position of `value` in ``values``.
    func position(of value: String) -> Int? { index[value] }
}

extension ReferenceBuilder {
    /// The rows of each value of segment `segment` (a feature, or a tag: `tag:<name>`), binned
    /// against `reference` (built from these rows for a model of `task`); nil when no row has it.
    func segmentReference(_ segment: String, of reference: ModelReference, task: ModelTask?,
                          options: ModelOptions) -> SegmentReference? {
        let column: Column
        if segment.hasPrefix(ModelState.tagSegmentPrefix) {
            guard let tag = tagColumns[String(segment.dropFirst(ModelState.tagSegmentPrefix.count))] else { return nil }
            column = tag
        } else {
            guard let c = index[segment] else { return nil }
            column = columns[c]
        }
        // Each row's value (an index into `seen`), then the values with the most rows.
        var seen: [String] = [], seenIndex: [String: Int] = [:]
        var valueOfRow = [Int](repeating: -1, count: rows)
        func assign(_ value: String, row: Int32) {
            let k = seenIndex[value] ?? {
                seen.append(value)
                seenIndex[value] = seen.count - 1
                return seen.count - 1
            }()
            valueOfRow[Int(row)] = k
        }
        for (s, row) in zip(column.strings, column.stringRows) { assign(s, row: row) }
        for (x, row) in zip(column.numbers, column.numberRows) { assign(FeatureValue.categoryName(x), row: row) }
        if valueOfRow.contains(-1) {
            for r in valueOfRow.indices where valueOfRow[r] < 0 { assign("__missing__", row: Int32(r)) }
        }
        var rowsOf = [Int](repeating: 0, count: seen.count)
        for k in valueOfRow { rowsOf[k] += 1 }
        let kept = seen.indices.sorted { rowsOf[$0] > rowsOf[$1] || (rowsOf[$0] == rowsOf[$1] && $0 < $1) }
            .prefix(options.trackedSegmentValues)
        var position = [Int](repeating: -1, count: seen.count)
        for (p, k) in kept.enumerated() { position[k] = p }

        func binned(_ summary: ColumnReference, _ values: [(value: FeatureValue, row: Int32)]) -> [[Double]] {
            let bins = ReferenceBins(summary)
            var counts = [[Double]](repeating: [Double](repeating: 0, count: bins.count), count: kept.count)
            for (value, row) in values {
                let p = position[valueOfRow[Int(row)]]
                if p >= 0, let b = bins.bin(value) { counts[p][b] += 1 }
            }
            return counts
        }
        var bins: [String: [[Double]]] = [:]
        for (name, summary) in reference.features {
            guard let f = index[name] else { continue }
            let numbers = zip(columns[f].numbers, columns[f].numberRows).map { (FeatureValue.number($0), $1) }
            let strings = zip(columns[f].strings, columns[f].stringRows).map { (FeatureValue.category($0), $1) }
            bins[name] = binned(summary, numbers + strings)
        }
        if let prediction = reference.prediction {
            // The values the prediction's reference summarised (see ``build(task:options:strict:positiveClass:)``).
            switch prediction {
            case .numeric:
                let (values, rows) = task == .regression ? (predictionValues, predictionValueRows) : (scores, scoreRows)
                bins[SegmentReference.predictionKey] = binned(prediction, zip(values, rows).map { (.number($0), $1) })
            case .categorical:
                bins[SegmentReference.predictionKey] = binned(prediction, zip(predictionClasses, predictionClassRows).map { (.category($0), $1) })
            }
        }
        return SegmentReference(segment: segment, values: kept.map { seen[$0] }, rows: kept.map { rowsOf[$0] }, bins: bins)
    }
}

extension SegmentReference: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.string(segment)
        w.array(values) { $0.string($1) }
        w.array(rows) { $0.int($1) }
        w.array(bins.sorted { $0.key < $1.key }) { w, column in
            w.string(column.key)
            w.array(column.value) { $0.doubles($1) }
        }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        let segment = try r.string()
        let values = try r.array { (r) throws(SnapshotError) in try r.string() }
        let rows = try r.array { (r) throws(SnapshotError) in try r.int() }
        var bins: [String: [[Double]]] = [:]
        for _ in 0..<(try r.count(minimumBytes: 12)) {
            let name = try r.string()
            let counts = try r.array { (r) throws(SnapshotError) in try r.doubles() }
            guard counts.count == values.count else { throw .invalid("segment \(segment) reference of \(name): \(counts.count) values, \(values.count) expected") }
            bins[name] = counts
        }
        guard rows.count == values.count else { throw .invalid("segment \(segment) reference: \(rows.count) row counts, \(values.count) values") }
        self.init(segment: segment, values: values, rows: rows, bins: bins)
    }
}
