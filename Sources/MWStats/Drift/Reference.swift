// SPDX-License-Identifier: Apache-2.0
// A model's reference data, summarised: per feature, for the prediction and for the label.

/// The reference summary of one column.
public enum ColumnReference: Sendable {
    case numeric(NumericReference)
    case categorical(CategoricalReference)

    public var type: FeatureType {
        switch self {
        case .numeric: .numeric
        case .categorical: .categorical
        }
    }

    /// Cells a window's sketch keeps against this reference (categorical: the categories, then
    /// one slot for values the reference did not keep).
    public var cellCount: Int {
        switch self {
        case .numeric(let r): r.cellCount
        case .categorical(let r): r.categories.count + 1
        }
    }

    /// The reference's proportion per counted bin: the 10 PSI bins (numeric), or each kept
    /// category then `__other__` (categorical); the `p` of ``DriftStatistics/psi(reference:current:)``.
    public var binProportions: [Double] {
        switch self {
        case .numeric(let r): DriftStatistics.proportions(DriftStatistics.psiBins(r.cellCounts, r))
        case .categorical(let r): DriftStatistics.proportions(r.counts + [r.otherCount])
        }
    }

    /// Values summarised.
    public var count: Int {
        switch self {
        case .numeric(let r): r.count
        case .categorical(let r): r.count
        }
    }
}

/// A model's reference: what drift is measured against. Built once per upload (or from the
/// first N events) and replaced whole; `generation` tells window sketches which one they count.
public struct ModelReference: Sendable {
    public let rows: Int
    public let features: [String: ColumnReference]
    /// The prediction column: the score of a binary model with scores, the value of a
    /// regression model, else the predicted class.
    public let prediction: ColumnReference?
    public let label: ColumnReference?
    /// Scores calibrated against the reference's labels, for estimated performance (nil
    /// without rows that carry both a score or scores and a label, and for regression).
    public var calibration: ScoreCalibration? = nil
    /// The reference rows of each value of each segment, binned (segment drift).
    public var segments: [SegmentReference] = []
}

/// Why a reference upload was refused as a whole.
public enum ReferenceError: Error, Sendable, Equatable {
    /// No rows at all.
    case empty
    /// A feature declared numeric has a string value in the reference (the first one given).
    case notNumeric(feature: String, value: String)

    /// The request field at fault.
    public var field: String {
        switch self {
        case .empty: "body"
        case .notNumeric(let feature, _): "features.\(feature)"
        }
    }

    /// What went wrong, for the user.
    public var message: String {
        switch self {
        case .empty: "the reference has no rows"
        case let .notNumeric(feature, value): "feature \(feature) is declared numeric but the reference has a string value (\(value))"
        }
    }
}

/// Collects reference rows (events shaped like predictions) column by column, then summarises them.
///
/// Types: a feature's declared type, else numeric when every present value is a number, else
/// categorical (numbers then count as their text, `3` → `"3"`). Values of the wrong type for a
/// declared numeric feature fail a strict build and are skipped by a lenient one.
public struct ReferenceBuilder: Sendable {
    struct Column: Sendable {
        var numbers: [Double] = []
        var strings: [String] = []
        /// The row of each number and of each string (for the values of one segment).
        var numberRows: [Int32] = []
        var stringRows: [Int32] = []
        var isEmpty: Bool { numbers.isEmpty && strings.isEmpty }
    }

    public private(set) var rows = 0
    /// Columns in order of first appearance, and their names.
    private(set) var columns: [Column] = []
    private(set) var names: [String] = []
    private(set) var index: [String: Int] = [:]
    private var columnMap = FeatureColumnMap()
    private(set) var scores: [Double] = []
    private(set) var predictionValues: [Double] = []
    private(set) var predictionClasses: [String] = []
    private var labelValues: [Double] = []
    private var labelClasses: [String] = []
    /// The task the first row with a prediction implies (`.some(nil)`: it implies none).
    private var firstPredictionTask: ModelTask??
    /// Rows with a label and a `score` (binary) or `scores` (multiclass): the calibration of
    /// estimated performance is fitted on them.
    private var scoredBinary: [(score: Double, label: String)] = []
    private var scoredMulticlass: [(scores: [ClassScore], label: String)] = []
    /// The row of each score, prediction value and predicted class.
    private(set) var scoreRows: [Int32] = []
    private(set) var predictionValueRows: [Int32] = []
    private(set) var predictionClassRows: [Int32] = []
    /// The rows' tags by name (strings and their rows), for the segments that split by a tag.
    private(set) var tagColumns: [String: Column] = [:]

    public init() {}

    /// Adds one row; `id` and `timestamp` are ignored.
    public mutating func add(_ event: PredictionEvent) {
        rows += 1
        let columnOf = columnMap.columns(of: event.features.names) { name in
            if let known = index[name] { return known }
            columns.append(Column())
            names.append(name)
            index[name] = columns.count - 1
            return columns.count - 1
        }
        let features = event.features
        let row = Int32(truncatingIfNeeded: rows - 1)
        for (value, c) in zip(features.packed, columnOf) {
            if let x = value.number {
                columns[Int(c)].numbers.append(x)
                columns[Int(c)].numberRows.append(row)
            } else if let k = value.categoryIndex {
                columns[Int(c)].strings.append(features.categories.strings[k])
                columns[Int(c)].stringRows.append(row)
            }
        }
        if let p = event.prediction {
            if firstPredictionTask == nil { firstPredictionTask = .some(ModelTask.infer(from: event)) }
            if case .number(let x) = p {
                predictionValues.append(x)
                predictionValueRows.append(row)
            }
            if let name = p.className {
                predictionClasses.append(name)
                predictionClassRows.append(row)
            }
        }
        if let s = event.score {
            scores.append(s)
            scoreRows.append(row)
        }
        for tag in event.tags {
            tagColumns[tag.name, default: Column()].strings.append(tag.value)
            tagColumns[tag.name]!.stringRows.append(row)
        }
        if let l = event.label {
            if case .number(let y) = l { labelValues.append(y) }
            if let name = l.className {
                labelClasses.append(name)
                if let s = event.score { scoredBinary.append((s, name)) }
                if let s = event.scores { scoredMulticlass.append((s, name)) }
            }
        }
    }

    /// The calibration of a binary model's scores of `positive` against the labels, or of a
    /// multiclass model's scores class by class (classes in order of first appearance among
    /// the labels and the scores).
    func calibration(task: ModelTask?, positive: String?) -> ScoreCalibration? {
        switch task {
        case .binary where !scoredBinary.isEmpty:
            let positive = positive ?? (labelClasses.contains("true") || labelClasses.contains("false") ? "true" : "1")
            let calibrator = ScoreCalibration.fitClass(scores: scoredBinary.map(\.score),
                                                       outcomes: scoredBinary.map { $0.label == positive ? 1 : 0 })
            let negative = labelClasses.first { $0 != positive } ?? (positive == "true" ? "false" : "0")
            return ScoreCalibration(classNames: [positive, negative], calibrators: [calibrator, nil], binary: true, rows: scoredBinary.count)
        case .multiclass where !scoredMulticlass.isEmpty:
            var names: [String] = [], seen: Set<String> = []
            for row in scoredMulticlass {
                for name in [row.label] + row.scores.map(\.className) where seen.insert(name).inserted { names.append(name) }
            }
            let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            var scores = [[Double]](repeating: [Double](repeating: 0, count: scoredMulticlass.count), count: names.count)
            for (i, row) in scoredMulticlass.enumerated() {
                for s in row.scores { scores[index[s.className]!][i] = s.probability }
            }
            let calibrators = names.indices.map { k in
                ScoreCalibration.fitClass(scores: scores[k], outcomes: scoredMulticlass.map { $0.label == names[k] ? 1 : 0 })
            }
            return ScoreCalibration(classNames: names, calibrators: calibrators, binary: false, rows: scoredMulticlass.count)
        default:
            return nil
        }
    }

    /// Summarises the rows for a model of `task` (nil: inferred from the first row with a
    /// prediction, as ``ModelState`` infers it) with `options` (declared features, limits);
    /// `positiveClass` is the model's (binary), for the calibration of its scores.
    public func build(task: ModelTask?, options: ModelOptions, strict: Bool,
                      positiveClass: String? = nil) throws(ReferenceError) -> ModelReference {
        guard rows > 0 else { throw .empty }
        let maxCategories = options.maxCategories
        func numeric(_ values: [Double]) -> NumericReference {
            NumericReference(values: values, budget: options.exactDriftBudget, slices: options.slicesPerFeature)
        }
        var summaries: [String: ColumnReference] = [:]
        let present = zip(names, columns).filter { !$0.1.numbers.isEmpty || !$0.1.strings.isEmpty }  // not only nulls
        for (name, column) in present.prefix(options.maxFeatures) {
            let settings = options.features[name]
            let type = settings?.type ?? (column.strings.isEmpty ? .numeric : .categorical)
            switch type {
            case .numeric:
                if strict && !column.strings.isEmpty {
                    throw .notNumeric(feature: name, value: String(column.strings[0].prefix(40)))
                }
                if column.numbers.isEmpty { continue }
                summaries[name] = .numeric(NumericReference(values: column.numbers, psiEdges: settings?.bins,
                                                            budget: options.exactDriftBudget, slices: options.slicesPerFeature))
            case .categorical:
                summaries[name] = .categorical(CategoricalReference(
                    values: column.strings + column.numbers.map(FeatureValue.categoryName), limit: maxCategories))
            }
        }
        let task = task ?? firstPredictionTask.flatMap { $0 }
        var prediction: ColumnReference?
        var label: ColumnReference?
        switch task {
        case .regression:
            if !predictionValues.isEmpty { prediction = .numeric(numeric(predictionValues)) }
            if !labelValues.isEmpty { label = .numeric(numeric(labelValues)) }
        case .binary where !scores.isEmpty:
            prediction = .numeric(numeric(scores))
        default:
            break
        }
        if task != .regression {
            if prediction == nil, !predictionClasses.isEmpty {
                prediction = .categorical(CategoricalReference(values: predictionClasses, limit: maxCategories))
            }
            if !labelClasses.isEmpty { label = .categorical(CategoricalReference(values: labelClasses, limit: maxCategories)) }
        }
        var reference = ModelReference(rows: rows, features: summaries, prediction: prediction, label: label,
                                       calibration: calibration(task: task, positive: positiveClass ?? options.positiveClass))
        reference.segments = options.segments.compactMap { segmentReference($0, of: reference, task: task, options: options) }
        return reference
    }
}

extension FeatureValue {
    /// The category a number counts as in a categorical column: whole numbers without a
    /// fraction (`3`), others in Swift's shortest form (`2.5`).
    public static func categoryName(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}

extension ModelTask {
    /// The task a model gets from its first prediction when none is configured: `scores` →
    /// multiclass; `score` → binary; a boolean prediction → binary; a string prediction →
    /// multiclass; the number 0 or 1 → binary; any other number → regression.
    public static func infer(from event: PredictionEvent) -> ModelTask? {
        if event.scores != nil { return .multiclass }
        if event.score != nil { return .binary }
        switch event.prediction {
        case .bool: return .binary
        case .string: return .multiclass
        case .number(let x): return x == 0 || x == 1 ? .binary : .regression
        case nil: return nil
        }
    }
}

extension ReferenceBuilder: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.int(rows)
        w.array(names) { $0.string($1) }
        w.array(columns) { w, column in
            w.doubles(column.numbers)
            w.array(column.strings) { $0.string($1) }
        }
        w.doubles(scores)
        w.doubles(predictionValues)
        w.array(predictionClasses) { $0.string($1) }
        w.doubles(labelValues)
        w.array(labelClasses) { $0.string($1) }
        w.bool(firstPredictionTask != nil)
        if let task = firstPredictionTask { w.optional(task) { $0.string($1.rawValue) } }
        w.array(scoredBinary) { w, row in
            w.double(row.score)
            w.string(row.label)
        }
        w.array(scoredMulticlass) { w, row in
            w.array(row.scores) { w, s in
                w.string(s.className)
                w.double(s.probability)
            }
            w.string(row.label)
        }
        // layout 3: the rows of the values
        let writeRows = { (w: inout SnapshotWriter, rows: [Int32]) in w.array(rows) { $0.integer($1) } }
        w.array(columns) { w, column in
            writeRows(&w, column.numberRows)
            writeRows(&w, column.stringRows)
        }
        for r in [scoreRows, predictionValueRows, predictionClassRows] { writeRows(&w, r) }
        w.array(tagColumns.sorted { $0.key < $1.key }) { w, tag in
            w.string(tag.key)
            w.array(tag.value.strings) { $0.string($1) }
            writeRows(&w, tag.value.stringRows)
        }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        rows = try r.int()
        names = try r.array { (r) throws(SnapshotError) in try r.string() }
        columns = try r.array { (r) throws(SnapshotError) in
            Column(numbers: try r.doubles(), strings: try r.array { (r) throws(SnapshotError) in try r.string() })
        }
        guard names.count == columns.count else { throw .invalid("reference rows with \(names.count) names, \(columns.count) columns") }
        for (i, name) in names.enumerated() { index[name] = i }
        scores = try r.doubles()
        predictionValues = try r.doubles()
        predictionClasses = try r.array { (r) throws(SnapshotError) in try r.string() }
        labelValues = try r.doubles()
        labelClasses = try r.array { (r) throws(SnapshotError) in try r.string() }
        if try r.bool() {
            firstPredictionTask = .some(try r.optional { (r) throws(SnapshotError) in try ModelTask(snapshot: try r.string()) })
        }
        guard r.layout >= 2 else { return }
        scoredBinary = try r.array { (r) throws(SnapshotError) in (try r.double(), try r.string()) }
        scoredMulticlass = try r.array { (r) throws(SnapshotError) in
            (try r.array { (r) throws(SnapshotError) in ClassScore(className: try r.string(), probability: try r.double()) }, try r.string())
        }
        guard r.layout >= 3 else { return }  // earlier: no rows, so no segment references from these
        let rowCount = rows
        let readRows = { (r: inout SnapshotReader) throws(SnapshotError) -> [Int32] in
            let read = try r.array { (r) throws(SnapshotError) in try r.integer(Int32.self) }
            guard read.allSatisfy({ $0 >= 0 && Int($0) < rowCount }) else { throw .invalid("reference value rows beyond its \(rowCount) rows") }
            return read
        }
        let columnRows = try r.array { (r) throws(SnapshotError) in (try readRows(&r), try readRows(&r)) }
        guard columnRows.count == columns.count else { throw .invalid("reference rows of \(columnRows.count) columns, \(columns.count) columns") }
        for (c, (numbers, strings)) in columnRows.enumerated() {
            guard numbers.count == columns[c].numbers.count, strings.count == columns[c].strings.count else {
                throw .invalid("reference column \(names[c]): rows do not match its values")
            }
            columns[c].numberRows = numbers
            columns[c].stringRows = strings
        }
        scoreRows = try readRows(&r)
        predictionValueRows = try readRows(&r)
        predictionClassRows = try readRows(&r)
        guard scoreRows.count == scores.count, predictionValueRows.count == predictionValues.count,
              predictionClassRows.count == predictionClasses.count else { throw .invalid("reference prediction rows do not match") }
        for _ in 0..<(try r.count(minimumBytes: 12)) {
            let name = try r.string()
            let strings = try r.array { (r) throws(SnapshotError) in try r.string() }
            let rows = try readRows(&r)
            guard rows.count == strings.count else { throw .invalid("reference tag \(name): \(rows.count) rows, \(strings.count) values") }
            tagColumns[name] = Column(strings: strings, stringRows: rows)
        }
    }
}

extension ModelTask {
    init(snapshot name: String) throws(SnapshotError) {
        guard let task = ModelTask(rawValue: name) else { throw .invalid("task \(name)") }
        self = task
    }
}

extension FeatureType {
    init(snapshot name: String) throws(SnapshotError) {
        guard let type = FeatureType(rawValue: name) else { throw .invalid("feature type \(name)") }
        self = type
    }
}
