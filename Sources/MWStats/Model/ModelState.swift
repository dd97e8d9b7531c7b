// SPDX-License-Identifier: Apache-2.0
// One model: its state, its settings, and ingestion. Plain data, no I/O, no locks.

/// The statistics of one model. The caller serialises access (the daemon keeps each model
/// behind a lock) and passes the clock in as `now` (unix seconds). Its rooms: the label join
/// (``LabelJoin``), versions and classes (`+Versions`), tracked columns (`+Columns`), the
/// reference (`+Reference`), checking events (`+Validation`), the snapshot form (`+Snapshot`);
/// ingestion is here.
///
/// Task inference, when the settings name no task, from the first accepted prediction:
/// `scores` → multiclass; `score` → binary; a boolean prediction → binary; a string
/// prediction → multiclass; the number 0 or 1 → binary; any other number → regression.
public struct ModelState: Sendable {
    public let name: String

    // MARK: Persisted (what ModelState+Snapshot.swift writes; internal setters for its reader)

    public internal(set) var task: ModelTask?
    public internal(set) var classes: NameTable
    /// Per version: windows, counters, histograms, column windows, detectors.
    var versions: [VersionState] = []
    /// Tracked columns: 0 the prediction, 1 the label, then input features in arrival order.
    var columns = [TrackedColumn(name: "prediction", role: .prediction, type: nil),
                   TrackedColumn(name: "label", role: .label, type: nil)]
    /// Rows of the reference in force (0 without one).
    public internal(set) var referenceRows = 0
    /// Bumped by every reference installed; −1 before the first.
    public internal(set) var referenceGeneration: Int32 = -1
    /// Rows gathered for a `reference: {source: first}` model until it has its reference.
    var referenceCollector: ReferenceBuilder?
    /// Values of features beyond `maxFeatures` distinct names, counted but not tracked.
    public internal(set) var untrackedFeatureValues: UInt64 = 0
    /// Predictions waiting for their labels and labels early for their predictions.
    var join: LabelJoin
    /// Events refused, by reason (`modelwatch_events_rejected_total`).
    public internal(set) var rejected: [String: UInt64] = [:]
    /// The reference's calibration of scores, for estimated performance.
    public internal(set) var calibration: ScoreCalibration?
    /// Names of the business values events carried, each with its index in the sums.
    public internal(set) var businessNames = NameTable()
    /// The reference's rows of each segment value (segment drift), from its upload.
    public internal(set) var segmentReferences: [SegmentReference] = []

    // MARK: Derived (from the settings, or from the state above; rebuilt, never persisted)

    public private(set) var options: ModelOptions
    var versionIndex: [String: Int] = [:]
    var columnIndex: [String: Int] = [:]
    /// The time unit the column windows share (see ``CascadingWindows``).
    var columnUnit: Double?
    /// Caches of the ingestion path: feature names to columns, categories to reference cells.
    var columnMap = FeatureColumnMap()
    var categoryCells = CategoryCells()
    /// ``calibration`` by class index (binary: the positive class's first); nil when
    /// predictions are not estimated (see ``indexCalibration()``).
    var calibrators: [IsotonicCalibrator?]?
    /// Binary: the class indices of the calibration's positive and negative classes.
    var calibratedClasses: (positive: Int, negative: Int)?
    /// The columns segment windows count bins of (its generation is persisted with them).
    var segmentDrift = SegmentDriftLayout()
    /// The bins of the event being recorded in segment windows (kept to reuse its storage).
    var segmentDriftScratch: [Int32] = []
    /// The segment slots of the current body's categories.
    var segmentSlots = SegmentSlotCache()

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

    public init(name: String, options: ModelOptions, key: FingerprintKey) {
        self.name = name
        self.options = options
        self.task = options.task
        self.classes = NameTable(declared: options.classes)
        self.join = LabelJoin(key: key)
        columnUnit = CascadingWindows<FeatureSketch>.commonUnit(lengths: options.windows.map(\.seconds),
                                                                 sliceCount: options.slicesPerWindow)
        declareFeatures()
    }

    /// Whether any event has been accepted.
    public var hasData: Bool { !versions.isEmpty }

    /// Predictions waiting for a label, over all versions.
    public var pendingLabels: Int { versions.reduce(0) { $0 + $1.pending } }

    /// Replaces the settings. The task and positive class cannot change once data exists. A
    /// change of `cohort_slice`, or of the ring's span (label TTL, cohorts, maturity), starts
    /// the cohort rings over.
    public mutating func update(options newOptions: ModelOptions) throws(EventRejection) {
        if hasData, let newTask = newOptions.task, let task, newTask != task {
            throw EventRejection(field: "task", reason: .taskChange,
                                 message: "model \(name) already holds \(task.rawValue) data; DELETE it before changing its task to \(newTask.rawValue)")
        }
        if hasData, newOptions.positiveClass != options.positiveClass {
            throw EventRejection(field: "positive_class", reason: .positiveClassChange,
                                 message: "model \(name) already holds data scored against positive class \(positiveClassName); DELETE it first")
        }
        if let declared = newOptions.classes {
            for existing in classes.names where !declared.contains(existing) {
                throw EventRejection(field: "classes", reason: .classRemoved,
                                     message: "class \(existing) has data and must stay in classes")
            }
        }
        if newOptions.segments != options.segments || newOptions.segmentValues != options.segmentValues {
            // Other segments: their trackers start over, and outcomes of predictions made
            // before now stay out of them (their slots are the old trackers').
            for v in versions.indices {
                versions[v].segments = newOptions.segments.map { SegmentTracker(name: $0, options: newOptions) }
                versions[v].segmentsSince = versions[v].lastEvent + 1e-6
            }
            segmentSlots.reset()
        }
        let driftChanged = newOptions.segmentDrift != options.segmentDrift
        if newOptions.cohortSlice != options.cohortSlice || newOptions.cohortSliceCount != options.cohortSliceCount {
            // Slices of another width or number: the cohort rings start over (windows and
            // counters are kept).
            for v in versions.indices { versions[v].cohorts = VersionState.cohortRing(newOptions) }
        }
        options = newOptions
        columnMap.reset()  // the feature cap may have changed
        if task == nil { task = newOptions.task }
        for name in newOptions.classes ?? [] { classes.intern(name) }
        declareFeatures()
        if driftChanged { layOutSegmentDrift() }
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
        // By index: each event is borrowed in place (a for-in loop copies it, retaining every
        // array it holds, then releases them again).
        for i in predictions.indices {
            do {
                if try ingest(prediction: predictions[i].event, now: now, features: &features) { result.accepted += 1 } else { result.duplicates += 1 }
            } catch {
                rejected[error.reason.rawValue, default: 0] += 1
                result.errors.append((predictions[i].index, error))
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
                rejected[error.reason.rawValue, default: 0] += 1
                result.errors.append((index, error))
            }
        }
        return result
    }

    /// Drops predictions past their TTL (counted `expired`) and orphan labels past the grace
    /// period (counted `unmatched`).
    public mutating func expire(now: Double) {
        let expired = join.expirePredictions(olderThan: now - options.labelTTL)
        // Resolved once per call, and only when something expires (this runs on every ingest).
        let implicit = expired.isEmpty ? nil : options.labelOnExpiry.flatMap { try? resolveLabel($0) }
        for (prediction, arrival) in expired where !prediction.labelled {
            countExpired(prediction)
            if let implicit {
                recordOutcome(prediction, actual: implicit, labelTime: now, predictionArrival: arrival, now: now, implicit: true)
            }
        }
        for label in join.expireEarlyLabels(olderThan: now - options.labelGrace) {
            versions[versionForLabel(label.version)].labels.unmatched += 1
        }
    }

    /// Returns true when accepted, false for a duplicate.
    /// The features of an accepted event go into `features`, recorded with the batch's others.
    private mutating func ingest(prediction event: PredictionEvent, now: Double, features: inout FeatureBatch) throws(EventRejection) -> Bool {
        let resolved = try resolve(event)
        try checkBusiness(event.business)
        let fingerprint = event.id.map { join.fingerprint($0) }
        let v = try versionIndex(for: event.version ?? "default")
        if let fingerprint, join.predictions.find(fingerprint) != nil {
            versions[v].duplicatePredictions += 1
            return false
        }
        // Validated: from here on nothing throws.
        if task == nil {
            task = resolved.task
            if calibration != nil { indexCalibration() }
        }
        resolved.internClasses(into: &classes)
        let inlineLabel = event.label.flatMap { try? resolveLabel($0) }
        let predicted = resolved.predictedIndex(classes)
        let scores = resolved.scoreVector(classes)
        let eventTime = event.timestamp ?? now
        let estimate = estimatedOutcome(predicted: predicted, score: resolved.value, scores: scores)

        versions[v].predictions += 1
        versions[v].lastEvent = now
        recordBusiness(event.business, version: v, now: now)
        versions[v].cohorts.update(at: min(eventTime, now)) { slice in
            slice.performance.predictions += 1
            if let estimate { slice.performance.estimated.record(estimate, histograms: false) }
        }
        for w in versions[v].windows.indices {
            versions[v].windows[w].update(at: now) { slice in
                slice.predictions += 1
                if let estimate { slice.estimated.record(estimate) }
            }
        }
        if let latency = event.latencyMs { versions[v].latency.observe(latency / 1000) }
        let predictionValue = resolved.driftValue(columnType: columns[0].type)
        record(predictionValue, column: 0, version: v, unit: CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit), now: now)
        features.append(version: v, event.features)
        if case .first(let rows) = options.reference, referenceGeneration < 0 {
            record(&features, now: now)  // placed before the reference they help build is installed
            collectReference(event, rows: rows)
        }

        var pending = PendingPrediction(eventTime: eventTime, value: resolved.value, scores: scores,
                                        predicted: Int32(predicted), version: UInt16(v), labelled: false)
        if !versions[v].segments.isEmpty { pending.segments = recordSegments(event.features, tags: event.tags, prediction: predictionValue, version: v, now: now) }
        if let actual = inlineLabel {
            // Known at prediction time: an outcome at once, a matched label with no delay.
            pending.labelled = true
            recordOutcome(pending, actual: actual, labelTime: eventTime, predictionArrival: now, now: now)
        } else if let fingerprint, let orphan = join.earlyLabels.remove(fingerprint) {
            if let actual = try? resolveLabel(orphan.payload.label) {
                pending.labelled = true
                recordOutcome(pending, actual: actual, labelTime: orphan.payload.eventTime, predictionArrival: now, now: now)
            } else {
                rejected["invalid_label", default: 0] += 1
            }
        }
        if let fingerprint {
            if !pending.labelled { versions[v].pending += 1 }
            for evicted in join.hold(prediction: pending, fingerprint, arrival: now, cap: options.maxPending) where !evicted.labelled {
                countExpired(evicted)
            }
        }
        return true
    }

    /// Returns true when accepted (matched, or held for its prediction), false for a duplicate.
    private mutating func ingest(label event: LabelEvent, now: Double) throws(EventRejection) -> Bool {
        try checkBusiness(event.business)
        let fingerprint = join.fingerprint(event.id)
        if let entry = join.predictions.find(fingerprint) {
            let v = Int(entry.payload.version)
            if entry.payload.labelled {
                versions[v].labels.duplicate += 1
                return false
            }
            let actual = try resolveLabel(event.label)
            join.predictions.update(fingerprint) { $0.labelled = true }
            versions[v].pending -= 1
            versions[v].lastEvent = now
            recordOutcome(entry.payload, actual: actual, labelTime: event.timestamp ?? now,
                          predictionArrival: entry.arrival, now: now)
            recordBusiness(event.business, version: v, now: now)
            return true
        }
        if join.earlyLabels.find(fingerprint) != nil {
            let v = versionForLabel(event.version)
            versions[v].labels.duplicate += 1
            return false
        }
        if task != nil { _ = try resolveLabel(event.label) }  // validate now when we can
        recordBusiness(event.business, version: versionForLabel(event.version), now: now)
        let early = OrphanLabel(label: event.label, eventTime: event.timestamp ?? now, version: event.version)
        for evicted in join.hold(earlyLabel: early, fingerprint, arrival: now, cap: options.maxPending) {
            versions[versionForLabel(evicted.version)].labels.unmatched += 1
        }
        return true
    }

    /// Enters an outcome into the counters, every window and the prediction's cohort.
    /// - Parameter implicit: the label is `label_on_expiry`'s, not one that arrived: an
    ///   outcome, but not a matched label (no delay, no label coverage, no label drift).
    private mutating func recordOutcome(_ prediction: PendingPrediction, actual: ResolvedLabel, labelTime: Double,
                                        predictionArrival: Double, now: Double, implicit: Bool = false) {
        let v = Int(prediction.version)
        let delay = max(0, labelTime - prediction.eventTime)
        if !implicit {
            versions[v].labels.matched += 1
            versions[v].labelDelay.observe(delay)
        }
        let positive = positiveIndex
        let binary = task == .binary
        for w in versions[v].windows.indices {
            if !implicit { versions[v].windows[w].update(at: predictionArrival) { $0.labelled += 1 } }
            versions[v].windows[w].update(at: now) { $0.record(prediction, actual: actual, positive: positive, binary: binary) }
        }
        versions[v].cohorts.update(at: min(prediction.eventTime, predictionArrival)) { slice in
            if !implicit { slice.countLabel(delay: delay) }
            slice.performance.record(prediction, actual: actual, positive: positive, binary: binary)
        }
        recordSegmentOutcome(prediction, actual: actual, predictionArrival: predictionArrival, now: now, implicit: implicit)
        let error: Double
        let labelValue: FeatureValue
        switch actual {
        case .value(let y):
            versions[v].regressionOutcomes += 1
            error = abs(y - prediction.value)
            versions[v].absoluteErrorTotal += error
            labelValue = .number(y)
        case .classIndex(let a):
            versions[v].outcomes.add(actual: a, predicted: Int(prediction.predicted))
            error = a == Int(prediction.predicted) ? 0 : 1
            labelValue = .category(classes.names[a])
        }
        if versions[v].detectors == nil { versions[v].detectors = ConceptDetectors(binaryErrors: task != .regression) }
        versions[v].detectors!.update(error: error)
        if !implicit {
            record(labelValue, column: 1, version: v, unit: CascadingWindows<FeatureSketch>.unitNumber(now, unit: columnUnit), now: now)
        }
    }
}

extension PerformanceSlice {
    /// Records the outcome of `prediction` whose actual value or class is `actual`.
    mutating func record(_ prediction: PendingPrediction, actual: ModelState.ResolvedLabel, positive: Int, binary: Bool) {
        switch actual {
        case .value(let y):
            regression.record(actual: y, predicted: prediction.value)
        case .classIndex(let a):
            let p = Int(prediction.predicted)
            if binary, !prediction.value.isNaN {
                classification.recordBinary(actual: a, predicted: p, positive: a == positive, score: prediction.value)
            } else if let scores = prediction.scores {
                classification.recordMulticlass(actual: a, predicted: p, scores: scores)
            } else {
                classification.record(actual: a, predicted: p)
            }
        }
    }
}
