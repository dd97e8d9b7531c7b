// SPDX-License-Identifier: Apache-2.0
// Prints figures for the decoder and the statistics core, one core, no HTTP:
// Run: swift run -c release stats-bench
// 1. the event scanner against Foundation's JSONDecoder on the SPEC's prediction shape;
// 2. ModelState ingestion (join insert, windows, histograms) of decoded events;
// 3. reports of 100 models x 3 windows with every one of the 60 slices of every window filled
//    (the worst case of the merge on read), which the HTTP benchmark cannot reach quickly.

import CLinux
import Foundation
import MWDaemon
import MWStats

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(of runs: Int, _ body: () -> Void) -> Double { (0..<runs).map { _ in seconds(body) }.min()! }

/// A fast, seeded generator (the system one costs a syscall per number).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: Cohorts: the memory of a week of cohort slices

/// `--cohort-memory`: a binary model with a calibrated reference, label_ttl 7d, 1-hour cohort
/// slices and maturity on, fed 8 days of traffic (`--per-hour` predictions an hour, 80 % of them
/// labelled, most within hours), so that every slice of the ring is busy; prints the ring's
/// bytes and the heap the whole model took (mallinfo2).
if CommandLine.arguments.contains("--cohort-memory") {
    let perHour = CommandLine.arguments.firstIndex(of: "--per-hour").map { Int(CommandLine.arguments[$0 + 1])! } ?? 2000
    var rng = SplitMix64(seed: 11)
    func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
    let heapBefore = mallinfo2().uordblks
    var options = ModelOptions()
    options.task = .binary
    options.maturity = .auto
    var state = ModelState(name: "m", options: options, key: FingerprintKey(k0: 1, k1: 2))
    var reference = ReferenceBuilder()
    for _ in 0..<5000 {
        var e = PredictionEvent()
        let s = uniform()
        e.prediction = .number(s >= 0.5 ? 1 : 0)
        e.score = s
        e.label = .number(uniform() < s * s ? 1 : 0)
        reference.add(e)
    }
    state.install(reference: try! reference.build(task: .binary, options: options, strict: true, positiveClass: "1"))
    let t0 = 1_700_000_000.0
    var pendingLabels: [(t: Double, id: String, y: Double)] = []
    var n = 0
    for hour in 0..<(8 * 24) {
        var batch: [(index: Int, event: PredictionEvent)] = []
        let now = t0 + Double(hour) * 3600
        for k in 0..<perHour {
            var e = PredictionEvent()
            let s = uniform()
            e.id = "p\(n)"
            e.prediction = .number(s >= 0.5 ? 1 : 0)
            e.score = s
            batch.append((k, e))
            if uniform() < 0.8 { pendingLabels.append((now + 3600 * -Foundation.log(max(uniform(), 1e-12)) * 6, "p\(n)", uniform() < s * s ? 1 : 0)) }
            n += 1
        }
        _ = state.ingest(predictions: batch, now: now)
        let due = pendingLabels.filter { $0.t < now + 3600 }
        pendingLabels.removeAll { $0.t < now + 3600 }
        _ = state.ingest(labels: due.enumerated().map { ($0.offset, LabelEvent(id: $0.element.id, label: .number($0.element.y))) }, now: now + 1800)
    }
    _ = state.report(now: t0 + 8 * 86400)
    let heapAfter = mallinfo2().uordblks
    print("cohort ring, label_ttl 7d, 1h slices, maturity on (\(options.cohortSliceCount) slices), \(perHour) predictions/h for 8 days:")
    print(String(format: "  cohort ring %.0f KB as written; the whole model %.1f MB of heap (join, windows, ring)",
                 Double(state.cohortRingBytes) / 1024, Double(heapAfter - heapBefore) / 1_048_576))
    exit(0)
}

// MARK: Features: decode and track 10 or 50 features per event against a reference

/// NDJSON events with `features` features (80 % numeric), ids unique per `tag`.
func wideEvents(_ count: Int, features: Int, tag: String) -> [UInt8] {
    var out = ""
    var rng = SplitMix64(seed: UInt64(features))
    for i in 0..<count {
        out += #"{"id":"\#(tag)-\#(i)","features":{"#
        for j in 0..<features {
            if j > 0 { out += "," }
            if j < features * 8 / 10 {
                out += #""f\#(j)":\#(Double(Int.random(in: 0..<100_000, using: &rng)) / 1000)"#
            } else {
                out += #""f\#(j)":"\#(["a", "b", "c", "d"].randomElement(using: &rng)!)""#
            }
        }
        out += #"},"prediction":1,"score":0.87}"# + "\n"
    }
    return Array(out.utf8)
}

func featureBench(features: Int, repeats: Int, events n: Int = 20_000) -> (decode: Double, ingest: Double) {
    var options = ModelOptions()
    options.task = .binary
    var state = ModelState(name: "wide", options: options, key: .random())
    var builder = ReferenceBuilder()
    for (_, e) in try! EventDecoder.predictions(wideEvents(2000, features: features, tag: "r"), ndjson: true, limits: EventLimits()).events {
        builder.add(e)
    }
    state.install(reference: try! builder.build(task: .binary, options: options, strict: true))
    // The best of the repeats: this shared VM's neighbours slow some runs by 10-20 %.
    var decodeTime = Double.infinity, ingestTime = Double.infinity
    for r in 0..<repeats {
        let body = wideEvents(n, features: features, tag: "w\(r)")
        var events: [(index: Int, event: PredictionEvent)] = []
        decodeTime = min(decodeTime, seconds { events = try! EventDecoder.predictions(body, ndjson: true, limits: EventLimits()).events })
        ingestTime = min(ingestTime, seconds { _ = state.ingest(predictions: events, now: 1_700_000_000 + Double(r)) })
    }
    return (Double(n) / decodeTime, Double(n) / ingestTime)
}

if let i = CommandLine.arguments.firstIndex(of: "--decode-wide"), i + 1 < CommandLine.arguments.count {  // profiling
    let body = wideEvents(20_000, features: Int(CommandLine.arguments[i + 1])!, tag: "d")
    let t = seconds { for _ in 0..<10 { _ = try! EventDecoder.predictions(body, ndjson: true, limits: EventLimits()) } }
    print(String(format: "decode %.0fk events/s", 200_000 / t / 1e3))
    exit(0)
}
if let i = CommandLine.arguments.firstIndex(of: "--features-only"), i + 1 < CommandLine.arguments.count {
    let f = Int(CommandLine.arguments[i + 1])!
    // `--events N` shortens the run for an instruction count:
    // valgrind --tool=callgrind --toggle-collect='*EventDecoder*predictions*' --toggle-collect='*ModelState*ingest*predictions*' …
    let e = CommandLine.arguments.firstIndex(of: "--events").map { Int(CommandLine.arguments[$0 + 1])! } ?? 20_000
    let r = featureBench(features: f, repeats: 10, events: e)
    print(String(format: "features %d: decode %.0fk events/s, track %.0fk events/s", f, r.decode / 1e3, r.ingest / 1e3))
    exit(0)
}
for f in CommandLine.arguments.contains("--drift-only") ? [] : [10, 50] {
    let r = featureBench(features: f, repeats: 3)
    print(String(format: "features %2d per event: decode %.0fk events/s, track against a reference %.0fk events/s (%.1fM values/s); both %.0fk events/s",
                 f, r.decode / 1e3, r.ingest / 1e3, r.ingest * Double(f) / 1e6, 1 / (1 / r.decode + 1 / r.ingest) / 1e3))
}

// MARK: Drift end to end in-process: the work Evidently's report does

/// NDJSON rows of `columns` normal numeric features (the first `shifted` moved by one std).
func numericRows(_ count: Int, columns: Int, shifted: Int, seed: UInt64, ids: Bool) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out = ""
    for i in 0..<count {
        out += ids ? #"{"id":"w\#(i)","features":{"# : #"{"features":{"#
        for j in 0..<columns {
            let u = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), v = Double(rng.next() >> 11) / Double(1 << 53)
            let z = (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v) + (j < shifted ? 1 : 0)
            out += (j > 0 ? "," : "") + #""f\#(j)":\#((z * 1e6).rounded() / 1e6)"#
        }
        out += #"},"prediction":0.5}"# + "\n"
    }
    return Array(out.utf8)
}

if CommandLine.arguments.contains("--drift-only") || !CommandLine.arguments.contains("--features-only") {
    let rows = 10_000
    let referenceBody = numericRows(rows, columns: 20, shifted: 0, seed: 1, ids: false)
    let windowBody = numericRows(rows, columns: 20, shifted: 10, seed: 2, ids: true)
    var options = ModelOptions()
    options.task = .regression
    var decodeTimes: [Double] = [], statisticsTimes: [Double] = []
    var drifted = 0
    for _ in 0..<5 {
        var referenceRows: [(index: Int, event: PredictionEvent)] = [], windowEvents = referenceRows
        decodeTimes.append(seconds {
            referenceRows = try! EventDecoder.referenceRows(referenceBody, ndjson: true, limits: EventLimits()).events
            windowEvents = try! EventDecoder.predictions(windowBody, ndjson: true, limits: EventLimits()).events
        })
        var state = ModelState(name: "evidently", options: options, key: .random())
        statisticsTimes.append(seconds {
            var builder = ReferenceBuilder()
            for (_, e) in referenceRows { builder.add(e) }
            state.install(reference: try! builder.build(task: .regression, options: options, strict: true))
            _ = state.ingest(predictions: windowEvents, now: 1_700_000_000)
            drifted = state.report(now: 1_700_000_000).versions[0].windows[0].drift.features.filter { $0.drifted == true }.count
        })
    }
    print(String(format: "drift    10,000-row reference + 10,000-row window x 20 numeric features, in process: %.1f ms from decoded rows (summarise the reference, track the window, every statistic of 3 windows) + %.1f ms decoding both NDJSON bodies; %d of 20 drifted",
                 statisticsTimes.min()! * 1000, decodeTimes.min()! * 1000, drifted))
    if CommandLine.arguments.contains("--drift-only") { exit(0) }
}

// MARK: 1. Decoding

let eventCount = 100_000
var ndjson = ""
for i in 0..<eventCount {
    ndjson += #"{"id":"req-\#(i)","version":"v3","timestamp":1732430000.5,"features":{"amount":123.45,"country":"ES","age":37,"is_new":true,"coupon":null},"prediction":1,"score":0.87,"latency_ms":12.5}"#
    ndjson += "\n"
}
let body = Array(ndjson.utf8)

/// The same event as Codable, the way a JSONDecoder-based server would read it.
struct CodableEvent: Decodable {
    enum Value: Decodable {
        case number(Double), string(String), bool(Bool), null
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
        }
    }
    let id: String?
    let version: String?
    let timestamp: Double?
    let features: [String: Value]?
    let prediction: Value?
    let score: Double?
    let latency_ms: Double?
}

var decodedCount = 0
let scannerTime = best(of: 5) {
    decodedCount = (try? EventDecoder.predictions(body, ndjson: true, limits: EventLimits()))?.events.count ?? 0
}
precondition(decodedCount == eventCount)
let lines = ndjson.split(separator: "\n").map { Data($0.utf8) }
let decoder = JSONDecoder()
let jsonDecoderTime = best(of: 2) {
    var n = 0
    for line in lines where (try? decoder.decode(CodableEvent.self, from: line)) != nil { n += 1 }
    precondition(n == eventCount)
}
print(String(format: "decode   scanner %.2f M events/s, JSONDecoder %.2f M events/s (%.0fx), %d-byte events",
             Double(eventCount) / scannerTime / 1e6, Double(eventCount) / jsonDecoderTime / 1e6, jsonDecoderTime / scannerTime,
             body.count / eventCount))

if CommandLine.arguments.contains("--decode-only") {  // for profiling the scanner alone
    for _ in 0..<20 { _ = try? EventDecoder.predictions(body, ndjson: true, limits: EventLimits()) }
    exit(0)
}

// MARK: 2. Ingestion into the statistics core

let decoded = try! EventDecoder.predictions(body, ndjson: true, limits: EventLimits()).events
var options = ModelOptions()
options.task = .binary
let ingestTime = best(of: 3) {
    var state = ModelState(name: "bench", options: options, key: .random())
    _ = state.ingest(predictions: decoded, now: 1_700_000_000)
}
print(String(format: "ingest   %.2f M predictions/s into one model (join, 3 windows, latency histogram)",
             Double(eventCount) / ingestTime / 1e6))

// MARK: 3. Reports with every slice filled

var models: [ModelState] = []
let now = 1_700_086_400.0
var generator = SystemRandomNumberGenerator()
for m in 0..<100 {
    var o = ModelOptions()
    o.task = [.binary, .multiclass, .regression][m % 3]
    o.minSamples = 1
    var state = ModelState(name: "model-\(m)", options: o, key: .random())
    // One outcome every 5 s for 24 h touches every slice of the 5m, 1h and 24h windows.
    var t = now - 86_400 + 1
    var i = 0
    while t <= now {
        var p = PredictionEvent()
        p.id = "e\(i)"
        let y = Bool.random(using: &generator)
        switch o.task! {
        case .binary:
            p.prediction = .number(y ? 1 : 0)
            p.score = Double.random(in: 0...1, using: &generator)
        case .multiclass:
            p.prediction = .string(["a", "b", "c"].randomElement(using: &generator)!)
            p.scores = [ClassScore(className: "a", probability: 0.5), ClassScore(className: "b", probability: 0.3),
                        ClassScore(className: "c", probability: 0.2)]
        case .regression:
            p.prediction = .number(Double.random(in: 0...100, using: &generator))
        }
        p.label = o.task == .regression ? .number(50) : o.task == .multiclass ? .string("b") : .number(y ? 1 : 0)
        _ = state.ingest(predictions: [(0, p)], now: t)
        t += 5
        i += 1
    }
    models.append(state)
}
var reported = 0
let coldTime = best(of: 5) {
    reported = 0
    for m in models.indices { reported += models[m].snapshotReport(now: now).versions[0].windows.filter { $0.performance.classification != nil || $0.performance.regression != nil }.count }
}
for m in models.indices { _ = models[m].report(now: now) }  // fills the caches of older slices
let warmTime = best(of: 5) {
    for m in models.indices { _ = models[m].report(now: now + 1) }
}
print(String(format: "report   100 models x 3 windows, all 60 slices filled: %.2f ms merging every slice, %.2f ms with older slices cached (%d windows with metrics)",
             coldTime * 1000, warmTime * 1000, reported))
