// SPDX-License-Identifier: Apache-2.0
// The three detectors of SPEC section 4, run side by side on one version's outcome stream.

/// The concept drift detectors of one `(model, version)`, fed one outcome at a time in
/// label-arrival order: the error (0 correct, 1 wrong) of a classification model, the absolute
/// error of a regression model (DDM is not run on it: it expects 0/1).
public struct ConceptDetectors: Sendable {
    /// `detector` label values, in report order.
    public static let names = ["ddm", "page_hinkley", "adwin"]

    private var ddm: DDM?
    private var pageHinkley = PageHinkley()
    private var adwin = ADWIN()
    /// Detections so far, by ``names`` position.
    public private(set) var detections: [UInt64] = [0, 0, 0]

    /// - Parameter binaryErrors: true for classification (0/1 errors: DDM runs too).
    public init(binaryErrors: Bool) {
        ddm = binaryErrors ? DDM() : nil
    }

    public mutating func update(error: Double) {
        if ddm?.update(error) == true { detections[0] += 1 }
        if pageHinkley.update(error) { detections[1] += 1 }
        if adwin.update(error) { detections[2] += 1 }
    }

    /// The state of each detector that runs, with its name and detections.
    public var reports: [DetectorReport] {
        var out: [DetectorReport] = []
        if let ddm { out.append(DetectorReport(name: Self.names[0], state: ddm.state, detections: detections[0])) }
        out.append(DetectorReport(name: Self.names[1], state: pageHinkley.state, detections: detections[1]))
        out.append(DetectorReport(name: Self.names[2], state: adwin.state, detections: detections[2]))
        return out
    }
}

extension ConceptDetectors: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.optional(ddm) { $0.value($1) }
        w.value(pageHinkley)
        w.value(adwin)
        w.counts(detections)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init(binaryErrors: false)
        ddm = try r.optional { (r) throws(SnapshotError) in try r.value(DDM.self) }
        pageHinkley = try r.value()
        adwin = try r.value()
        detections = try r.counts()
        guard detections.count == Self.names.count else { throw .invalid("\(detections.count) detector counts") }
    }
}
