// SPDX-License-Identifier: Apache-2.0
// The score histogram's storage tiers (sparse, 16-bit, 32-bit) against plain counts.

import MWTestSupport
import Testing
@testable import MWStats

@Suite struct ScoreHistogramTests {
    /// Plain counts: [2·bin + (positive ? 0 : 1)].
    static func plain(_ observations: [(Double, Bool)]) -> [UInt64] {
        var counts = [UInt64](repeating: 0, count: 2 * ScoreHistogram.binCount)
        for (s, p) in observations { counts[2 * ScoreHistogram.bin(s) + (p ? 0 : 1)] += 1 }
        return counts
    }

    static func plainAUC(_ counts: [UInt64]) -> Double? {
        var below = 0.0, area = 0.0, positives = 0.0
        for b in 0..<ScoreHistogram.binCount {
            let pos = Double(counts[2 * b]), neg = Double(counts[2 * b + 1])
            area += pos * (below + 0.5 * neg)
            below += neg
            positives += pos
        }
        return positives > 0 && below > 0 ? area / (positives * below) : nil
    }

    /// NannyML's expected AUC over the bins' centres, both flags counted.
    static func plainExpectedAUC(_ counts: [UInt64]) -> Double? {
        var tp = 0.0, area = 0.0, fp = 0.0
        for b in (0..<ScoreHistogram.binCount).reversed() {
            let n = Double(counts[2 * b] + counts[2 * b + 1])
            let p = (Double(b) + 0.5) / Double(ScoreHistogram.binCount)
            area += n * (1 - p) * (tp + 0.5 * n * p)
            tp += n * p
            fp += n * (1 - p)
        }
        return tp > 0 && fp > 0 ? area / (tp * fp) : nil
    }

    static func roundTrip(_ h: ScoreHistogram) throws -> ScoreHistogram {
        var w = SnapshotWriter()
        h.write(to: &w)
        var r = SnapshotReader(w.bytes)
        return try ScoreHistogram(from: &r)
    }

    /// Seeded random streams of every size class, some crowding one bin past 65,535, merged
    /// in random groupings: counts, AUC and snapshots equal the plain computation.
    @Test func everyTierAgreesWithPlainCounts() throws {
        var rng = SplitMix(seed: 2026)
        for trial in 0..<12 {
            let sizes = [0, 1, 300, 512, 513, 5_000, 80_000]
            let n = sizes[trial % sizes.count]
            let crowded = trial % 3 == 0
            var observations: [(Double, Bool)] = []
            for _ in 0..<n {
                let s = crowded && rng.next() % 8 != 0 ? 0.0004 : Double(rng.next() % 1_000_000) / 1_000_000
                observations.append((s, rng.next() % 3 == 0))
            }
            // Split into parts, observed separately, then merged.
            var parts: [ScoreHistogram] = [ScoreHistogram(), ScoreHistogram(), ScoreHistogram()]
            for (i, (s, p)) in observations.enumerated() { parts[i % 3 == 0 ? 0 : (i % 7 == 0 ? 1 : 2)].observe(score: s, positive: p) }
            var merged = ScoreHistogram()
            for part in parts.shuffled(using: &rng) { merged.merge(try Self.roundTrip(part)) }
            var whole = ScoreHistogram()
            for (s, p) in observations { whole.observe(score: s, positive: p) }
            let counts = Self.plain(observations)
            #expect(whole == merged, "trial \(trial)")
            #expect(whole.positiveCount == UInt64(observations.count { $0.1 }))
            #expect(merged.positiveCount == whole.positiveCount)
            #expect(whole.rocAUC == Self.plainAUC(counts), "trial \(trial)")
            #expect(merged.rocAUC == Self.plainAUC(counts), "trial \(trial)")
            let expected = Self.plainExpectedAUC(counts)
            for h in [whole, merged] {
                #expect(h.expectedROCAUC.map { abs($0 - expected!) < 1e-12 } ?? (expected == nil), "trial \(trial)")
            }
            #expect(try Self.roundTrip(whole) == whole)
            #expect(whole.isEmpty == observations.isEmpty)
        }
    }
}

