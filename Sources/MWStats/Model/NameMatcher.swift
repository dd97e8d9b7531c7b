// SPDX-License-Identifier: Apache-2.0
// Feature names to column indices, matched by position before hashing.

/// Maps the feature names of successive events to column indices. Producers send the same
/// features in the same order, so the name at position *i* is first compared with the previous
/// event's name at *i* (a short string comparison); only a mismatch costs a hash lookup.
struct NameMatcher: Sendable {
    private var recent: [(name: String, column: Int)] = []

    /// The column of `name`, the feature at `position` of its event; `lookup` resolves names
    /// not matched by position (nil: not tracked, and not remembered).
    @inline(__always)
    mutating func column(at position: Int, named name: String, lookup: (String) -> Int?) -> Int? {
        if position < recent.count, recent[position].name == name { return recent[position].column }
        guard let c = lookup(name) else { return nil }
        if position < recent.count {
            recent[position] = (name, c)
        } else if position == recent.count {
            recent.append((name, c))
        }
        return c
    }
}
