// SPDX-License-Identifier: Apache-2.0
// Serialises a response head and body into one buffer, written with a single send.

import MWNative

#if canImport(Glibc)
import Glibc
#endif

/// Turns ``HTTPResponse`` values into bytes on the wire.
enum HTTPResponseWriter {
    /// Bodies smaller than this are not worth compressing.
    static let minimumGzipBytes = 256

    /// Appends the serialised response to `out`.
    /// - Parameters:
    ///   - response: what the handler built.
    ///   - isHead: a `HEAD` request: headers as for `GET`, no body.
    ///   - keepAlive: false adds `Connection: close`.
    ///   - gzip: the client accepts gzip; compress a compressible body above the threshold
    ///     (zlib level 1 from 64 KiB: a large scrape compresses 3× faster for ~15 % more bytes).
    ///   - date: the cached `Date` value.
    static func write(_ response: HTTPResponse, isHead: Bool, keepAlive: Bool, minorVersion: Int, gzip: Bool,
                      date: String, into out: inout [UInt8]) {
        var body = response.body
        var encoded = false
        if gzip && response.compressible && body.count >= minimumGzipBytes && response.headers["Content-Encoding"] == nil,
           let compressed = try? Gzip.compress(body, level: body.count >= 64 * 1024 ? 1 : 6) {
            body = compressed
            encoded = true
        }
        out.append(contentsOf: "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n".utf8)
        out.append(contentsOf: "Server: modelwatch\r\nDate: ".utf8)
        out.append(contentsOf: date.utf8)
        out.append(contentsOf: "\r\n".utf8)
        for field in response.headers.fields {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if encoded { out.append(contentsOf: "Content-Encoding: gzip\r\n".utf8) }
        if response.compressible && response.body.count >= minimumGzipBytes {
            out.append(contentsOf: "Vary: Accept-Encoding\r\n".utf8)
        }
        if !response.status.forbidsBody {
            out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if minorVersion == 0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        if !isHead && !response.status.forbidsBody { out.append(contentsOf: body) }
    }

    /// The interim response sent before reading a body the client held back.
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// A complete `503` for connections refused at the connection limit.
    static let serviceUnavailable: [UInt8] = {
        let body = #"{"error":{"code":"too_many_connections","message":"the server is at its connection limit; retry later","details":[]}}"#
        return Array(("HTTP/1.1 503 Service Unavailable\r\nServer: modelwatch\r\nContent-Type: application/json\r\n"
            + "Retry-After: 1\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8)
    }()
}

/// The IMF-fixdate of the current second, recomputed at most once a second.
struct HTTPDateCache {
    private var second: Int = -1
    private(set) var value: String = ""

    mutating func refresh() {
        var now = time(nil)
        guard now != second else { return }
        second = now
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        value = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
