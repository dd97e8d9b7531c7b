// SPDX-License-Identifier: Apache-2.0
// ADWIN (Bifet & Gavaldà, 2007) with river's defaults and behaviour.

import Foundation

/// Adaptive windowing over a stream: an exponential histogram of buckets (at most 5 of each
/// size), checked every 32 samples once more than 10 have arrived; a cut is a drift when the
/// means of the two sub-windows (each ≥ 5) differ by more than the Hoeffding-style bound with
/// δ = 0.002. As river's `drift.ADWIN()`, the detector starts over after a drift. No warning state.
public struct ADWIN: Sendable, Equatable {
    public var delta = 0.002
    public var clock = 32
    public var maxBuckets = 5
    public var minWindowLength = 5
    public var gracePeriod = 10

    /// One row of buckets, each of `2^row` elements: totals and variances, oldest first.
    struct Row: Sendable, Equatable {
        var totals: [Double] = []
        var variances: [Double] = []
    }

    private var rows: [Row] = [Row()]
    private var total = 0.0
    private var variance = 0.0
    private var width = 0.0
    private var tick = 0
    public private(set) var state = DetectorState.stable

    public init() {}

    /// The current window length.
    public var windowLength: Int { Int(width) }

    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        if state == .drift {
            let (d, c, m, w, g) = (delta, clock, maxBuckets, minWindowLength, gracePeriod)
            self = ADWIN()
            (delta, clock, maxBuckets, minWindowLength, gracePeriod) = (d, c, m, w, g)
        }
        insert(x)
        let detected = detectChange()
        state = detected ? .drift : .stable
        return detected
    }

    private mutating func insert(_ value: Double) {
        rows[0].totals.append(value)
        rows[0].variances.append(0)
        width += 1
        if width > 1 {
            let mean = total / (width - 1)
            variance += (width - 1) * (value - mean) * (value - mean) / width
        }
        total += value
        compress()
    }

    private mutating func compress() {
        var row = 0
        while row < rows.count, rows[row].totals.count == maxBuckets + 1 {
            if row + 1 == rows.count { rows.append(Row()) }
            let size = pow(2.0, Double(row))
            let t0 = rows[row].totals[0], t1 = rows[row].totals[1]
            let mu1 = t0 / size, mu2 = t1 / size
            let merged = rows[row].variances[0] + rows[row].variances[1] + size * size * (mu1 - mu2) * (mu1 - mu2) / (2 * size)
            rows[row + 1].totals.append(t0 + t1)
            rows[row + 1].variances.append(merged)
            rows[row].totals.removeFirst(2)
            rows[row].variances.removeFirst(2)
            if rows[row + 1].totals.count <= maxBuckets { break }
            row += 1
        }
    }

    /// Removes the oldest bucket; returns its size.
    private mutating func deleteOldest() -> Double {
        let row = rows.count - 1
        let n = pow(2.0, Double(row))
        let u = rows[row].totals[0], v = rows[row].variances[0]
        let mu = u / n
        width -= n
        total -= u
        let windowMean = total / width
        variance -= v + n * width * (mu - windowMean) * (mu - windowMean) / (n + width)
        rows[row].totals.removeFirst()
        rows[row].variances.removeFirst()
        if rows[row].totals.isEmpty && rows.count > 1 { rows.removeLast() }
        return n
    }

    private mutating func detectChange() -> Bool {
        var detected = false
        tick += 1
        guard tick % clock == 0 && width > Double(gracePeriod) else { return false }
        var reduce = true
        while reduce {
            reduce = false
            var exit = false
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            var row = rows.count - 1
            while row >= 0 && !exit {
                let size = pow(2.0, Double(row))
                let count = rows[row].totals.count
                var k = 0
                while k < count {
                    let u2 = rows[row].totals[k]
                    n0 += size
                    n1 -= size
                    u0 += u2
                    u1 -= u2
                    if row == 0 && k == count - 1 { exit = true; break }
                    let deltaMean = u0 / n0 - u1 / n1
                    if n1 >= Double(minWindowLength) && n0 >= Double(minWindowLength) && cutIsSignificant(n0, n1, deltaMean) {
                        reduce = true
                        detected = true
                        if width > 0 {
                            n0 -= deleteOldest()
                            exit = true
                            break
                        }
                    }
                    k += 1
                }
                row -= 1
            }
        }
        return detected
    }

    private func cutIsSignificant(_ n0: Double, _ n1: Double, _ deltaMean: Double) -> Bool {
        let deltaPrime = Foundation.log(2 * Foundation.log(width) / delta)
        let mRecip = 1 / (n0 - Double(minWindowLength) + 1) + 1 / (n1 - Double(minWindowLength) + 1)
        let epsilon = (2 * mRecip * (variance / width) * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return abs(deltaMean) > epsilon
    }
}

extension ADWIN: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.double(delta)
        for v in [clock, maxBuckets, minWindowLength, gracePeriod] { w.int(v) }
        w.array(rows) { w, row in
            w.doubles(row.totals)
            w.doubles(row.variances)
        }
        for v in [total, variance, width] { w.double(v) }
        w.int(tick)
        w.integer(UInt8(state.rawValue))
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        delta = try r.double()
        clock = try r.int()
        maxBuckets = try r.int()
        minWindowLength = try r.int()
        gracePeriod = try r.int()
        rows = try r.array { (r) throws(SnapshotError) in Row(totals: try r.doubles(), variances: try r.doubles()) }
        total = try r.double()
        variance = try r.double()
        width = try r.double()
        tick = try r.int()
        state = try DetectorState(snapshot: try r.integer())
    }
}
