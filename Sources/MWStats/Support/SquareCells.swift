// SPDX-License-Identifier: Apache-2.0
// Row-major square tables indexed by class (actual × predicted) that grow as classes appear.

/// The cells of a row-major `size` × `size` table grown to `newSize` × `newSize`, each cell kept
/// at its row and column, the new ones zero. Serves the confusion matrix and its estimated
/// counterpart, which grow as classes appear.
func grownSquare<T: AdditiveArithmetic>(_ cells: [T], size: Int, to newSize: Int) -> [T] {
    var grown = [T](repeating: .zero, count: newSize * newSize)
    for a in 0..<size {
        for p in 0..<size { grown[a * newSize + p] = cells[a * size + p] }
    }
    return grown
}
