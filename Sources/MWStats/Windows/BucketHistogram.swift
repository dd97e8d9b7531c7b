// SPDX-License-Identifier: Apache-2.0
// A cumulative histogram with fixed upper bounds, as Prometheus histograms are.

/// Counts observations into fixed buckets (`le` upper bounds) with a running sum.
/// A value type: merge two with ``merge(_:)``; no I/O, no locks.
public struct BucketHistogram: Sendable, Equatable {
    /// Upper bounds, ascending; `+Inf` is implicit.
    public let upperBounds: [Double]
    /// Non-cumulative count per bucket; the last slot counts values above every bound.
    public private(set) var counts: [UInt64]
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    /// - Precondition: `upperBounds` is strictly increasing and finite.
    public init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.counts = [UInt64](repeating: 0, count: upperBounds.count + 1)
    }

    /// Adds one observation (NaN is ignored).
    public mutating func observe(_ value: Double) {
        guard !value.isNaN else { return }
        var lo = 0, hi = upperBounds.count
        while lo < hi {  // first bound >= value
            let mid = (lo + hi) / 2
            if upperBounds[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        counts[lo] += 1
        sum += value
        count += 1
    }

    /// Adds another histogram with the same bounds.
    public mutating func merge(_ other: BucketHistogram) {
        precondition(other.upperBounds == upperBounds, "merging histograms with different buckets")
        for i in counts.indices { counts[i] += other.counts[i] }
        sum += other.sum
        count += other.count
    }

    /// Cumulative counts per finite bound, as exposition wants them.
    public var cumulativeBuckets: [(upperBound: Double, count: UInt64)] {
        var running: UInt64 = 0
        return upperBounds.enumerated().map { index, bound in
            running += counts[index]
            return (bound, running)
        }
    }

    /// Latency buckets from 100 µs to 10 s.
    public static let latencySeconds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}

extension BucketHistogram: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.doubles(upperBounds)
        w.counts(counts)
        w.double(sum)
        w.integer(count)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init(upperBounds: try r.doubles())
        let counts = try r.counts()
        guard counts.count == upperBounds.count + 1 else { throw .invalid("histogram with \(counts.count) buckets for \(upperBounds.count) bounds") }
        self.counts = counts
        sum = try r.double()
        count = try r.integer()
    }
}
