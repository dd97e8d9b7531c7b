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
