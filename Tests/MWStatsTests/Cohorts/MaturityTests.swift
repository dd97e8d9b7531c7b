// SPDX-License-Identifier: Apache-2.0
// Matured windows: only predictions older than the maturity delay, fixed or the observed p90.

import Testing
@testable import MWStats

@Suite struct MaturityTests {
    static func options(_ maturity: Maturity?) -> ModelOptions {
        var o = ModelOptions()
        o.task = .binary
        o.minSamples = 1
        o.cohortSlice = 100
        o.labelTTL = 1000
        o.windows = [WindowSpec(name: "50s", seconds: 50), WindowSpec(name: "5m", seconds: 300)]
        o.maturity = maturity
        return o
    }

    /// Predictions at t = 0, 10, 20, … 1990 (one every 10 s), each labelled `delay(i)` later.
    static func run(_ maturity: Maturity?, delay: (Int) -> Double, now: Double) -> (ModelState, [Double]) {
        var state = ModelState(name: "m", options: options(maturity), key: FingerprintKey(k0: 3, k1: 4))
        let t0 = 1_700_000_000.0
        var events: [(t: Double, label: Bool, i: Int)] = []
        for i in 0..<200 {
            events.append((t0 + Double(i) * 10, false, i))
            events.append((t0 + Double(i) * 10 + delay(i), true, i))
        }
        events.sort { ($0.t, $0.label ? 1 : 0) < ($1.t, $1.label ? 1 : 0) }
        for e in events where e.t <= t0 + now {
            if e.label {
                _ = state.ingest(labels: [(0, LabelEvent(id: "p\(e.i)", label: .number(Double(e.i % 2)), timestamp: e.t))], now: e.t)
            } else {
                var p = PredictionEvent()
                p.id = "p\(e.i)"
                p.prediction = .number(1)
                p.score = 0.7
                p.timestamp = e.t
                _ = state.ingest(predictions: [(0, p)], now: e.t)
            }
        }
        return (state, (0..<200).map { t0 + Double($0) * 10 })
    }

    @Test func aFixedMaturityShiftsTheWindowBackInWholeSlices() {
        let now = 1500.0
        var (state, times) = Self.run(.fixed(150), delay: { _ in 30 }, now: now)
        let report = state.report(now: 1_700_000_000 + now)
        let matured = report.versions[0].matured
        #expect(matured.map(\.name) == ["5m"], "a window shorter than the cohort slice has no matured form")
        // Slices back 2…4 of the current one (maturity 150 s → 2 slices, 5 m → 3 slices).
        let current = ((1_700_000_000 + now) / 100).rounded(.down)
        let members = times.filter { t in (current - 4...current - 2).contains((t / 100).rounded(.down)) && t <= 1_700_000_000 + now }
        #expect(matured.first?.performance.predictions == UInt64(members.count) && members.count == 30)
        #expect(matured.first?.performance.labelled == 30 && matured.first?.performance.outcomes == 30)
        #expect(matured.first?.performance.classification?.accuracy == 0.5)
        #expect(report.versions[0].labelProfile.maturity == 150)
    }

    @Test func autoMaturityIsTheObservedNinetiethPercentileDelay() {
        // Nine in ten labels within 40 s, the rest after 250 s: p90 in the (10, 60] bucket.
        var (state, _) = Self.run(.auto, delay: { $0 % 10 == 9 ? 250 : 40 }, now: 1990)
        #expect(state.report(now: 1_700_001_990).versions[0].labelProfile.maturity == 60)
        // Four in ten late: the p90 is in the (60, 300] bucket.
        var (late, _) = Self.run(.auto, delay: { $0 % 10 >= 6 ? 250 : 40 }, now: 1990)
        let report = late.report(now: 1_700_001_990)
        #expect(report.versions[0].labelProfile.maturity == 300)
        #expect(report.versions[0].matured.first?.performance.predictions == 30)  // slices back 3…5
    }

    @Test func noMaturityNoMaturedWindowsAndNoLabelsNoAutoMaturity() {
        var (none, _) = Self.run(nil, delay: { _ in 30 }, now: 900)
        #expect(none.report(now: 1_700_000_900).versions[0].matured.isEmpty)
        var (unlabelled, _) = Self.run(.auto, delay: { _ in 10_000 }, now: 900)
        let report = unlabelled.report(now: 1_700_000_900)
        #expect(report.versions[0].labelProfile.maturity == nil && report.versions[0].matured.isEmpty)
    }
}

@Suite struct CohortSettingsTests {
    @Test func changingTheCohortSliceStartsTheRingsOverAndKeepsTheRest() throws {
        var (state, _) = MaturityTests.run(nil, delay: { _ in 30 }, now: 1500)
        let now = 1_700_001_500.0
        let before = state.report(now: now).versions[0]
        #expect(before.cohorts.first?.performance.predictions ?? 0 > 0)
        var options = state.options
        options.cohortSlice = 50
        options.cohorts = [CohortSpec(name: "0-100s", lower: 0, upper: 100)]
        try state.update(options: options)
        let after = state.report(now: now).versions[0]
        #expect(after.cohorts.map(\.name) == ["0-100s"] && after.cohorts[0].performance.predictions == 0)
        #expect(after.predictions == before.predictions && after.labels == before.labels)
        // New predictions land in the new ring, in 50-second slices.
        var p = PredictionEvent()
        p.id = "new"
        p.prediction = .number(1)
        _ = state.ingest(predictions: [(0, p)], now: now)
        #expect(state.report(now: now + 60).versions[0].cohorts[0].performance.predictions == 1)
        #expect(state.report(now: now + 120).versions[0].cohorts[0].performance.predictions == 0)
    }
}
