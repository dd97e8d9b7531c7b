// SPDX-License-Identifier: Apache-2.0
// The ring of slices across window edges, with a manual clock.

import Testing
@testable import MWStats

/// A minimal slice: a count and a sum.
private struct Tally: WindowSlice, Equatable {
    var count = 0
    var sum = 0.0
    mutating func merge(_ other: Tally) {
        count += other.count
        sum += other.sum
    }
}

@Suite struct SlidingWindowTests {
    private func window() -> SlidingWindow<Tally> { SlidingWindow(length: 300, sliceCount: 60, empty: Tally()) }

    @Test func eventsStayUntilTheirSliceSlidesOut() {
        var w = window()
        w.update(at: 12) { $0.count += 1; $0.sum += 2 }  // slice 2: [10, 15)
        #expect(w.merged(at: 12) == Tally(count: 1, sum: 2))
        #expect(w.merged(at: 309.999).count == 1)  // slices 2…61
        #expect(w.merged(at: 310).count == 0)       // slices 3…62
    }

    @Test func sliceBoundariesAreHalfOpen() {
        var w = window()
        w.update(at: 14.999) { $0.count += 1 }  // slice 2
        w.update(at: 15) { $0.count += 10 }     // slice 3
        #expect(w.merged(at: 310).count == 10)
        #expect(w.merged(at: 315).count == 0)
    }

    @Test func ringPositionsAreRecycledWithoutLeakingOldCounts() {
        var w = window()
        w.update(at: 0) { $0.count += 5 }    // slice 0, ring position 0
        w.update(at: 300) { $0.count += 1 }  // slice 60, ring position 0 again
        #expect(w.merged(at: 300).count == 1)
    }

    @Test func sumsOverManySlicesAndExpiryAfterALongGap() {
        var w = window()
        for second in 0..<300 { w.update(at: Double(second)) { $0.count += 1 } }
        #expect(w.merged(at: 299.999).count == 300)  // slices 0…59
        #expect(w.merged(at: 300).count == 295)      // slices 1…60: seconds 0–4 slid out
        #expect(w.merged(at: 305).count == 290)      // slices 2…61
        #expect(w.merged(at: 10_000).count == 0)
    }

    @Test func lateEventsOlderThanTheRingAreDropped() {
        var w = window()
        w.update(at: 1000) { $0.count += 1 }
        w.update(at: 1000 - 300) { $0.count += 100 }  // same ring position, older slice: ignored
        #expect(w.merged(at: 1000).count == 1)
    }

    @Test func memoryIsFixed() {
        var w = SlidingWindow(length: 60, sliceCount: 6, empty: BucketHistogram(upperBounds: [1, 2]))
        for i in 0..<100_000 { w.update(at: Double(i) * 0.01) { $0.observe(1.5) } }
        let merged = w.merged(at: 999.99)
        #expect(merged.count == 6_000)  // the last 60 s at 100 events/s
        #expect(merged.counts == [0, 6_000, 0])
    }

    /// The cached merge must always equal the plain merge: random updates (also into older
    /// slices, as label coverage does) interleaved with reads at a clock that moves forward.
    @Test func cachedMergeEqualsPlainMerge() {
        var w = window()
        var rng = SystemRandomNumberGenerator()
        var now = 1_000.0
        for _ in 0..<5_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5: w.update(at: now) { $0.count += 1; $0.sum += 1 }
            case 5: w.update(at: now - Double.random(in: 0..<400, using: &rng)) { $0.count += 10 }
            case 6..<8: now += Double.random(in: 0..<20, using: &rng)
            default: #expect(w.mergedCaching(at: now) == w.merged(at: now))
            }
        }
    }
}
