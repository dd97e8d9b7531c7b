// SPDX-License-Identifier: Apache-2.0
// `modelwatch demo`: simulated model traffic against a running daemon.

import ArgumentParser
import Foundation
import MWHTTP
import MWSockets

/// Posts predictions of a fictitious fraud model, then their labels after a delay, so that a
/// fresh install has something to scrape, chart and alert on. After `--drift-after` seconds
/// the inputs shift (data drift) and the relation between inputs and labels changes (concept
/// drift): accuracy falls and the drift metrics move.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send simulated model traffic to a running modelwatch.")

    @Option(name: .long, help: "The daemon's base URL.")
    var target = "http://127.0.0.1:9464"

    @Option(name: .long, help: "Predictions per second.")
    var rate = 50.0

    @Option(name: .customLong("drift-after"), help: "Seconds of normal traffic before the data and the labels drift.")
    var driftAfter = 300.0

    @Option(name: .long, help: "Model name to post to.")
    var model = "demo"

    @Option(name: .customLong("label-delay"), help: "Labels arrive up to this many seconds after their prediction.")
    var labelDelay = 30.0

    @Option(name: .long, help: "Stop after this many seconds (default: run until interrupted).")
    var duration: Double?

    func validate() throws {
        guard rate > 0 && rate <= 100_000 else { throw ValidationError("--rate must be in (0, 100000]") }
        guard labelDelay >= 0 else { throw ValidationError("--label-delay must be >= 0") }
        _ = try address()
    }

    /// `http://HOST:PORT` (HOST an IP address or localhost) → socket address.
    func address() throws -> SocketAddress {
        var rest = Substring(target)
        guard rest.hasPrefix("http://") else { throw ValidationError("--target must be http://HOST:PORT (https is not supported by demo)") }
        rest = rest.dropFirst(7)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let text = rest.hasPrefix("localhost:") ? "127.0.0.1" + rest.dropFirst(9) : String(rest)
        do { return try SocketAddress(parsing: text.contains(":") ? text : text + ":80") } catch {
            throw ValidationError("--target \(target): \(error)")
        }
    }

    func run() throws {
        let client = try BlockingHTTPClient(address: try address(), timeout: 10)
        let settings = #"{"task": "binary", "positive_class": "1", "label_ttl": "1h"}"#
        guard let put = try client.request("PUT", "/v1/models/\(model)", body: Array(settings.utf8)), put.status < 300 else {
            throw ValidationError("cannot create model \(model) at \(target)")
        }
        // The reference: 2,000 rows of the world the model was trained on, labels included.
        var training = DemoSimulation(seed: 20_240_601)
        let rows = (0..<2000).map { _ in training.next(drifted: false).referenceRow }
        guard let reference = try client.request("PUT", "/v1/models/\(model)/reference", body: Array(rows.joined(separator: "\n").utf8),
                                                 contentType: "application/x-ndjson"), reference.status == 200 else {
            throw ValidationError("cannot upload the reference of model \(model) to \(target)")
        }
        var simulation = DemoSimulation(seed: UInt64(Date().timeIntervalSince1970))
        var pendingLabels: [(due: Double, line: String)] = []
        let start = Date().timeIntervalSince1970
        var sent = 0, labelled = 0, lastReport = start
        print("demo: posting \(rate) predictions/s to \(target)/v1/models/\(model); drift after \(driftAfter) s; Ctrl-C to stop")
        while true {
            let tickStart = Date().timeIntervalSince1970
            let elapsed = tickStart - start
            if let duration, elapsed >= duration { break }
            let drifted = elapsed >= driftAfter
            let count = simulation.eventsThisTick(rate: rate, tick: 0.1)
            var lines: [String] = []
            for _ in 0..<count {
                let event = simulation.next(drifted: drifted)
                lines.append(event.prediction)
                pendingLabels.append((tickStart + simulation.uniform() * labelDelay, event.label))
            }
            if !lines.isEmpty {
                _ = try client.request("POST", "/v1/models/\(model)/predictions", body: Array(lines.joined(separator: "\n").utf8),
                                       contentType: "application/x-ndjson")
                sent += lines.count
            }
            let due = pendingLabels.filter { $0.due <= tickStart }
            if !due.isEmpty {
                pendingLabels.removeAll { $0.due <= tickStart }
                _ = try client.request("POST", "/v1/models/\(model)/labels", body: Array(due.map(\.line).joined(separator: "\n").utf8),
                                       contentType: "application/x-ndjson")
                labelled += due.count
            }
            if tickStart - lastReport >= 5 {
                print("demo: \(Int(elapsed)) s, \(sent) predictions, \(labelled) labels\(drifted ? " (drifted)" : "")")
                lastReport = tickStart
            }
            let spent = Date().timeIntervalSince1970 - tickStart
            if spent < 0.1 { Thread.sleep(forTimeInterval: 0.1 - spent) }
        }
        print("demo: done, \(sent) predictions, \(labelled) labels")
    }
}

/// The fictitious model: fraud scores from amount, country, age and account age.
struct DemoSimulation {
    private var state: UInt64
    private var counter = 0
    private var carry = 0.0

    init(seed: UInt64) { state = seed | 1 }

    /// xorshift64*: a small deterministic generator, uniform in [0, 1).
    mutating func uniform() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
    }

    mutating func normal() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Whole events for one tick at `rate`, carrying the fraction over.
    mutating func eventsThisTick(rate: Double, tick: Double) -> Int {
        carry += rate * tick
        let whole = Int(carry)
        carry -= Double(whole)
        return whole
    }

    /// One prediction line, its label line (NDJSON) and the two as one reference row.
    mutating func next(drifted: Bool) -> (prediction: String, label: String, referenceRow: String) {
        counter += 1
        let id = "demo-\(state % 1_000_000)-\(counter)"
        let amount = Foundation.exp(normal() * 0.8 + (drifted ? 5.2 : 4.0))
        let countries = drifted ? ["US", "US", "BR", "ES", "IN"] : ["ES", "FR", "DE", "ES", "IT"]
        let country = countries[Int(uniform() * Double(countries.count))]
        let age = max(18, min(90, 40 + normal() * 12))
        let isNew = uniform() < (drifted ? 0.5 : 0.2)
        // The truth; after the drift, new accounts stop mattering and foreign ones start to.
        var logit = -2.2 + 0.6 * (Foundation.log(amount) - 4) + (age < 25 ? 0.6 : 0)
        logit += drifted ? (country == "BR" || country == "IN" ? 1.4 : 0) : (isNew ? 1.3 : 0)
        let fraud = uniform() < 1 / (1 + Foundation.exp(-logit))
        // The model learnt the old world.
        let modelLogit = -2.2 + 0.6 * (Foundation.log(amount) - 4) + (age < 25 ? 0.6 : 0) + (isNew ? 1.3 : 0) + normal() * 0.3
        let score = 1 / (1 + Foundation.exp(-modelLogit - (fraud ? (drifted ? 0.1 : 1.2) : -0.4)))
        let latency = 5 + uniform() * 20
        let prediction = String(format: #"{"id":"%@","features":{"amount":%.2f,"country":"%@","age":%.0f,"is_new":%@},"prediction":%d,"score":%.4f,"latency_ms":%.1f}"#,
                                id, amount, country, age, isNew ? "true" : "false", score >= 0.5 ? 1 : 0, score, latency)
        let label = #"{"id":"\#(id)","label":\#(fraud ? 1 : 0)}"#
        return (prediction, label, String(prediction.dropLast()) + #","label":\#(fraud ? 1 : 0)}"#)
    }
}
