// SPDX-License-Identifier: Apache-2.0
// A YAML node with its key path and line, and typed accessors that fail with a ConfigurationError.

import Yams

/// A node of the config file being decoded. Every accessor names the key and line on failure.
struct YAMLValue {
    let node: Node
    let path: String

    var line: Int? { node.mark.map { $0.line } }

    func fail(_ message: String) -> ConfigurationError {
        ConfigurationError(key: path, line: line, message: message)
    }

    func child(_ key: String, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The entries of a mapping; a key outside `allowed` is an error naming it.
    func mapping(allowed: Set<String>? = nil) throws(ConfigurationError) -> [(key: String, value: YAMLValue)] {
        guard case .mapping(let mapping) = node else { throw fail("expected a mapping (key: value pairs)") }
        var out: [(key: String, value: YAMLValue)] = []
        var seen = Set<String>()
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else { throw fail("keys must be plain strings") }
            let key = scalar.string
            let value = child(key, valueNode)
            if let allowed, !allowed.contains(key) {
                throw ConfigurationError(key: value.path, line: keyNode.mark?.line,
                                         message: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else {
                throw ConfigurationError(key: value.path, line: keyNode.mark?.line, message: "key appears twice")
            }
            out.append((key, value))
        }
        return out
    }

    func sequence() throws(ConfigurationError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw fail("expected a list") }
        return sequence.enumerated().map { YAMLValue(node: $0.element, path: "\(path)[\($0.offset)]") }
    }

    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw fail("expected a string") }
        return scalar.string
    }

    func int(min: Int = Int.min, max: Int = Int.max) throws(ConfigurationError) -> Int {
        let text = String(try string().filter { $0 != "_" })
        guard let value = Int(text) else { throw fail("expected a whole number, got '\(text)'") }
        guard value >= min && value <= max else { throw fail("\(value) is out of range \(min)…\(max)") }
        return value
    }

    func double(min: Double = -.greatestFiniteMagnitude, max: Double = .greatestFiniteMagnitude) throws(ConfigurationError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else { throw fail("expected a number, got '\(text)'") }
        guard value >= min && value <= max else { throw fail("\(text) is out of range \(min)…\(max)") }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw fail("expected true or false, got '\(other)'")
        }
    }

    /// A Prometheus-style duration such as `90s`, `5m`, `7d`.
    func duration(positive: Bool = true) throws(ConfigurationError) -> Double {
        let text = try string()
        guard let seconds = DurationParser.seconds(text) else {
            throw fail("'\(text)' is not a duration; write it like 90s, 5m, 1h, 7d")
        }
        if positive && seconds <= 0 { throw fail("the duration must be greater than zero") }
        return seconds
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ConfigurationError) -> E where E.RawValue == String {
        let text = try string()
        guard let value = E(rawValue: text) else {
            throw fail("'\(text)' is not one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
