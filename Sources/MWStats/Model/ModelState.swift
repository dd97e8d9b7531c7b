// SPDX-License-Identifier: Apache-2.0
// One model: its classes, versions, windows and the label join. Plain data, no I/O, no locks.

/// A prediction in the join table: waiting for its label, or labelled and kept until the
/// label TTL so that a second label (or a retried prediction) is recognised as a duplicate.
struct PendingPrediction: Sendable {
    /// The prediction's own timestamp (label delay is measured from it).
    var eventTime: Double
    /// Binary: the score (NaN without one); regression: the predicted value.
    var value: Double
    /// Multiclass probabilities by class index.
    var scores: [Double]?
    var predicted: Int32
    var version: UInt16
    var labelled: Bool
}

/// A label that arrived before its prediction, held for the grace period.
struct OrphanLabel: Sendable {
    var label: TargetValue
    var eventTime: Double
    var version: String?
}

/// The statistics of one model. The caller serialises access (the daemon keeps each model
/// behind a lock) and passes the clock in as `now` (unix seconds).
///
/// Task inference, when the settings name no task, from the first accepted prediction:
/// `scores` → multiclass; `score` → binary; a boolean prediction → binary; a string
/// prediction → multiclass; the number 0 or 1 → binary; any other number → regression.
public struct ModelState: Sendable {
    public let name: String
    public private(set) var options: ModelOptions
    // Internal setters: the snapshot form (ModelState+Snapshot.swift) writes them back.
    public internal(set) var task: ModelTask?
    public internal(set) var classes: ClassTable
    var versions: [VersionState] = []
    var versionStates: [VersionState] { versions }

    /// Window `w` of version `v` merged at `now`, through the window's cache of older slices.
    mutating func mergeWindow(version v: Int, window w: Int, now: Double) -> PerformanceSlice {
        versions[v].windows[w].mergedCaching(at: now)
    }
    /// Window `w` of column `c` of version `v` merged at `now` (an empty sketch when the
    /// version has never seen the column).
    mutating func mergeColumn(version v: Int, column c: Int, window w: Int, now: Double) -> FeatureSketch {
        guard c < versions[v].columns.count else { return FeatureSketch() }
        return versions[v].columns[c].mergedCaching(window: w, at: now, cellCount: columns[c].cellCount,
                                                    generation: referenceGeneration)
    }
    var versionIndex: [String: Int] = [:]
    /// Tracked columns: 0 the prediction, 1 the label, then input features in arrival order.
    var columns = [TrackedColumn(name: "prediction", role: .prediction, type: nil),
                                TrackedColumn(name: "label", role: .label, type: nil)]
    var columnIndex: [String: Int] = [:]
    /// The time unit the column windows share (see ``CascadingWindows``).
    private var columnUnit: Double?
    private var columnMap = FeatureColumnMap()
    private var categoryCells = CategoryCells()
    /// Rows of the reference in force (0 without one).
    public internal(set) var referenceRows = 0
    /// Bumped by every reference installed; −1 before the first.
    public internal(set) var referenceGeneration: Int32 = -1
    /// Rows gathered for a `reference: {source: first}` model until it has its reference.
    var referenceCollector: ReferenceBuilder?
    /// Values of features beyond `maxFeatures` distinct names, counted but not tracked.
    public internal(set) var untrackedFeatureValues: UInt64 = 0
    var joinTable = FingerprintQueue<PendingPrediction>()
    var orphans = FingerprintQueue<OrphanLabel>()
    /// Events refused, by reason (`modelwatch_events_rejected_total`).
    public internal(set) var rejected: [String: UInt64] = [:]
    let key: FingerprintKey

    public init(name: String, options: ModelOptions, key: FingerprintKey) {
        self.name = name
        self.options = options
        self.task = options.task
        self.classes = ClassTable(declared: options.classes)
        self.key = key
        columnUnit = CascadingWindows<FeatureSketch>.commonUnit(lengths: options.windows.map(\.seconds),
                                                                 sliceCount: options.slicesPerWindow)
        declareFeatures()
    }

    /// Whether any event has been accepted.
    public var hasData: Bool { !versions.isEmpty }

    /// Predictions waiting for a label, over all versions.
    public var pendingLabels: Int { versions.reduce(0) { $0 + $1.pending } }

    /// Replaces the settings. The task and positive class cannot change once data exists.
    public mutating func update(options newOptions: ModelOptions) throws(EventRejection) {
        if hasData, let newTask = newOptions.task, let task, newTask != task {
            throw EventRejection(field: "task", reason: "task_change",
                                 message: "model \(name) already holds \(task.rawValue) data; DELETE it before changing its task to \(newTask.rawValue)")
        }
        if hasData, newOptions.positiveClass != options.positiveClass {
            throw EventRejection(field: "positive_class", reason: "positive_class_change",
                                 message: "model \(name) already holds data scored against positive class \(positiveClassName); DELETE it first")
        }
        if let declared = newOptions.classes {
            for existing in classes.names where !declared.contains(existing) {
                throw EventRejection(field: "classes", reason: "class_removed",
                                     message: "class \(existing) has data and must stay in classes")
            }
        }
        options = newOptions
        columnMap.reset()  // the feature cap may have changed
        if task == nil { task = newOptions.task }
        for name in newOptions.classes ?? [] { classes.intern(name) }
        declareFeatures()
    }

    /// Gives declared features their columns and types; a column whose type changes starts
    /// over, and drops a reference of the other type.
    private mutating func declareFeatures() {
        for (name, settings) in options.features.sorted(by: { $0.key < $1.key }) {
            guard let c = column(named: name) else { continue }
            retype(c, to: settings.type)
            if let r = columns[c].reference, r.type != settings.type { columns[c].reference = nil }
        }
    }

    /// Counts events refused before they reached the model (decoding errors).
    public mutating func countRejected(reason: String, count: UInt64 = 1) {
        rejected[reason, default: 0] += count
    }

    // MARK: - Ingestion

    /// Ingests decoded predictions. Each is validated against the model before anything is
    /// changed, so a rejected event leaves no trace but its rejection count.
    public mutating func ingest(predictions: [(index: Int, event: PredictionEvent)], now: Double) -> IngestResult {
        expire(now: now)
        var result = IngestResult()
        var features = FeatureBatch()
        for (index, event) in predictions {
            do {
                if try ingest(prediction: event, now: now, features: &features) { result.accepted += 1 } else { result.duplicates += 1 }
            } catch {
                rejected[error.reason, default: 0] += 1
                result.errors.append((index, error))
            }
        }
        record(&features, now: now)
        return result
    }

    /// Ingests decoded labels.
    public mutating func ingest(labels: [(index: Int, event: LabelEvent)], now: Double) -> IngestResult {
        expire(now: now)
        var result = IngestResult()
        for (index, event) in labels {
            do {
                if try ingest(label: event, now: now) { result.accepted += 1 } else { result.duplicates += 1 }
            } catch {
                rejected[error.reason, default: 0] += 1
                result.errors.append((index, error))
            }
        }
        return result
    }

    /// Drops predictions past their TTL (counted `expired`) and orphan labels past the grace
    /// period (counted `unmatched`).
    public mutating func expire(now: Double) {
        while let oldest = joinTable.oldest, oldest.arrival + options.labelTTL <= now {
            joinTable.popOldest()
            if !oldest.payload.labelled { countExpired(oldest.payload) }
        }
        while let oldest = orphans.oldest, oldest.arrival + options.labelGrace <= now {
            orphans.popOldest()
            let v = versionForLabel(oldest.payload.version)
            versions[v].labels.unmatched += 1
        }
    }

    /// Returns true when accepted, false for a duplicate.
    /// The features of an accepted event go into `features`, recorded with the batch's others.
    private mutating func ingest(prediction event: PredictionEvent, now: Double, features: inout FeatureBatch) throws(EventRejection) -> Bool {
        let resolved = try resolve(event)
        let fingerprint = event.id.map { key.fingerprint($0) }
        let v = try versionIndex(for: event.version ?? "default")
        if let fingerprint, joinTable.find(fingerprint) != nil {
            versions[v].duplicatePredictions += 1
            return false
        }
        // Validated: from here on nothing throws.
        if task == nil { task = resolved.task }
        resolved.internClasses(into: &classes)
        let inlineLabel = event.label.flatMap { try? resolveLabel($0) }
        let predicted = resolved.predictedIndex(classes)
        let scores = resolved.scoreVector(classes)
        let eventTime = event.timestamp ?? now

        versions[v].predictions += 1
        versions[v].lastEvent = now
        for w in versions[v].windows.indices { versions[v].windows[w].update(at: now) { $0.predictions += 1 } }
        if let latency = event.latencyMs { versions[v].latency.observe(latency / 1000) }
        record(resolved.driftValue(columnType: columns[0].type), column: 0, version: v,
               unit: CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit), now: now)
        features.append(version: v, event.features)
        if case .first(let rows) = options.reference, referenceGeneration < 0 {
            record(&features, now: now)  // placed before the reference they help build is installed
            collectReference(event, rows: rows)
        }

        var pending = PendingPrediction(eventTime: eventTime, value: resolved.value, scores: scores,
                                        predicted: Int32(predicted), version: UInt16(v), labelled: false)
        if let actual = inlineLabel {
            // Known at prediction time: an outcome at once, a matched label with no delay.
            pending.labelled = true
            recordOutcome(pending, actual: actual, labelTime: eventTime, predictionArrival: now, now: now)
        } else if let fingerprint, let orphan = orphans.remove(fingerprint) {
            if let actual = try? resolveLabel(orphan.payload.label) {
                pending.labelled = true
                recordOutcome(pending, actual: actual, labelTime: orphan.payload.eventTime, predictionArrival: now, now: now)
            } else {
                rejected["invalid_label", default: 0] += 1
            }
        }
        if let fingerprint {
            if !pending.labelled { versions[v].pending += 1 }
            joinTable.insert(fingerprint, arrival: now, payload: pending)
            while joinTable.count > options.maxPending, let oldest = joinTable.popOldest() {
                if !oldest.payload.labelled { countExpired(oldest.payload) }
            }
        }
        return true
    }

    /// Returns true when accepted (matched, or held for its prediction), false for a duplicate.
    private mutating func ingest(label event: LabelEvent, now: Double) throws(EventRejection) -> Bool {
        let fingerprint = key.fingerprint(event.id)
        if let entry = joinTable.find(fingerprint) {
            let v = Int(entry.payload.version)
            if entry.payload.labelled {
                versions[v].labels.duplicate += 1
                return false
            }
            let actual = try resolveLabel(event.label)
            joinTable.update(fingerprint) { $0.labelled = true }
            versions[v].pending -= 1
            versions[v].lastEvent = now
            recordOutcome(entry.payload, actual: actual, labelTime: event.timestamp ?? now,
                          predictionArrival: entry.arrival, now: now)
            return true
        }
        if orphans.find(fingerprint) != nil {
            let v = versionForLabel(event.version)
            versions[v].labels.duplicate += 1
            return false
        }
        if task != nil { _ = try resolveLabel(event.label) }  // validate now when we can
        orphans.insert(fingerprint, arrival: now,
                       payload: OrphanLabel(label: event.label, eventTime: event.timestamp ?? now, version: event.version))
        while orphans.count > options.maxPending, let oldest = orphans.popOldest() {
            versions[versionForLabel(oldest.payload.version)].labels.unmatched += 1
        }
        return true
    }

    /// Enters an outcome into the counters and every window.
    private mutating func recordOutcome(_ prediction: PendingPrediction, actual: ResolvedLabel, labelTime: Double,
                                        predictionArrival: Double, now: Double) {
        let v = Int(prediction.version)
        versions[v].labels.matched += 1
        versions[v].labelDelay.observe(max(0, labelTime - prediction.eventTime))
        let positive = positiveIndex
        let binary = task == .binary
        for w in versions[v].windows.indices {
            versions[v].windows[w].update(at: predictionArrival) { $0.labelled += 1 }
            versions[v].windows[w].update(at: now) { slice in
                switch actual {
                case .value(let y):
                    slice.regression.record(actual: y, predicted: prediction.value)
                case .classIndex(let a):
                    let p = Int(prediction.predicted)
                    if binary, !prediction.value.isNaN {
                        slice.classification.recordBinary(actual: a, predicted: p, positive: a == positive,
                                                          score: prediction.value)
                    } else if let scores = prediction.scores {
                        slice.classification.recordMulticlass(actual: a, predicted: p, scores: scores)
                    } else {
                        slice.classification.record(actual: a, predicted: p)
                    }
                }
            }
        }
        let error: Double
        let labelValue: FeatureValue
        switch actual {
        case .value(let y):
            versions[v].regressionOutcomes += 1
            error = abs(y - prediction.value)
            labelValue = .number(y)
        case .classIndex(let a):
            versions[v].outcomes.add(actual: a, predicted: Int(prediction.predicted))
            error = a == Int(prediction.predicted) ? 0 : 1
            labelValue = .category(classes.names[a])
        }
        if versions[v].detectors == nil { versions[v].detectors = ConceptDetectors(binaryErrors: task != .regression) }
        versions[v].detectors!.update(error: error)
        record(labelValue, column: 1, version: v, unit: CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit), now: now)
    }

    // MARK: - Features, prediction and label columns

    /// Records the features of a batch's accepted events, column by column over blocks of
    /// events that share their version and name list: the column's reference lookup and
    /// pending sketch stay in cache while its values are placed, instead of every column's
    /// being touched once per event.
    private mutating func record(_ batch: inout FeatureBatch, now: Double) {
        guard !batch.rows.isEmpty else { return }
        let unit = CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit)
        var start = 0
        while start < batch.rows.count {
            let first = batch.rows[start]
            var end = start + 1
            while end < batch.rows.count, end - start < FeatureBatch.block, batch.rows[end].version == first.version,
                  batch.rows[end].features.names === first.features.names {
                end += 1
            }
            recordBlock(batch.rows[start..<end], version: Int(first.version), names: first.features.names, unit: unit, now: now)
            start = end
        }
        batch.rows.removeAll(keepingCapacity: true)
    }

    /// Records `rows` (one version, one name list) column by column.
    private mutating func recordBlock(_ rows: ArraySlice<FeatureBatch.Row>, version v: Int, names: FeatureNames,
                                      unit: Int64, now: Double) {
        var map = columnMap  // moved out for the call: its lookup adds columns to self
        columnMap = FeatureColumnMap()
        let columnOf = map.columns(of: names) { column(named: $0) }
        columnMap = map
        // The version's column windows, moved out so that the loop updates them in place.
        var windows: [ColumnWindows] = []
        swap(&windows, &versions[v].columns)
        defer { swap(&windows, &versions[v].columns) }
        if windows.count < columns.count {
            windows.reserveCapacity(columns.count)
            while windows.count < columns.count { windows.append(ColumnWindows(options: options)) }
        }
        let generation = referenceGeneration
        var untracked: UInt64 = 0
        // Per block, one column's numbers or category cells, gathered before they are placed.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: rows.count) { gathered in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: rows.count) { cells in
                rows.withUnsafeBufferPointer { rows in  // rows borrowed in place: no retain per value
                    for position in columnOf.indices {
                        let c = Int(columnOf[position])
                        if c < 0 {
                            for i in rows.indices where !rows[i].features.packed[position].isMissing { untracked += 1 }
                            continue
                        }
                        if columns[c].type == nil,
                           let i = rows.indices.first(where: { !rows[$0].features.packed[position].isMissing }) {
                            inferType(column: c, from: rows[i].features.value(at: position))
                        }
                        let placer = columns[c].placer
                        let cellCount = placer.cellCount
                        if let lookup = placer.numericCells {
                            // The common case, specialised: numbers placed against a numeric reference
                            // (a category in a numeric column counts as missing).
                            // Gathered first (a category or missing value is not finite), then placed
                            // in one loop.
                            for i in rows.indices { gathered[i] = Double(bitPattern: rows[i].features.packedValue(unchecked: position).bits) }
                            windows[c].record(numbers: UnsafeBufferPointer(gathered), lookup: lookup,
                                              cellCount: cellCount, generation: generation, unit: unit, now: now)
                            continue
                        }
                        var numbers = 0  // numbers in a column of categories: the rare case, one by one below
                        if placer.placesCategories {
                            // Each category's cell gathered first (−1: not a category), then counted.
                            // The cache is checked against this reference and the column count
                            // once per block, and against each row's strings by identity.
                            categoryCells.use(rows[0].features.categories, generation: generation, columns: columns.count)
                            for i in rows.indices {
                                let value = rows[i].features.packedValue(unchecked: position)
                                guard let k = value.categoryIndex else {
                                    if value.number != nil { numbers &+= 1 }
                                    cells[i] = -1
                                    continue
                                }
                                if rows[i].features.categories !== categoryCells.table {
                                    categoryCells.use(rows[i].features.categories, generation: generation, columns: columns.count)
                                }
                                cells[i] = Int32(truncatingIfNeeded: categoryCells.cell(column: c, index: k) { placer.categoryCell(of: $0)! })
                            }
                            windows[c].record(cells: UnsafeBufferPointer(cells), cellCount: cellCount, generation: generation, unit: unit, now: now)
                            if numbers == 0 { continue }
                        }
                        for i in rows.indices {
                            let value = rows[i].features.packed[position]
                            let placement: Placement
                            if let x = value.number {
                                placement = placer.place(number: x)
                            } else if value.categoryIndex != nil {
                                if placer.placesCategories { continue }  // recorded above
                                placement = placer.placeUncelledCategory()
                            } else {
                                continue  // missing
                            }
                            windows[c].record(placement, cellCount: cellCount, generation: generation, unit: unit, now: now)
                        }
                    }
                }
            }
        }
        untrackedFeatureValues &+= untracked
    }

    /// Types an untyped column from its first value.
    private mutating func inferType(column c: Int, from value: FeatureValue) {
        switch value {
        case .number: columns[c].type = .numeric
        case .category: columns[c].type = .categorical
        case .missing: break
        }
    }

    /// Records the value of the prediction or label column, or of one feature.
    private mutating func record(_ value: FeatureValue, column c: Int, version v: Int, unit: Int64, now: Double) {
        if columns[c].type == nil { inferType(column: c, from: value) }
        let placer = columns[c].placer
        let placement = placer.place(value)
        if case .none = placement { return }
        while versions[v].columns.count <= c { versions[v].columns.append(ColumnWindows(options: options)) }
        versions[v].columns[c].record(placement, cellCount: placer.cellCount, generation: referenceGeneration,
                                      unit: unit, now: now)
    }

    /// The column of input feature `name`, created on first sight; nil beyond `maxFeatures`.
    private mutating func column(named name: String) -> Int? {
        if let c = columnIndex[name] { return c }
        guard columns.count - 2 < options.maxFeatures else { return nil }
        columns.append(TrackedColumn(name: name, role: .input, type: options.features[name]?.type))
        columnIndex[name] = columns.count - 1
        return columns.count - 1
    }

    /// Sets a column's type; windows that counted values as the other type start over.
    private mutating func retype(_ c: Int, to type: FeatureType) {
        guard columns[c].type != type else { return }
        let counted = columns[c].type != nil
        columns[c].type = type
        guard counted else { return }
        for v in versions.indices where c < versions[v].columns.count {
            versions[v].columns[c] = ColumnWindows(options: options)
        }
    }

    // MARK: - Reference

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
    }

    private mutating func set(_ summary: ColumnReference?, column c: Int) {
        guard let summary else { return }
        retype(c, to: summary.type)
        columns[c].reference = summary
    }

    /// `reference: {source: first, events: N}`: the first N accepted predictions.
    private mutating func collectReference(_ event: PredictionEvent, rows: Int) {
        if referenceCollector == nil { referenceCollector = ReferenceBuilder() }
        referenceCollector!.add(event)  // in place: no copy of the rows gathered so far
        if referenceCollector!.rows >= rows, let reference = try? referenceCollector!.build(task: task, options: options, strict: false) {
            install(reference: reference)
        }
    }

    /// Whether the model has a reference, and whether it is still gathering one.
    public var referenceStatus: (installed: Bool, collected: Int) {
        (referenceGeneration >= 0, referenceCollector?.rows ?? 0)
    }

    private mutating func countExpired(_ prediction: PendingPrediction) {
        let v = Int(prediction.version)
        versions[v].labels.expired += 1
        versions[v].pending -= 1
    }

    // MARK: - Versions and classes

    private mutating func versionIndex(for name: String) throws(EventRejection) -> Int {
        if let v = versionIndex[name] { return v }
        guard versions.count < options.maxVersions else {
            throw EventRejection(field: "version", reason: "too_many_versions",
                                 message: "model \(self.name) already tracks \(options.maxVersions) versions (limits.max_versions); DELETE the model to start over")
        }
        return addVersion(name)
    }

    private mutating func addVersion(_ name: String) -> Int {
        versions.append(VersionState(name: name, options: options))
        versionIndex[name] = versions.count - 1
        return versions.count - 1
    }

    /// The version an unjoined label is counted under: its own when known, else `default`.
    private mutating func versionForLabel(_ name: String?) -> Int {
        if let name, let v = versionIndex[name] { return v }
        return versionIndex["default"] ?? addVersion("default")
    }

    /// The positive class of a binary model: the setting, else `"true"` when the classes are
    /// booleans, else `"1"`.
    public var positiveClassName: String {
        if let p = options.positiveClass { return p }
        return classes.index(of: "true") != nil || classes.index(of: "false") != nil ? "true" : "1"
    }

    private var positiveIndex: Int { classes.index(of: positiveClassName) ?? -1 }

    // MARK: - Validation

    /// A label value resolved against the task.
    enum ResolvedLabel {
        case classIndex(Int)
        case value(Double)
    }

    private mutating func resolveLabel(_ label: TargetValue) throws(EventRejection) -> ResolvedLabel {
        switch task {
        case .regression:
            guard case .number(let y) = label else {
                throw EventRejection(field: "label", reason: "task_mismatch",
                                     message: "model \(name) is a regression model: label must be a number")
            }
            return .value(y)
        case .binary, .multiclass, nil:
            guard let className = ClassTable.className(of: label) else {
                throw EventRejection(field: "label", reason: "task_mismatch",
                                     message: "model \(name) is a classification model: label must be a class (string, boolean or whole number)")
            }
            try admit([className], field: "label", task: task)
            return .classIndex(classes.intern(className))
        }
    }

    /// Checks that `names` may join the class table (declared classes, binary, limit).
    private func admit(_ names: [String], field: String, task: ModelTask?) throws(EventRejection) {
        var new: [String] = []
        for n in names where classes.index(of: n) == nil && !new.contains(n) { new.append(n) }
        guard !new.isEmpty else { return }
        if options.classes != nil {
            throw EventRejection(field: field, reason: "unknown_class",
                                 message: "class \(new[0]) is not among the declared classes \(options.classes!)")
        }
        if task == .binary, classes.count + new.count > 2 {
            throw EventRejection(field: field, reason: "too_many_classes",
                                 message: "binary model \(name) already has classes \(classes.names); got \(new[0])")
        }
        if classes.count + new.count > options.maxClasses {
            throw EventRejection(field: field, reason: "too_many_classes",
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

        func internClasses(into table: inout ClassTable) {
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

        func predictedIndex(_ table: ClassTable) -> Int { predictedName.flatMap { table.index(of: $0) } ?? -1 }

        func scoreVector(_ table: ClassTable) -> [Double]? {
            guard task == .multiclass, let scores else { return nil }
            var vector = [Double](repeating: 0, count: table.count)
            for s in scores { if let k = table.index(of: s.className) { vector[k] = s.probability } }
            return vector
        }
    }

    private func resolve(_ event: PredictionEvent) throws(EventRejection) -> ResolvedPrediction {
        guard let prediction = event.prediction else {
            throw EventRejection(field: "prediction", reason: "missing_field", message: "prediction is required")
        }
        let task = self.task ?? ModelTask.infer(from: event) ?? .multiclass
        if task == .regression {
            guard case .number(let value) = prediction else {
                throw EventRejection(field: "prediction", reason: "task_mismatch",
                                     message: "model \(name) is a regression model: prediction must be a number")
            }
            if event.score != nil || event.scores != nil {
                throw EventRejection(field: event.score != nil ? "score" : "scores", reason: "task_mismatch",
                                     message: "model \(name) is a regression model: it takes no score or scores")
            }
            if let label = event.label, case .number = label {} else if event.label != nil {
                throw EventRejection(field: "label", reason: "task_mismatch",
                                     message: "model \(name) is a regression model: label must be a number")
            }
            return ResolvedPrediction(task: task, classNames: [], predictedName: nil, value: value, scores: nil)
        }
        guard let predictedName = ClassTable.className(of: prediction) else {
            throw EventRejection(field: "prediction", reason: "task_mismatch",
                                 message: "model \(name) is a \(task.rawValue) model: prediction must be a class (string, boolean or whole number)")
        }
        var names = [predictedName]
        if let label = event.label {
            guard let labelName = ClassTable.className(of: label) else {
                throw EventRejection(field: "label", reason: "task_mismatch",
                                     message: "model \(name) is a \(task.rawValue) model: label must be a class (string, boolean or whole number)")
            }
            names.append(labelName)
        }
        var value = Double.nan
        if task == .binary {
            if event.scores != nil {
                throw EventRejection(field: "scores", reason: "task_mismatch",
                                     message: "model \(name) is binary: send score, the probability of class \(positiveClassName)")
            }
            value = event.score ?? .nan
        } else {
            if event.score != nil {
                throw EventRejection(field: "score", reason: "task_mismatch",
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
