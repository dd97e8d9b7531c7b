// SPDX-License-Identifier: Apache-2.0
// The label join of one model: predictions waiting for their labels, labels early for theirs.

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
    /// The prediction's slot in each segment (a byte per segment, ``SegmentTracker/noSlot``
    /// beyond the model's segments).
    var segments: UInt32 = .max
}

/// A label that arrived before its prediction, held for the grace period.
struct OrphanLabel: Sendable {
    var label: TargetValue
    var eventTime: Double
    var version: String?
}

/// A model's label join, keyed by the fingerprint of the event id (see ``FingerprintKey``):
/// predictions kept until their label arrives or the label TTL passes (labelled ones too, so a
/// second label is a duplicate), and labels that came before their prediction, kept for the
/// grace period. Both are bounded by `max_pending` (the oldest go first). It only holds and
/// ages entries; counting what expires, matches or is a duplicate is the model's. Plain data.
struct LabelJoin: Sendable {
    /// The per-model key of the fingerprints (kept in snapshots with the entries it made).
    let key: FingerprintKey
    var predictions = FingerprintQueue<PendingPrediction>()
    var earlyLabels = FingerprintQueue<OrphanLabel>()

    init(key: FingerprintKey) { self.key = key }

    func fingerprint(_ id: String) -> Fingerprint { key.fingerprint(id) }

    /// Removes and returns the predictions that arrived before `cutoff`.
    mutating func expirePredictions(olderThan cutoff: Double) -> [(prediction: PendingPrediction, arrival: Double)] {
        var out: [(PendingPrediction, Double)] = []
        while let oldest = predictions.oldest, oldest.arrival <= cutoff {
            predictions.popOldest()
            out.append((oldest.payload, oldest.arrival))
        }
        return out
    }

    /// Removes and returns the early labels that arrived before `cutoff`.
    mutating func expireEarlyLabels(olderThan cutoff: Double) -> [OrphanLabel] {
        var out: [OrphanLabel] = []
        while let oldest = earlyLabels.oldest, oldest.arrival <= cutoff {
            earlyLabels.popOldest()
            out.append(oldest.payload)
        }
        return out
    }

    /// Holds a prediction (its fingerprint must not be held); returns those evicted beyond `cap`.
    mutating func hold(prediction: PendingPrediction, _ fingerprint: Fingerprint, arrival: Double, cap: Int) -> [PendingPrediction] {
        predictions.insert(fingerprint, arrival: arrival, payload: prediction)
        var evicted: [PendingPrediction] = []
        while predictions.count > cap, let oldest = predictions.popOldest() { evicted.append(oldest.payload) }
        return evicted
    }

    /// Holds a label early for its prediction; returns those evicted beyond `cap`.
    mutating func hold(earlyLabel: OrphanLabel, _ fingerprint: Fingerprint, arrival: Double, cap: Int) -> [OrphanLabel] {
        earlyLabels.insert(fingerprint, arrival: arrival, payload: earlyLabel)
        var evicted: [OrphanLabel] = []
        while earlyLabels.count > cap, let oldest = earlyLabels.popOldest() { evicted.append(oldest.payload) }
        return evicted
    }
}

extension LabelJoin {
    func write(to w: inout SnapshotWriter) {
        w.integer(key.k0)
        w.integer(key.k1)
        predictions.write(to: &w) { w, p in
            w.double(p.eventTime)
            w.double(p.value)
            w.optional(p.scores) { $0.doubles($1) }
            w.integer(p.predicted)
            w.integer(p.version)
            w.bool(p.labelled)
            w.integer(p.segments)
        }
        earlyLabels.write(to: &w) { w, o in
            o.label.write(to: &w)
            w.double(o.eventTime)
            w.optional(o.version) { $0.string($1) }
        }
    }

    /// - Parameter versions: the model's version count (every pending prediction names one).
    init(from r: inout SnapshotReader, versions: Int) throws(SnapshotError) {
        key = FingerprintKey(k0: try r.integer(), k1: try r.integer())
        let layout = r.layout
        predictions = try FingerprintQueue(from: &r) { (r) throws(SnapshotError) in
            var p = PendingPrediction(eventTime: try r.double(), value: try r.double(),
                                      scores: try r.optional { (r) throws(SnapshotError) in try r.doubles() },
                                      predicted: try r.integer(), version: try r.integer(), labelled: try r.bool())
            if layout >= 2 { p.segments = try r.integer() }
            guard Int(p.version) < versions else { throw .invalid("a pending prediction of version \(p.version)") }
            return p
        }
        earlyLabels = try FingerprintQueue(from: &r) { (r) throws(SnapshotError) in
            OrphanLabel(label: try TargetValue(from: &r), eventTime: try r.double(),
                        version: try r.optional { (r) throws(SnapshotError) in try r.string() })
        }
    }
}
