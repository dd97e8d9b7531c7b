// SPDX-License-Identifier: Apache-2.0
// A configuration problem that names the key (and line) to fix.

/// A bad configuration: the dotted key path, the line when the YAML parser knows it, and why.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// Dotted path of the offending key, e.g. `limits.max_body_bytes` or `models.fraud.task`.
    public let key: String
    /// 1-based line in the file, when known.
    public let line: Int?
    public let message: String

    public init(key: String, line: Int?, message: String) {
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return key.isEmpty ? "config\(location): \(message)" : "config key '\(key)'\(location): \(message)"
    }
}
