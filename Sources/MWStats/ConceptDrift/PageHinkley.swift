// SPDX-License-Identifier: Apache-2.0
// The Page–Hinkley test with river's defaults and behaviour.

/// Page–Hinkley on a stream (errors, or absolute errors for regression), both directions:
/// δ 0.005, λ 50, α 0.9999, at least 30 samples; it starts over after a drift (river's
/// `drift.PageHinkley()`). It has no warning state.
public struct PageHinkley: Sendable, Equatable {
    public var minInstances = 30
    public var delta = 0.005
    public var threshold = 50.0
    public var alpha = 1 - 0.0001
    private var n = 0
    private var mean = 0.0
    private var sumIncrease = 0.0
    private var sumDecrease = 0.0
    private var minIncrease = Double.infinity
    private var maxDecrease = -1.0
    public private(set) var state = DetectorState.stable

    public init() {}

    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        if state == .drift {
            let (m, d, t, a) = (minInstances, delta, threshold, alpha)
            self = PageHinkley()
            (minInstances, delta, threshold, alpha) = (m, d, t, a)
        }
        n += 1
        mean += (x - mean) / Double(n)
        let deviation = x - mean
        sumIncrease = alpha * sumIncrease + deviation - delta
        sumDecrease = alpha * sumDecrease + deviation + delta
        if sumIncrease < minIncrease { minIncrease = sumIncrease }
        if sumDecrease > maxDecrease { maxDecrease = sumDecrease }
        guard n >= minInstances else { return false }
        let detected = sumIncrease - minIncrease > threshold || maxDecrease - sumDecrease > threshold
        state = detected ? .drift : .stable
        return detected
    }
}

extension PageHinkley: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.int(minInstances)
        for v in [delta, threshold, alpha] { w.double(v) }
        w.int(n)
        for v in [mean, sumIncrease, sumDecrease, minIncrease, maxDecrease] { w.double(v) }
        w.integer(UInt8(state.rawValue))
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        minInstances = try r.int()
        delta = try r.double()
        threshold = try r.double()
        alpha = try r.double()
        n = try r.int()
        mean = try r.double()
        sumIncrease = try r.double()
        sumDecrease = try r.double()
        minIncrease = try r.double()
        maxDecrease = try r.double()
        state = try DetectorState(snapshot: try r.integer())
    }
}
