// SPDX-License-Identifier: Apache-2.0
// The ordered hash table against a dictionary model, including forced collisions.

import Testing
@testable import MWStats

@Suite struct FingerprintQueueTests {
    @Test func insertFindPopInOrder() {
        var q = FingerprintQueue<Int>()
        for i in 0..<100 { q.insert(Fingerprint(low: UInt64(i), high: 0), arrival: Double(i), payload: i) }
        #expect(q.count == 100)
        #expect(q.find(Fingerprint(low: 42, high: 0))?.payload == 42)
        #expect(q.find(Fingerprint(low: 42, high: 1)) == nil)
        #expect(q.popOldest()?.payload == 0)
        #expect(q.oldest?.payload == 1)
        #expect(q.find(Fingerprint(low: 0, high: 0)) == nil)
    }

    @Test func removedEntriesAreGoneAndReclaimedAtTheHead() {
        var q = FingerprintQueue<Int>()
        for i in 0..<10 { q.insert(Fingerprint(low: UInt64(i), high: 7), arrival: 0, payload: i) }
        #expect(q.remove(Fingerprint(low: 3, high: 7))?.payload == 3)
        #expect(q.find(Fingerprint(low: 3, high: 7)) == nil)
        #expect(q.count == 9)
        q.insert(Fingerprint(low: 3, high: 7), arrival: 1, payload: 33)  // re-inserted after removal
        #expect(q.find(Fingerprint(low: 3, high: 7))?.payload == 33)
        for expected in [0, 1, 2, 4, 5, 6, 7, 8, 9, 33] { #expect(q.popOldest()?.payload == expected) }
        #expect(q.isEmpty)
    }

    /// Every key shares its low bits, so every probe walks one long run: deletion must keep it intact.
    @Test func collidingKeysSurviveRandomOperations() {
        var q = FingerprintQueue<Int>()
        var model: [Fingerprint: Int] = [:]
        var order: [Fingerprint] = []
        var rng = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll < 6 {
                let key = Fingerprint(low: UInt64(Int.random(in: 0..<4, using: &rng)) << 32 | UInt64(step), high: UInt64(step))
                q.insert(key, arrival: Double(step), payload: step)
                model[key] = step
                order.append(key)
            } else if roll < 8, let first = order.first {
                let popped = q.popOldest()
                #expect(popped?.key == first)
                model[first] = nil
                order.removeFirst()
            } else if let victim = order.randomElement(using: &rng) {
                #expect(q.remove(victim)?.payload == model[victim])
                model[victim] = nil
                order.removeAll { $0 == victim }
            }
            #expect(q.count == model.count)
        }
        for (key, value) in model { #expect(q.find(key)?.payload == value) }
    }
}
