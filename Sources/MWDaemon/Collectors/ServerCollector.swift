// SPDX-License-Identifier: Apache-2.0
// The daemon's own build and connection metrics.

public import MWExposition
import MWHTTP
import MWNative
import MWSockets

/// `modelwatch_build_info{version}`, open connections, connections refused at the limit, and with
/// TLS the handshakes by result and the certificate's expiry.
public struct ServerCollector: Collector {
    public let name = "server"
    let box: ServerBox

    init(server: ServerBox) { self.box = server }

    public func collect(into sink: inout [MetricFamily]) throws {
        guard let server = box.server else { return }
        sink.append(try MetricFamily(name: "modelwatch_build_info", help: "Build information; the value is always 1.",
                                     type: .gauge, series: [MetricSeries(labels: [("version", ModelwatchVersion.current)], 1)]))
        sink.append(try MetricFamily(name: "modelwatch_open_connections", help: "HTTP connections currently open.",
                                     type: .gauge, series: [MetricSeries(Double(server.openConnections))]))
        sink.append(try MetricFamily(name: "modelwatch_refused_connections_total",
                                     help: "Connections answered 503 and closed because the connection limit was reached.",
                                     type: .counter, series: [MetricSeries(Double(server.refusedConnections))]))
        guard let tls = server.configuration.tls else { return }
        let handshakes = server.tlsHandshakeCounts
        sink.append(try MetricFamily(name: "modelwatch_tls_handshakes_total",
                                     help: "TLS handshakes by result: completed, failed (refused version, untrusted client certificate, not TLS) or timeout.",
                                     type: .counter, series: [
                                         MetricSeries(labels: [("result", "completed")], Double(handshakes.completed)),
                                         MetricSeries(labels: [("result", "failed")], Double(handshakes.failed)),
                                         MetricSeries(labels: [("result", "timeout")], Double(handshakes.timedOut)),
                                     ]))
        if let notAfter = tls.context?.certificateNotAfter {
            sink.append(try MetricFamily(name: "modelwatch_tls_certificate_expiry_timestamp_seconds",
                                         help: "When the served TLS certificate expires (unix seconds).",
                                         type: .gauge, series: [MetricSeries(notAfter)]))
        }
    }
}

/// The version this binary reports (`modelwatch version`, `modelwatch_build_info`).
public enum ModelwatchVersion {
    public static let current = "0.1.0"
}

/// Holds the server for collectors built before it (set once, right after construction).
///
/// Weak: the server owns the router, whose `/metrics` route owns the registry and so this box; a
/// strong reference back would keep every daemon's server alive forever (a retain cycle).
/// `@unchecked Sendable`: `server` is read and written only under `lock`.
final class ServerBox: @unchecked Sendable {
    private let lock = Locked(())
    private weak var held: HTTPServer?
    var server: HTTPServer? { lock.withLock { _ in held } }
    func set(_ server: HTTPServer) { lock.withLock { _ in held = server } }
}
