// SPDX-License-Identifier: Apache-2.0
// What the cohort ring says at one instant: cohorts by age, matured windows, the label profile.

/// The performance of predictions grouped by when they were made: a cohort (`1d-2d`) or a
/// matured window (the window's predictions shifted back by the maturity delay).
public struct CohortReport: Sendable {
    /// The cohort's name, or the window's for a matured window.
    public let name: String
    /// The predictions made in the cohort's time span, those of them whose label has arrived,
    /// their outcomes (with `label_on_expiry`, the expired ones too) and their metrics.
    public let performance: PerformanceSummary
    /// The estimate for the same predictions (no ROC AUC), below `min_samples` nil: set
    /// beside the realised metrics, a gap says the calibration no longer holds (concept drift).
    public let estimated: EstimatedMetrics?
}

/// How the labels of a version's predictions come in (all from the cohort ring, so by
/// prediction time and without the bias of counting young predictions).
public struct LabelProfile: Sendable {
    /// For 1 h, 1 d and 7 d: the share of the predictions made at least that long ago (and
    /// one slice more) labelled within that delay; nil when the ring holds none that old.
    public let labelledWithin: [(name: String, seconds: Double, share: Double?)]
    /// The label coverage of the predictions whose labels can no longer arrive (older than
    /// the label TTL): what today's predictions can be expected to reach. nil before any.
    public let expectedFinalCoverage: Double?
    /// Labels that never met their prediction, of all labels that were matched or not.
    public let unmatchedShare: Double?
    /// The maturity delay in force (nil: no matured windows).
    public let maturity: Double?
}

extension ModelState {
    /// Bytes the cohort rings of every version hold, as their snapshot form writes them (the
    /// counters, histograms and expected counts; the arrays' own headers come on top).
    public var cohortRingBytes: Int {
        versionStates.reduce(0) { total, version in
            var w = SnapshotWriter()
            version.cohorts.write(to: &w)
            return total + w.bytes.count
        }
    }

    /// The cohorts of `options.cohorts` for version `v` at `now`.
    func cohortReports(version v: Int, now: Double) -> [CohortReport] {
        let ring = versionStates[v].cohorts
        let slice = options.cohortSlice
        return options.cohorts.map { spec in
            let back = Int((spec.lower / slice).rounded()), through = Int((spec.upper / slice).rounded()) - 1
            return cohortReport(name: spec.name, ring.merged(slicesBack: back...max(back, through), at: now))
        }
    }

    /// The matured windows of version `v` at `now`: for each window at least a cohort slice
    /// long, the predictions made between `maturity` and `maturity + window` ago (in whole
    /// slices: the maturity rounded up, the window rounded to the nearest).
    func maturedReports(version v: Int, now: Double) -> [CohortReport] {
        guard let maturity = maturityInUse(version: v) else { return [] }
        let ring = versionStates[v].cohorts
        let slice = options.cohortSlice
        let first = Int((maturity / slice).rounded(.up))
        return options.windows.filter { $0.seconds >= slice }.map { window in
            let count = max(1, Int((window.seconds / slice).rounded()))
            return cohortReport(name: window.name, ring.merged(slicesBack: first...(first + count - 1), at: now))
        }
    }

    /// The maturity delay of version `v`: the fixed setting, or with `auto` the upper bound
    /// of the label-delay bucket holding the 90th percentile (nil before any label), at most
    /// what the cohort ring can hold behind the longest window.
    func maturityInUse(version v: Int) -> Double? {
        switch options.maturity {
        case nil: return nil
        case .fixed(let seconds): return seconds
        case .auto:
            let delays = versionStates[v].labelDelay
            guard delays.count > 0 else { return nil }
            let target = 0.9 * Double(delays.count)
            let p90 = delays.cumulativeBuckets.first { Double($0.count) >= target }?.upperBound ?? options.labelTTL
            let longest = options.windows.map(\.seconds).max() ?? 0
            return min(p90, Double(options.cohortSliceCount - 1) * options.cohortSlice - longest)
        }
    }

    /// The label profile of version `v` at `now`.
    func labelProfile(version v: Int, now: Double) -> LabelProfile {
        let state = versionStates[v]
        let ring = state.cohorts
        let slice = options.cohortSlice
        let last = ring.sliceCount - 1
        // Slices `back` ≥ d/slice + 1 hold only predictions at least d old.
        func older(than d: Double) -> CohortSlice? {
            let first = Int((d / slice).rounded(.up)) + 1
            return first <= last ? ring.merged(slicesBack: first...last, at: now) : nil
        }
        let within = labelProfileDelays.enumerated().map { k, delay -> (String, Double, Double?) in
            guard let old = older(than: delay.seconds), old.performance.predictions > 0 else { return (delay.name, delay.seconds, nil) }
            return (delay.name, delay.seconds, Double(old.labelledWithin(k)) / Double(old.performance.predictions))
        }
        var final: Double?
        if let done = older(than: options.labelTTL), done.performance.predictions > 0 {
            final = Double(done.performance.labelled) / Double(done.performance.predictions)
        }
        let labels = state.labels.matched + state.labels.unmatched
        return LabelProfile(labelledWithin: within, expectedFinalCoverage: final,
                            unmatchedShare: labels > 0 ? Double(state.labels.unmatched) / Double(labels) : nil,
                            maturity: maturityInUse(version: v))
    }

    private func cohortReport(name: String, _ slice: CohortSlice) -> CohortReport {
        let p = slice.performance
        return CohortReport(name: name,
                            performance: PerformanceSummary(p, task: task, binaryScores: task == .binary, minSamples: UInt64(max(1, options.minSamples))),
                            estimated: p.estimated.count >= UInt64(max(1, options.minSamples)) ? EstimatedMetrics(p.estimated) : nil)
    }
}
