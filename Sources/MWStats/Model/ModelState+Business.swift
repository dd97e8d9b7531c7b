// SPDX-License-Identifier: Apache-2.0
// Business values of events: names under the model's cap, sums per version and window.

extension ModelState {
    /// Throws when `values` would take the model past `maxBusinessNames` distinct names.
    func checkBusiness(_ values: [BusinessValue]) throws(EventRejection) {
        guard !values.isEmpty else { return }
        let new = values.count { businessNames.index(of: $0.name) == nil }
        guard businessNames.count + new <= options.maxBusinessNames else {
            throw EventRejection(field: "business", reason: .tooManyBusinessValues,
                                 message: "model \(name) already tracks \(businessNames.count) business values (the limit is \(options.maxBusinessNames)); this event names \(new) more")
        }
    }

    /// Adds `values` to version `v`'s totals and to its windows' slices at `now`.
    mutating func recordBusiness(_ values: [BusinessValue], version v: Int, now: Double) {
        guard !values.isEmpty else { return }
        let indexed = values.map { (businessNames.intern($0.name), $0.value) }
        let count = businessNames.count
        if versions[v].businessTotals.count < count {
            versions[v].businessTotals += [Double](repeating: 0, count: count - versions[v].businessTotals.count)
        }
        for (k, x) in indexed { versions[v].businessTotals[k] += x }
        for w in versions[v].windows.indices {
            versions[v].windows[w].update(at: now) { slice in
                if slice.business.count < count { slice.business += [Double](repeating: 0, count: count - slice.business.count) }
                for (k, x) in indexed { slice.business[k] += x }
            }
        }
    }
}
