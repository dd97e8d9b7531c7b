// SPDX-License-Identifier: Apache-2.0
// The demo's deterministic random numbers.

import Foundation

/// xorshift64*: a small deterministic generator, so a seed replays the same traffic; it also
/// numbers the events it draws ids for.
struct DemoRandom {
    private var state: UInt64
    private var counter = 0

    init(seed: UInt64) { state = seed | 1 }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// One of `choices`, uniformly.
    mutating func pick<T>(_ choices: [T]) -> T { choices[min(choices.count - 1, Int(uniform() * Double(choices.count)))] }

    /// An index drawn with the given probabilities (summing to 1).
    mutating func draw(_ probabilities: [Double]) -> Int {
        var u = uniform()
        for (i, p) in probabilities.enumerated() {
            if u < p { return i }
            u -= p
        }
        return probabilities.count - 1
    }

    /// A fresh event id, `prefix-<random>-<n>`: unique within a run, unlikely to repeat across runs.
    mutating func eventID(_ prefix: String) -> String {
        counter += 1
        _ = uniform()
        return "\(prefix)-\(state % 1_000_000)-\(counter)"
    }
}

/// `softmax(logits)`.
func softmax(_ logits: [Double]) -> [Double] {
    let top = logits.max() ?? 0
    let e = logits.map { Foundation.exp($0 - top) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}
