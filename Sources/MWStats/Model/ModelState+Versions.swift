// SPDX-License-Identifier: Apache-2.0
// A model's versions and classes: lookup, creation under the limits, the positive class.

extension ModelState {
    /// A prediction left the join without its label (TTL or `max_pending`).
    mutating func countExpired(_ prediction: PendingPrediction) {
        let v = Int(prediction.version)
        versions[v].labels.expired += 1
        versions[v].pending -= 1
    }

    mutating func versionIndex(for name: String) throws(EventRejection) -> Int {
        if let v = versionIndex[name] { return v }
        guard versions.count < options.maxVersions else {
            throw EventRejection(field: "version", reason: .tooManyVersions,
                                 message: "model \(self.name) already tracks \(options.maxVersions) versions (limits.max_versions); DELETE the model to start over")
        }
        return addVersion(name)
    }

    mutating func addVersion(_ name: String) -> Int {
        versions.append(VersionState(name: name, options: options))
        versionIndex[name] = versions.count - 1
        return versions.count - 1
    }

    /// The version an unjoined label is counted under: its own when known, else `default`.
    mutating func versionForLabel(_ name: String?) -> Int {
        if let name, let v = versionIndex[name] { return v }
        return versionIndex["default"] ?? addVersion("default")
    }

    /// The positive class of a binary model: the setting, else `"true"` when the classes are
    /// booleans, else `"1"`.
    public var positiveClassName: String {
        if let p = options.positiveClass { return p }
        return classes.index(of: "true") != nil || classes.index(of: "false") != nil ? "true" : "1"
    }

    var positiveIndex: Int { classes.index(of: positiveClassName) ?? -1 }
}
