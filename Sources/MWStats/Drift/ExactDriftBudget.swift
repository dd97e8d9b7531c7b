// SPDX-License-Identifier: Apache-2.0
// The daemon-wide allowance of memory that exact drift statistics may take.

import Synchronization

/// Bytes the daemon lets references spend on exactness beyond the 200-quantile summary: the
/// values a reference of up to 10,000 rows keeps, and the extra window cells of a reference
/// whose every unique value is a cut point (counted for every slice that may hold them).
/// A reference that does not fit falls back to the summary (statistics within the documented
/// cell bounds); its reservation is returned when it is replaced or its model deleted.
public final class ExactDriftBudget: Sendable, Equatable {
    /// The allowance in bytes (`limits.max_exact_drift_bytes`).
    public let limit: Int
    private let used = Atomic<Int>(0)

    public init(bytes: Int) { limit = bytes }

    /// One allowance is equal only to itself (options sharing it compare equal).
    public static func == (a: ExactDriftBudget, b: ExactDriftBudget) -> Bool { a === b }

    /// Bytes reserved now.
    public var reserved: Int { used.load(ordering: .relaxed) }

    /// Reserves `bytes` if they fit under the limit.
    func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = used.load(ordering: .relaxed)
        while current + bytes <= limit {
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Takes `bytes` back on restore, as the reference that holds them had them: unconditionally
    /// (the memory is in use either way).
    func restore(_ bytes: Int) {
        used.add(bytes, ordering: .relaxed)
    }

    func release(_ bytes: Int) {
        if bytes > 0 { used.subtract(bytes, ordering: .relaxed) }
    }
}
