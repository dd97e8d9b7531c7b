// SPDX-License-Identifier: Apache-2.0
// A minimal blocking HTTP/1.1 client over a raw socket: the `demo` command and the server tests.

import Foundation
public import MWSockets

/// A response as the client read it.
public struct HTTPClientResponse {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One keep-alive TCP connection; sends raw bytes or requests and reads responses one at a
/// time (`Content-Length` framing, as modelwatch answers). Blocking: for tools and tests.
public final class BlockingHTTPClient {
    public let socket: Socket
    private var buffer: [UInt8] = []
    public private(set) var closed = false

    public convenience init(port: UInt16, timeout: Double = 5) throws {
        try self.init(address: SocketAddress(parsing: "127.0.0.1:\(port)"), timeout: timeout)
    }

    public init(address: SocketAddress, timeout: Double = 5) throws {
        socket = try Socket.connect(to: address)
        try socket.setReceiveTimeout(seconds: timeout)
    }

    deinit { socket.close() }

    public func send(_ text: String) throws { try socket.writeAll(Array(text.utf8)) }
    public func send(_ bytes: [UInt8]) throws { try socket.writeAll(bytes) }

    /// Reads more bytes; false on end-of-file or timeout.
    @discardableResult
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(socket.fileDescriptor, $0.baseAddress, $0.count, 0) }
        if n <= 0 { closed = true; return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response (`head`: the request was HEAD, so no body follows). Nil if the server closed first.
    public func readResponse(head: Bool = false) -> HTTPClientResponse? {
        while true {
            if let end = find(Array("\r\n\r\n".utf8)) {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst().split(separator: " ")
                guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
                let headers = lines.map { line -> (String, String) in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
                }
                let length = head || status < 200 || status == 204 ? 0
                    : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                while buffer.count < end + 4 + length { if !fill() { return nil } }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeSubrange(0..<(end + 4 + length))
                return HTTPClientResponse(status: status, headers: headers, body: body)
            }
            if !fill() { return nil }
        }
    }

    /// True when the server closed the connection (end-of-file within the receive timeout).
    public func waitForClose() -> Bool {
        while !closed { if !fill() { break } }
        return closed
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

extension BlockingHTTPClient {
    /// Sends one GET and reads its response.
    public func get(_ path: String, headers: String = "") throws -> HTTPClientResponse? {
        try send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
        return readResponse()
    }

    /// Sends one request with a body and reads its response.
    public func request(_ method: String, _ path: String, body: [UInt8], contentType: String = "application/json") throws -> HTTPClientResponse? {
        try send("\(method) \(path) HTTP/1.1\r\nHost: modelwatch\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n")
        try send(body)
        return readResponse()
    }
}
