// SPDX-License-Identifier: Apache-2.0
// Cascading windows must read exactly as one sliding window per length would.

import MWTestSupport
import Testing
@testable import MWStats

private struct Tally: WindowSlice, Equatable {
    var count = 0
    var sum = 0.0
    mutating func merge(_ other: Tally) {
        count += other.count
        sum += other.sum
    }
}

@Suite struct CascadingWindowsTests {
    @Test func commonUnitOfTheDefaultWindowsIsFiveSeconds() {
        #expect(CascadingWindows<Tally>.commonUnit([5, 60, 1440]) == 5)
        #expect(CascadingWindows<Tally>.commonUnit([7, 60]) == 1)
        #expect(CascadingWindows<Tally>.commonUnit([0.5, 60]) == nil, "below a second: direct updates")
        #expect(CascadingWindows<Tally>.commonUnit([10.0 / 3, 60]) == nil, "not whole milliseconds")
    }

    @Test(arguments: [[300.0, 3600, 86400], [420, 3600], [30, 100]])
    func readsMatchOneSlidingWindowPerLength(lengths: [Double]) {
        var cascade = CascadingWindows(lengths: lengths, sliceCount: 60, empty: Tally())
        var direct = lengths.map { SlidingWindow(length: $0, sliceCount: 60, empty: Tally()) }
        var rng = SplitMix(seed: 42)
        var now = 1_700_000_000.0
        for step in 0..<20_000 {
            now += Double(rng.next() % 4000) / 1000  // 0–4 s apart: many units, some slices skipped
            if step % 997 == 0 { now += 3000 }       // gaps longer than the short windows
            let x = Double(rng.next() % 100)
            cascade.update(at: now) { $0.count += 1; $0.sum += x }
            for w in direct.indices { direct[w].update(at: now) { $0.count += 1; $0.sum += x } }
            if step % 37 == 0 {
                for w in lengths.indices {
                    let later = now + Double(rng.next() % 5000) / 1000
                    #expect(cascade.merged(window: w, at: later) == direct[w].merged(at: later), "snapshot at \(later)")
                }
            }
            if step % 101 == 0 {
                for w in lengths.indices {
                    #expect(cascade.mergedCaching(window: w, at: now) == direct[w].merged(at: now))
                }
            }
        }
    }

    @Test func aClockSteppingBackStillCounts() {
        var cascade = CascadingWindows(lengths: [300, 3600], sliceCount: 60, empty: Tally())
        cascade.update(at: 1000) { $0.count += 1 }
        cascade.update(at: 990) { $0.count += 1 }
        #expect(cascade.merged(window: 0, at: 1000).count == 2)
        #expect(cascade.mergedCaching(window: 1, at: 1000).count == 2)
    }
}
