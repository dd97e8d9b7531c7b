// SPDX-License-Identifier: Apache-2.0
// Drift Detection Method (Gama et al., 2004) with river's defaults and behaviour.

/// The state a concept drift detector reports (`modelwatch_concept_drift_state`).
public enum DetectorState: Int, Sendable {
    case stable = 0, warning = 1, drift = 2
}

/// DDM on a stream of errors (0 correct, 1 wrong): warning when p + s exceeds the best p + s
/// seen by 2 standard deviations, drift at 3, after 30 samples; it starts over after a drift
/// (river's `drift.binary.DDM(warm_start=30, warning_threshold=2.0, drift_threshold=3.0)`).
public struct DDM: Sendable, Equatable {
    public var warmStart = 30
    public var warningThreshold = 2.0
    public var driftThreshold = 3.0
    private var n = 0
    private var mean = 0.0
    private var pMin = Double.infinity
    private var sMin = Double.infinity
    private var psMin = Double.infinity
    public private(set) var state = DetectorState.stable

    public init() {}

    /// Feeds one outcome; true when this outcome is a detection.
    @discardableResult
    public mutating func update(_ error: Double) -> Bool {
        if state == .drift { self = DDM(keeping: self) }
        n += 1
        mean += (error - mean) / Double(n)
        let s = (mean * (1 - mean) / Double(n)).squareRoot()
        guard n > warmStart else { return false }
        if mean + s <= psMin {
            pMin = mean
            sMin = s
            psMin = mean + s
        }
        if mean + s > pMin + driftThreshold * sMin {
            state = .drift
            return true
        }
        state = mean + s > pMin + warningThreshold * sMin ? .warning : .stable
        return false
    }

    private init(keeping parameters: DDM) {
        warmStart = parameters.warmStart
        warningThreshold = parameters.warningThreshold
        driftThreshold = parameters.driftThreshold
    }
}

extension DetectorState {
    init(snapshot tag: UInt8) throws(SnapshotError) {
        guard let state = DetectorState(rawValue: Int(tag)) else { throw .invalid("detector state \(tag)") }
        self = state
    }
}

extension DDM: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.int(warmStart)
        for v in [warningThreshold, driftThreshold] { w.double(v) }
        w.int(n)
        for v in [mean, pMin, sMin, psMin] { w.double(v) }
        w.integer(UInt8(state.rawValue))
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        warmStart = try r.int()
        warningThreshold = try r.double()
        driftThreshold = try r.double()
        n = try r.int()
        mean = try r.double()
        pMin = try r.double()
        sMin = try r.double()
        psMin = try r.double()
        state = try DetectorState(snapshot: try r.integer())
    }
}
