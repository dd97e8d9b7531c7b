// SPDX-License-Identifier: Apache-2.0
// Feature names to column indices, resolved once per shared name list.

/// Maps the positions of an event's features to column indices. The events of one body share
/// their ``FeatureNames`` when they list the same names, so the names are resolved once per
/// list, not once per value: later events with the same list reuse the columns by identity.
struct FeatureColumnMap: Sendable {
    private var names: FeatureNames?
    /// The column of each position of `names`; −1 when not tracked.
    private(set) var columns: [Int32] = []

    /// The columns of `names`, position by position; `lookup` resolves a name (nil: not tracked).
    @inline(__always)
    mutating func columns(of names: FeatureNames, lookup: (String) -> Int?) -> [Int32] {
        if names !== self.names { resolve(names, lookup) }
        return columns
    }

    private mutating func resolve(_ names: FeatureNames, _ lookup: (String) -> Int?) {
        self.names = names
        columns = names.names.map { lookup($0).map(Int32.init) ?? -1 }
    }

    /// Forgets the resolved list (when columns may have been added or dropped).
    mutating func reset() {
        names = nil
        columns = []
    }
}
