// SPDX-License-Identifier: Apache-2.0
// A growable square matrix of counts: actual class × predicted class.

/// Counts of (actual, predicted) class-index pairs. Classes are small integers handed out by
/// the model's class table; the matrix grows when a new index appears. Mergeable.
public struct ConfusionMatrix: Sendable, Equatable {
    /// Number of classes the matrix has room for.
    public private(set) var size: Int = 0
    /// Row-major counts: `cells[actual * size + predicted]`.
    private var cells: [UInt64] = []

    public init() {}

    /// The count of outcomes whose actual class is `actual` and predicted class is `predicted`.
    public subscript(actual: Int, predicted: Int) -> UInt64 {
        actual < size && predicted < size ? cells[actual * size + predicted] : 0
    }

    /// Adds `count` outcomes to a cell, growing the matrix if needed.
    public mutating func add(actual: Int, predicted: Int, count: UInt64 = 1) {
        grow(to: max(actual, predicted) + 1)
        cells[actual * size + predicted] += count
    }

    /// Adds every cell of `other`.
    public mutating func merge(_ other: ConfusionMatrix) {
        guard other.size > 0 else { return }
        grow(to: other.size)
        for a in 0..<other.size {
            for p in 0..<other.size {
                let c = other.cells[a * other.size + p]
                if c != 0 { cells[a * size + p] += c }
            }
        }
    }

    /// Total outcomes.
    public var total: UInt64 { cells.reduce(0, +) }

    /// The non-zero cells, row by row.
    public var nonZeroCells: [(actual: Int, predicted: Int, count: UInt64)] {
        var out: [(Int, Int, UInt64)] = []
        for a in 0..<size {
            for p in 0..<size where cells[a * size + p] != 0 { out.append((a, p, cells[a * size + p])) }
        }
        return out
    }

    private mutating func grow(to newSize: Int) {
        guard newSize > size else { return }
        cells = grownSquare(cells, size: size, to: newSize)
        size = newSize
    }
}

extension ConfusionMatrix: Snapshotted {
    public func write(to w: inout SnapshotWriter) {
        w.int(size)
        w.counts(cells)
    }

    public init(from r: inout SnapshotReader) throws(SnapshotError) {
        self.init()
        size = try r.int()
        cells = try r.counts()
        guard size >= 0, size <= 1 << 16, cells.count == size * size else { throw .invalid("confusion matrix of size \(size) with \(cells.count) cells") }
    }
}
