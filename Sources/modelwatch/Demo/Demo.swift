// SPDX-License-Identifier: Apache-2.0
// `modelwatch demo`: simulated traffic of three models against a running daemon.

import ArgumentParser
import Foundation
import MWHTTP
import MWSockets

/// Posts the traffic of three fictitious models — a binary fraud model, a multiclass churn
/// model with per-class scores and a regression demand forecast — so that a fresh install has
/// something to scrape, chart and alert on. Each model gets its settings and a reference drawn
/// from its training world, then predictions and, after a delay, their labels. After
/// `--drift-after` seconds the inputs shift (data drift) and the relation between inputs and
/// outcomes changes (concept drift): the performance falls and the drift metrics move.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send simulated traffic of three models to a running modelwatch.")

    @Option(name: .long, help: "The daemon's base URL.")
    var target = "http://127.0.0.1:9464"

    @Option(name: .long, help: "Predictions per second, per model.")
    var rate = 50.0

    @Option(name: .customLong("drift-after"), help: "Seconds of normal traffic before the data and the outcomes drift.")
    var driftAfter = 120.0

    @Option(name: .long, help: "Models to simulate, comma-separated: fraud, churn, demand.")
    var models = "fraud,churn,demand"

    @Option(name: .long, help: "Prefix of the models' names (e.g. 'demo-' posts to demo-fraud).")
    var prefix = ""

    @Option(name: .customLong("label-delay"), help: "Labels arrive up to this many seconds after their prediction.")
    var labelDelay = 30.0

    @Option(name: .long, help: "Stop after this many seconds (default: run until interrupted).")
    var duration: Double?

    @Option(name: .customLong("canary-share"), help: "Share of the traffic the canary version v2 gets (fraud: worse scores; demand: noisier forecasts; compared with v1, the baseline).")
    var canaryShare = 0.2

    @Option(name: .long, help: "Predictions per model of the past week sent first, stamped back in time, with the labels that have come in since (a day on average, a fifth never): the cohort, maturity and label-profile panels fill at once. 0: none.")
    var history = 1500

    func validate() throws {
        guard rate > 0 && rate <= 100_000 else { throw ValidationError("--rate must be in (0, 100000]") }
        guard labelDelay >= 0 else { throw ValidationError("--label-delay must be >= 0") }
        guard history >= 0 && history <= 1_000_000 else { throw ValidationError("--history must be in [0, 1000000]") }
        guard canaryShare >= 0 && canaryShare < 1 else { throw ValidationError("--canary-share must be in [0, 1)") }
        _ = try selected()
        _ = try address()
    }

    /// The names `--models` lists, checked.
    func selected() throws -> [String] {
        let names = models.split(separator: ",").map(String.init)
        for name in names where !DemoModels.names.contains(name) {
            throw ValidationError("--models: unknown model '\(name)'; choose from \(DemoModels.names.joined(separator: ", "))")
        }
        return names
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

    /// One simulated model's traffic under way.
    private struct Stream {
        let name: String
        var model: any DemoModel
        var pendingLabels: [(due: Double, line: String)] = []
    }

    func run() throws {
        let client = try BlockingHTTPClient(address: try address(), timeout: 10)
        let seed = UInt64(Date().timeIntervalSince1970)
        var streams: [Stream] = []
        for (i, model) in try selected().enumerated() {
            let name = prefix + model
            try setUp(name, model, client: client)
            streams.append(Stream(name: name, model: DemoModels.make(model, seed: seed &+ UInt64(i) &* 7919)!))
            try sendHistory(of: &streams[streams.count - 1], client: client)
        }
        let start = Date().timeIntervalSince1970
        var sent = 0, labelled = 0, lastReport = start, carry = 0.0
        print("demo: posting \(rate) predictions/s per model to \(target) for \(streams.map(\.name).joined(separator: ", ")); drift after \(driftAfter) s; Ctrl-C to stop")
        while true {
            let tickStart = Date().timeIntervalSince1970
            let elapsed = tickStart - start
            if let duration, elapsed >= duration { break }
            let drifted = elapsed >= driftAfter
            carry += rate * 0.1
            let count = Int(carry)
            carry -= Double(count)
            for s in streams.indices {
                var lines: [String] = []
                for _ in 0..<count {
                    let event = streams[s].model.next(drifted: drifted, canary: Double.random(in: 0..<1) < canaryShare)
                    lines.append(event.prediction)
                    streams[s].pendingLabels.append((tickStart + Double.random(in: 0...1) * labelDelay, event.label))
                    // A client with a bug now and then (1 %, 3 % after the drift): the daemon
                    // rejects the event (422) and counts it in modelwatch_events_rejected_total.
                    if Double.random(in: 0..<1) < (drifted ? 0.03 : 0.01) {
                        lines.append(#"{"id":"demo-bad-\#(sent + lines.count)","features":{},"prediction":null,"latency_ms":-1}"#)
                    }
                }
                if !lines.isEmpty {
                    try post(lines, to: "/v1/models/\(streams[s].name)/predictions", client: client)
                    sent += lines.count
                }
                let due = streams[s].pendingLabels.filter { $0.due <= tickStart }
                if !due.isEmpty {
                    streams[s].pendingLabels.removeAll { $0.due <= tickStart }
                    try post(due.map(\.line), to: "/v1/models/\(streams[s].name)/labels", client: client)
                    labelled += due.count
                }
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

    /// Creates the model with its settings and uploads 2,000 rows of its training world.
    private func setUp(_ name: String, _ model: String, client: BlockingHTTPClient) throws {
        var training = DemoModels.make(model, seed: 20_240_601)!
        guard let put = try client.request("PUT", "/v1/models/\(name)", body: Array(training.settings.utf8)), put.status < 300 else {
            throw ValidationError("cannot create model \(name) at \(target)")
        }
        let rows = (0..<2000).map { _ in training.next(drifted: false, canary: false).referenceRow }
        guard let reference = try client.request("PUT", "/v1/models/\(name)/reference", body: Array(rows.joined(separator: "\n").utf8),
                                                 contentType: "application/x-ndjson"), reference.status == 200 else {
            throw ValidationError("cannot upload the reference of model \(name) to \(target)")
        }
    }

    /// `--history` predictions made over the past week (their `timestamp` set back), and the
    /// labels of those whose label delay (exponential, a day on average; a fifth never come)
    /// has passed.
    private func sendHistory(of stream: inout Stream, client: BlockingHTTPClient) throws {
        guard history > 0 else { return }
        let now = Date().timeIntervalSince1970
        var predictions: [String] = [], labels: [String] = []
        for _ in 0..<history {
            let event = stream.model.next(drifted: false, canary: false)
            let made = now - Double.random(in: 600..<(7 * 86400 - 3600))
            predictions.append(#"{"timestamp":\#(Int(made)),"# + event.prediction.dropFirst())
            guard Double.random(in: 0..<1) >= 0.2 else { continue }
            let delay = -86400 * Foundation.log(Double.random(in: Double.ulpOfOne..<1))
            if made + delay < now { labels.append(#"{"timestamp":\#(Int(made + delay)),"# + event.label.dropFirst()) }
        }
        for chunk in stride(from: 0, to: predictions.count, by: 500) {
            try post(Array(predictions[chunk..<min(chunk + 500, predictions.count)]), to: "/v1/models/\(stream.name)/predictions", client: client)
        }
        for chunk in stride(from: 0, to: labels.count, by: 500) {
            try post(Array(labels[chunk..<min(chunk + 500, labels.count)]), to: "/v1/models/\(stream.name)/labels", client: client)
        }
        print("demo: \(stream.name): \(predictions.count) predictions of the past week, \(labels.count) of their labels")
    }

    private func post(_ lines: [String], to path: String, client: BlockingHTTPClient) throws {
        guard let r = try client.request("POST", path, body: Array(lines.joined(separator: "\n").utf8), contentType: "application/x-ndjson") else {
            throw ValidationError("no answer from \(target)\(path)")
        }
        if r.status >= 300 && r.status != 422 { throw ValidationError("\(path): \(r.status) \(r.text)") }
    }
}
