// SPDX-License-Identifier: Apache-2.0
// Bucket boundaries (le is inclusive), cumulative counts, merging.

import Testing
@testable import MWStats

@Suite struct BucketHistogramTests {
    @Test func valuesOnABoundFallInThatBucket() {
        var h = BucketHistogram(upperBounds: [1, 2, 5])
        for v in [0.5, 1, 1.5, 2, 5, 7] { h.observe(v) }
        #expect(h.counts == [2, 2, 1, 1])
        #expect(h.cumulativeBuckets.map(\.count) == [2, 4, 5])
        #expect(h.count == 6)
        #expect(h.sum == 17)
    }

    @Test func nanIsIgnoredInfinityCountsAboveAllBounds() {
        var h = BucketHistogram(upperBounds: [1])
        h.observe(.nan)
        h.observe(.infinity)
        h.observe(-.infinity)
        #expect(h.counts == [1, 1])
        #expect(h.count == 2)
    }

    @Test func mergeAddsCountsAndSums() {
        var a = BucketHistogram(upperBounds: BucketHistogram.latencySeconds)
        var b = a
        a.observe(0.003)
        b.observe(0.003)
        b.observe(20)
        a.merge(b)
        #expect(a.count == 3)
        #expect(a.sum == 20.006)
        #expect(a.cumulativeBuckets.last?.count == 2)  // 20 s is above the last finite bound
    }
}
