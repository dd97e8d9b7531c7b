// SPDX-License-Identifier: Apache-2.0
// The naming rules of SPEC section 3 for models, versions and features.

/// Validates the names users choose.
public enum Names {
    /// Model names and versions: `[A-Za-z0-9_.:-]{1,64}`.
    public static func isValidModelName(_ name: String) -> Bool {
        let u = name.utf8
        guard (1...64).contains(u.count) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") }
    }

    /// Feature names: `[A-Za-z_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidFeatureName(_ name: String) -> Bool {
        let u = name.utf8
        guard let first = u.first, (1...128).contains(u.count), isAlpha(first) || first == UInt8(ascii: "_") else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static let modelNameRule = "[A-Za-z0-9_.:-]{1,64}"
    static let featureNameRule = "[A-Za-z_][A-Za-z0-9_.-]{0,127}"

    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }
    private static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || (c >= 0x30 && c <= 0x39) }
}
