// SPDX-License-Identifier: Apache-2.0
// Segments: each prediction's value of the segment features, its slot, its outcome there.

extension ModelState {
    /// The prefix of a segment that names a tag (`tag:region`) rather than a feature (feature
    /// names have no colon).
    public static let tagSegmentPrefix = "tag:"

    /// The value of segment `name` of an event: of its tag (`tag:<name>`) or of its feature: a
    /// category as sent, a number as its category name (`3`, `2.5`), `__missing__` when absent
    /// or null.
    static func segmentValue(_ features: Features, tags: [EventTag], name: String) -> String {
        if name.hasPrefix(tagSegmentPrefix) {
            let tag = name.dropFirst(tagSegmentPrefix.count)
            return tags.first { $0.name == tag }?.value ?? "__missing__"
        }
        switch featureValue(features, name: name) {
        case .category(let s): return s
        case .number(let x): return FeatureValue.categoryName(x)
        case .missing: return "__missing__"
        }
    }

    /// The value of feature `name` in `features` (missing when absent).
    static func featureValue(_ features: Features, name: String) -> FeatureValue {
        for (k, n) in features.names.names.enumerated() where n == name { return features.value(at: k) }
        return .missing
    }

    /// Counts a prediction (its features, and `prediction`, the value the prediction column
    /// tracks) in its slot of every segment of version `v`; returns the slots packed a byte each
    /// (``PendingPrediction/segments``).
    mutating func recordSegments(_ features: Features, tags: [EventTag], prediction: FeatureValue, version v: Int, now: Double) -> UInt32 {
        var positions: [Int32] = []
        swap(&positions, &segmentDriftScratch)  // its storage reused, event after event
        positions.removeAll(keepingCapacity: true)
        for column in segmentDrift.columns {
            let value = column.key == SegmentReference.predictionKey ? prediction : Self.featureValue(features, name: column.key)
            if let b = column.bins.bin(value) { positions.append(Int32(column.offset + b)) }
        }
        let (total, generation) = (segmentDrift.total, segmentDrift.generation)
        var packed = UInt32.max
        for s in versions[v].segments.indices {
            let slot = segmentSlot(features, tags: tags, segment: s, version: v)
            versions[v].segments[s].update(slot: slot, at: now) { slice in
                slice.predictions += 1
                if !positions.isEmpty { slice.countDrift(positions, total: total, generation: generation) }
            }
            packed = packed & ~(0xFF << (8 * UInt32(s))) | (UInt32(slot) << (8 * UInt32(s)))
        }
        swap(&positions, &segmentDriftScratch)
        return packed
    }

    /// The slot of the event's value of segment `s` of version `v`: a category of the body's
    /// table through ``segmentSlots`` (a hash per distinct value, not per event), anything else
    /// (a number, a missing value, a tag) by its value. Values counted in `__other__` are looked
    /// up every time, so that each of their events is counted untracked.
    private mutating func segmentSlot(_ features: Features, tags: [EventTag], segment s: Int, version v: Int) -> UInt8 {
        if let position = segmentSlots.position(segment: s, of: versions[v].segments, in: features.names),
           let index = features.packed[position].categoryIndex {
            let count = versions[v].segments.count
            if let slot = segmentSlots.slot(table: features.categories, version: v, segments: count, segment: s, index: index) {
                return slot
            }
            let slot = versions[v].segments[s].slot(of: features.categories.strings[index], options: options)
            if slot != SegmentTracker.otherSlot { segmentSlots.store(slot, segment: s, index: index) }
            return slot
        }
        return versions[v].segments[s].slot(of: Self.segmentValue(features, tags: tags, name: versions[v].segments[s].name), options: options)
    }

    /// Enters an outcome into the prediction's slot of every segment (predictions made before
    /// the segments were last set up are left out: their slots are another set's).
    mutating func recordSegmentOutcome(_ prediction: PendingPrediction, actual: ResolvedLabel, predictionArrival: Double,
                                       now: Double, implicit: Bool) {
        let v = Int(prediction.version)
        guard !versions[v].segments.isEmpty, predictionArrival >= versions[v].segmentsSince else { return }
        for s in versions[v].segments.indices {
            let slot = UInt8(truncatingIfNeeded: prediction.segments >> (8 * UInt32(s)))
            guard slot != SegmentTracker.noSlot else { continue }
            if !implicit { versions[v].segments[s].update(slot: slot, at: predictionArrival) { $0.labelled += 1 } }
            versions[v].segments[s].update(slot: slot, at: now) { slice in
                switch actual {
                case .value(let y): slice.regression.record(actual: y, predicted: prediction.value)
                case .classIndex(let a): slice.classification.record(actual: a, predicted: Int(prediction.predicted))
                }
            }
        }
    }
}

/// One value of a segment over one window: volume and performance (confusion-based metrics
/// or regression errors; below `min_samples` outcomes none).
public struct SegmentEntry: Sendable {
    public let value: String
    /// The value's predictions, outcomes and metrics in the window.
    public let performance: PerformanceSummary
    /// PSI of the prediction and of `segment_drift`'s features against the reference rows of
    /// the same value (none for `__other__`, a value the reference lacks, or too few values).
    public let drift: [SegmentDrift]

    /// Worst first: lowest accuracy, or highest MAE; entries without metrics last.
    static func worseFirst(_ a: SegmentEntry, _ b: SegmentEntry) -> Bool {
        func badness(_ e: SegmentEntry) -> Double? { e.performance.classification.map { 1 - $0.accuracy } ?? e.performance.regression?.mae }
        switch (badness(a), badness(b)) {
        case let (x?, y?): return x > y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a.performance.predictions > b.performance.predictions
        }
    }
}

/// One column's drift in one segment value's window, against the reference rows of that value.
public struct SegmentDrift: Sendable, Equatable {
    /// The feature; nil for the prediction.
    public let feature: String?
    /// Values in the window.
    public let count: Int
    /// Reference rows of the value with this column.
    public let referenceCount: Int
    public let psi: Double
}

/// A segment of a version over one window: its top values by volume (at most `segment_values`)
/// worst first, then `__other__` with the rest.
public struct SegmentReport: Sendable {
    public let segment: String
    public let window: WindowSpec
    public let values: [SegmentEntry]
    /// Events whose value had no slot in memory (they are in `__other__`).
    public let untracked: UInt64
}

extension ModelState {
    /// Segment `s` of version `v` over window `w`, merged at `now` through the windows' caches.
    mutating func mergeSegment(version v: Int, segment s: Int, window w: Int, now: Double) -> SegmentMerge {
        versions[v].segments[s].mergedCaching(window: w, at: now)
    }

    /// The segment reports of version `v`, from `merge(segment, window)`.
    func segmentReports(version v: Int, merge: (Int, Int) -> SegmentMerge) -> [SegmentReport] {
        let minimum = UInt64(max(1, options.minSamples))
        func entry(_ value: String, _ s: PerformanceSlice, reference: SegmentReference?) -> SegmentEntry {
            return SegmentEntry(value: value, performance: PerformanceSummary(s, task: task, binaryScores: false, minSamples: minimum),
                                drift: reference.map { segmentDrift(of: s, value: value, reference: $0, minimum: minimum) } ?? [])
        }
        return versionStates[v].segments.enumerated().flatMap { s, tracker in
            let reference = segmentReferences.first { $0.segment == tracker.name }
            return options.windows.indices.map { w -> SegmentReport in
                let merged = merge(s, w)
                let (values, otherSlice) = (merged.values, merged.other)
                let ranked = values.filter { $0.slice.predictions > 0 || $0.slice.labelled > 0 }
                    .sorted { $0.slice.predictions > $1.slice.predictions || ($0.slice.predictions == $1.slice.predictions && $0.value < $1.value) }
                var other = otherSlice
                for rest in ranked.dropFirst(options.segmentValues) { other.merge(rest.slice) }
                var entries = ranked.prefix(options.segmentValues).map { entry($0.value, $0.slice, reference: reference) }
                    .sorted(by: SegmentEntry.worseFirst)
                if other.predictions > 0 || other.labelled > 0 { entries.append(entry("__other__", other, reference: nil)) }
                return SegmentReport(segment: tracker.name, window: options.windows[w], values: entries, untracked: tracker.untracked)
            }
        }
    }
}

extension ModelState {
    /// PSI of each column of the drift layout in `slice` (the window of segment value `value`)
    /// against `reference`'s rows of that value; columns with fewer than `minimum` values on
    /// either side are left out.
    func segmentDrift(of slice: PerformanceSlice, value: String, reference: SegmentReference, minimum: UInt64) -> [SegmentDrift] {
        guard slice.driftGeneration == segmentDrift.generation, slice.drift.count == segmentDrift.total,
              let p = reference.position(of: value) else { return [] }
        return segmentDrift.columns.compactMap { column -> SegmentDrift? in
            guard let rows = reference.bins[column.key]?[p], rows.count == column.bins.count else { return nil }
            let counts = slice.drift[column.offset..<column.offset + column.bins.count].map(Double.init)
            let n = counts.reduce(0, +), m = rows.reduce(0, +)
            guard n >= Double(minimum), m >= Double(minimum) else { return nil }
            let psi = DriftStatistics.psi(reference: DriftStatistics.proportions(rows), current: DriftStatistics.proportions(counts))
            return SegmentDrift(feature: column.key == SegmentReference.predictionKey ? nil : column.key,
                                count: Int(n), referenceCount: Int(m), psi: psi)
        }
    }
}
