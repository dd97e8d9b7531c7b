// SPDX-License-Identifier: Apache-2.0
// What a model's snapshot keeps: the persisted state, apart from what is derived from it.

/// The snapshot form of a model. Kept: the task, classes, versions (windows, counters,
/// histograms, column windows, detectors), tracked columns with their references, the label
/// join (pending predictions and early labels, by fingerprint, with the key that made them),
/// the reference being gathered, the rejection counts. Not kept, rebuilt from the rest or from
/// the settings: the options, the name indices, the feature-name map and category-cell caches,
/// the merge caches of the windows, the references' cell lookups.
extension ModelState {
    /// Bumped when the layout below changes.
    /// 2: estimated performance (the reference's calibration, window estimates, the
    /// reference builder's scored rows). Layout 1 snapshots are read with those empty.
    /// 3: segment drift (the reference's rows per segment value, the bins segment windows count
    /// and their layout, the reference builder's row of each value). Read from layout 2 with no
    /// segment references (segment drift starts with the next reference upload).
    public static let snapshotLayout: UInt32 = 3

    public func write(to w: inout SnapshotWriter) {
        w.optional(task) { $0.string($1.rawValue) }
        w.value(classes)
        w.array(versions) { $1.write(to: &$0) }
        w.array(columns) { $1.write(to: &$0) }
        w.int(referenceRows)
        w.integer(referenceGeneration)
        w.optional(referenceCollector) { $0.value($1) }
        w.integer(untrackedFeatureValues)
        join.write(to: &w)
        w.array(rejected.sorted { $0.key < $1.key }) { w, entry in
            w.string(entry.key)
            w.integer(entry.value)
        }
        w.optional(calibration) { $0.value($1) }
        w.array(businessNames.names) { $0.string($1) }
        w.array(segmentReferences) { $0.value($1) }
        w.integer(segmentDrift.generation)
        w.array(segmentDrift.signature) { $0.string($1) }
    }

    /// A model restored from its snapshot form, under `options` (from its settings now).
    public init(name: String, options: ModelOptions, from r: inout SnapshotReader) throws(SnapshotError) {
        self.init(name: name, options: options, key: FingerprintKey(k0: 0, k1: 0))
        task = try r.optional { (r) throws(SnapshotError) in try ModelTask(snapshot: try r.string()) }
        classes = try r.value()
        versions = try r.array { (r) throws(SnapshotError) in try VersionState(from: &r, options: options) }
        versionIndex = [:]
        for (v, version) in versions.enumerated() { versionIndex[version.name] = v }
        let budget = options.exactDriftBudget
        columns = try r.array { (r) throws(SnapshotError) in try TrackedColumn(from: &r, budget: budget) }
        guard columns.count >= 2 else { throw .invalid("\(columns.count) tracked columns") }
        columnIndex = [:]
        for c in 2..<columns.count { columnIndex[columns[c].name] = c }
        referenceRows = try r.int()
        referenceGeneration = try r.integer()
        referenceCollector = try r.optional { (r) throws(SnapshotError) in try r.value(ReferenceBuilder.self) }
        untrackedFeatureValues = try r.integer()
        join = try LabelJoin(from: &r, versions: versions.count)
        rejected = [:]
        for _ in 0..<(try r.count(minimumBytes: 12)) { rejected[try r.string()] = try r.integer() }
        if r.layout >= 2 {
            calibration = try r.optional { (r) throws(SnapshotError) in try r.value(ScoreCalibration.self) }
            indexCalibration()
            businessNames = NameTable(declared: try r.array { (r) throws(SnapshotError) in try r.string() })
        }
        if r.layout >= 3 {
            segmentReferences = try r.array { (r) throws(SnapshotError) in try r.value(SegmentReference.self) }
            let generation: Int32 = try r.integer()
            let signature = try r.array { (r) throws(SnapshotError) in try r.string() }
            // The same layout under the settings now keeps the windows' counts; another one
            // (segment_drift changed while the daemon was down) starts them over.
            segmentDrift.generation = generation &- 1  // wrapping: the bytes may be anything
            layOutSegmentDrift()
            if segmentDrift.signature != signature { layOutSegmentDrift() }
        } else {
            layOutSegmentDrift()
        }
    }
}

extension TargetValue {
    func write(to w: inout SnapshotWriter) {
        switch self {
        case .string(let s):
            w.integer(UInt8(0))
            w.string(s)
        case .bool(let b):
            w.integer(UInt8(1))
            w.bool(b)
        case .number(let x):
            w.integer(UInt8(2))
            w.double(x)
        }
    }

    init(from r: inout SnapshotReader) throws(SnapshotError) {
        switch try r.integer(UInt8.self) {
        case 0: self = .string(try r.string())
        case 1: self = .bool(try r.bool())
        case 2: self = .number(try r.double())
        case let tag: throw .invalid("target value kind \(tag)")
        }
    }
}
