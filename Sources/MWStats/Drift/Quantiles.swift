// SPDX-License-Identifier: Apache-2.0
// Quantiles exactly as numpy's default (`method="linear"`) computes them.

/// numpy's linear-interpolation quantiles, bit for bit: the virtual index is `(n − 1)·q`, and
/// the interpolation `a + (b − a)·t` is computed from the upper end (`b − (b − a)·(1 − t)`) when
/// `t ≥ 0.5`, as `numpy.lib._function_base_impl._lerp` does.
public enum Quantiles {
    /// The `q`-quantile of `sorted` (ascending, non-empty), `q` in [0, 1].
    public static func linear(_ sorted: [Double], _ q: Double) -> Double {
        let n = sorted.count
        let virtual = Double(n - 1) * q
        if virtual >= Double(n - 1) { return sorted[n - 1] }
        if virtual < 0 { return sorted[0] }
        let previous = virtual.rounded(.down)
        let t = virtual - previous
        let a = sorted[Int(previous)], b = sorted[Int(previous) + 1]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}
