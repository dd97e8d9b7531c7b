// SPDX-License-Identifier: Apache-2.0
// Names interned to small stable indices: a model's classes, its business values.

/// Names, each with a stable index in the order they were first seen (or declared): a model's
/// classes (the indices of its confusion matrix and score histograms) and its business value
/// names (the indices of the windows' sums).
public struct NameTable: Sendable, Equatable {
    public private(set) var names: [String] = []
    private var indices: [String: Int] = [:]

    public init(declared: [String]? = nil) {
        for name in declared ?? [] where indices[name] == nil { intern(name) }
    }

    public var count: Int { names.count }

    public func index(of name: String) -> Int? { indices[name] }

    @discardableResult
    public mutating func intern(_ name: String) -> Int {
        if let index = indices[name] { return index }
        names.append(name)
        indices[name] = names.count - 1
        return names.count - 1
    }
}

extension TargetValue {
    /// The canonical class name of a prediction or label: strings as sent, booleans
    /// `true`/`false`, integral numbers in decimal (`1.0` → `"1"`); nil for a number that is not
    /// a whole number.
    public var className: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let x):
            guard x == x.rounded(), abs(x) < 9.007_199_254_740_992e15 else { return nil }
            return String(Int64(x))
        }
    }
}

extension NameTable: Snapshotted {
    public func write(to w: inout SnapshotWriter) { w.array(names) { $0.string($1) } }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        for name in try r.array({ (r) throws(SnapshotError) in try r.string() }) {
            guard index(of: name) == nil else { throw .invalid("name \(name) twice") }
            intern(name)
        }
    }
}
