// SPDX-License-Identifier: Apache-2.0
// Binned scores of positives and negatives: ROC AUC without keeping every score.

/// Counts of scores in `binCount` equal bins over [0, 1], split by whether the outcome was
/// positive. ROC AUC from two such histograms is the Mann–Whitney statistic with scores in the
/// same bin counted as ties, so it differs from the exact AUC by at most half the share of
/// positive–negative pairs that share a bin (SPEC: ≥ 1,000 bins, within 0.002). Mergeable.
///
/// Storage adapts to the traffic of a time slice: up to ``sparseLimit`` observations are kept
/// as a list of (bin, positive) codes, 2 bytes each; beyond, as dense 16-bit counts (4 KB),
/// and as 32-bit counts (8 KB) once a bin would overflow 65,535. A window of quiet slices then
/// costs little memory, merging it costs what it holds, not 2,000 counters per slice, and a
/// busy slice costs 4 KB unless one bin holds more than 65,535 observations.
public struct ScoreHistogram: Sendable {
    /// Bins over [0, 1]; the SPEC asks for at least 1,000.
    public static let binCount = 1_000
    /// Observations kept as a list before switching to dense counts.
    static let sparseLimit = 512

    private enum Storage: Sendable {
        case empty
        /// One code per observation: `2·bin + (positive ? 0 : 1)`.
        case sparse([UInt16])
        /// `counts[2·b]` positives and `counts[2·b + 1]` negatives in bin `b`, while every
        /// count fits 16 bits.
        case dense16([UInt16])
        /// The same in 32 bits.
        case dense([UInt32])
    }

    private var storage = Storage.empty

    public init() {}

    /// The bin of a score in [0, 1]: `⌊score · binCount⌋`, with 1.0 in the last bin.
    @inline(__always)
    public static func bin(_ score: Double) -> Int {
        min(max(Int(score * Double(binCount)), 0), binCount - 1)
    }

    /// True when nothing has been observed.
    public var isEmpty: Bool {
        if case .empty = storage { return true }
        return false
    }

    /// Records one scored outcome.
    public mutating func observe(score: Double, positive: Bool) {
        add(code: 2 * Self.bin(score) + (positive ? 0 : 1))
    }

    private mutating func add(code: Int) {
        switch storage {
        case .empty:
            storage = .sparse([UInt16(code)])
        case .sparse(var codes):
            storage = .empty  // release the reference so the append does not copy
            if codes.count < Self.sparseLimit {
                codes.append(UInt16(code))
                storage = .sparse(codes)
            } else {
                var counts = [UInt16](repeating: 0, count: 2 * Self.binCount)
                for c in codes { counts[Int(c)] += 1 }  // at most sparseLimit: no overflow
                counts[code] += 1
                storage = .dense16(counts)
            }
        case .dense16(var counts):
            storage = .empty
            if counts[code] < UInt16.max {
                counts[code] += 1
                storage = .dense16(counts)
            } else {
                var wide = counts.map(UInt32.init)
                wide[code] += 1
                storage = .dense(wide)
            }
        case .dense(var counts):
            storage = .empty
            counts[code] &+= 1
            storage = .dense(counts)
        }
    }

    private static func densify(_ codes: [UInt16]) -> [UInt32] {
        var counts = [UInt32](repeating: 0, count: 2 * binCount)
        for c in codes { counts[Int(c)] &+= 1 }
        return counts
    }

    /// The dense counts (allocated for sparse storage).
    private var denseCounts: [UInt32]? {
        switch storage {
        case .empty: return nil
        case .sparse(let codes): return Self.densify(codes)
        case .dense16(let counts): return counts.map(UInt32.init)
        case .dense(let counts): return counts
        }
    }

    /// Adds every observation of `other`.
    public mutating func merge(_ other: ScoreHistogram) {
        switch (storage, other.storage) {
        case (_, .empty):
            return
        case (.empty, _):
            storage = other.storage
        case (.sparse(var mine), .sparse(let theirs)) where mine.count + theirs.count <= Self.sparseLimit:
            storage = .empty
            mine.append(contentsOf: theirs)
            storage = .sparse(mine)
        default:
            var counts: [UInt32]
            if case .dense(let c) = storage { counts = c } else { counts = denseCounts! }
            storage = .empty
            switch other.storage {
            case .sparse(let theirs):
                for c in theirs { counts[Int(c)] &+= 1 }
            case .dense16(let theirs):
                counts.withUnsafeMutableBufferPointer { mine in
                    theirs.withUnsafeBufferPointer { t in
                        for i in 0..<mine.count { mine[i] &+= UInt32(t[i]) }
                    }
                }
            case .dense(let theirs):
                counts.withUnsafeMutableBufferPointer { mine in
                    theirs.withUnsafeBufferPointer { t in
                        for i in 0..<mine.count { mine[i] &+= t[i] }
                    }
                }
            case .empty:
                break
            }
            storage = .dense(counts)
        }
    }

    /// How many positives were observed.
    public var positiveCount: UInt64 {
        switch storage {
        case .empty: return 0
        case .sparse(let codes): return UInt64(codes.count { $0 & 1 == 0 })
        case .dense16(let counts):
            var total: UInt64 = 0
            for b in stride(from: 0, to: counts.count, by: 2) { total += UInt64(counts[b]) }
            return total
        case .dense(let counts):
            var total: UInt64 = 0
            for b in stride(from: 0, to: counts.count, by: 2) { total += UInt64(counts[b]) }
            return total
        }
    }

    /// Area under the ROC curve, or nil when there are no positives or no negatives (undefined).
    public var rocAUC: Double? {
        guard let counts = denseCounts else { return nil }
        var negativesBelow = 0.0, area = 0.0, positives = 0.0
        for b in 0..<Self.binCount {
            let pos = Double(counts[2 * b]), neg = Double(counts[2 * b + 1])
            area += pos * (negativesBelow + 0.5 * neg)
            negativesBelow += neg
            positives += pos
        }
        guard positives > 0, negativesBelow > 0 else { return nil }
        return area / (positives * negativesBelow)
    }
}

extension ScoreHistogram {
    /// The ROC AUC expected when every observation's score is the probability that it is
    /// positive (estimated performance, NannyML's `estimate_roc_auc`): in descending order of
    /// score, each bin adds `count · p` expected positives and `count · (1 − p)` expected
    /// negatives, `p` the bin's centre; the area under the resulting curve. Both flags count.
    /// nil when there are no observations, or no expected positives or negatives.
    public var expectedROCAUC: Double? {
        guard let counts = denseCounts else { return nil }
        var tp = 0.0, area = 0.0, fpTotal = 0.0
        for b in stride(from: Self.binCount - 1, through: 0, by: -1) {
            let n = Double(counts[2 * b]) + Double(counts[2 * b + 1])
            guard n > 0 else { continue }
            let p = (Double(b) + 0.5) / Double(Self.binCount)
            let dtp = n * p, dfp = n * (1 - p)
            area += dfp * (tp + 0.5 * dtp)
            tp += dtp
            fpTotal += dfp
        }
        guard tp > 0, fpTotal > 0 else { return nil }
        return area / (tp * fpTotal)
    }
}

extension [ScoreHistogram] {
    /// Grows to `count` histograms (one per class index), the new ones empty.
    mutating func grow(to count: Int) {
        if self.count < count { append(contentsOf: repeatElement(ScoreHistogram(), count: count - self.count)) }
    }

    /// Adds `other`'s histograms class by class, growing as needed.
    mutating func merge(_ other: [ScoreHistogram]) {
        grow(to: other.count)
        for k in other.indices { self[k].merge(other[k]) }
    }
}

extension ScoreHistogram: Equatable {
    /// Equal when they hold the same counts, whatever the storage.
    public static func == (a: ScoreHistogram, b: ScoreHistogram) -> Bool { a.denseCounts == b.denseCounts }
}

extension ScoreHistogram: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        switch storage {
        case .empty: w.integer(UInt8(0))
        case .sparse(let codes):
            w.integer(UInt8(1))
            w.array(codes) { $0.integer($1) }
        case .dense(let counts):
            w.integer(UInt8(2))
            w.array(counts) { $0.integer($1) }
        case .dense16(let counts):
            w.integer(UInt8(3))
            w.array(counts) { $0.integer($1) }
        }
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        switch try r.integer(UInt8.self) {
        case 0: storage = .empty
        case 1: storage = .sparse(try r.array { (r) throws(SnapshotError) in try r.integer(UInt16.self) })
        case 2:
            let counts = try r.array { (r) throws(SnapshotError) in try r.integer(UInt32.self) }
            guard counts.count == 2 * Self.binCount else { throw .invalid("score histogram with \(counts.count) bins") }
            storage = .dense(counts)
        case 3:
            let counts = try r.array { (r) throws(SnapshotError) in try r.integer(UInt16.self) }
            guard counts.count == 2 * Self.binCount else { throw .invalid("score histogram with \(counts.count) bins") }
            storage = .dense16(counts)
        case let tag: throw .invalid("score histogram storage \(tag)")
        }
    }
}
