// SPDX-License-Identifier: Apache-2.0
// Prints figures for the decoder and the statistics core, one core, no HTTP:
// Run: swift run -c release stats-bench
// 1. the event scanner against Foundation's JSONDecoder on the SPEC's prediction shape;
// 2. ModelState ingestion (join insert, windows, histograms) of decoded events;
// 3. reports of 100 models x 3 windows with every one of the 60 slices of every window filled
//    (the worst case of the merge on read), which the HTTP benchmark cannot reach quickly.

import Foundation
import MWDaemon
import MWStats

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(of runs: Int, _ body: () -> Void) -> Double { (0..<runs).map { _ in seconds(body) }.min()! }

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
    for m in models.indices { reported += models[m].snapshotReport(now: now).versions[0].windows.filter { $0.classification != nil || $0.regression != nil }.count }
}
for m in models.indices { _ = models[m].report(now: now) }  // fills the caches of older slices
let warmTime = best(of: 5) {
    for m in models.indices { _ = models[m].report(now: now + 1) }
}
print(String(format: "report   100 models x 3 windows, all 60 slices filled: %.2f ms merging every slice, %.2f ms with older slices cached (%d windows with metrics)",
             coldTime * 1000, warmTime * 1000, reported))
