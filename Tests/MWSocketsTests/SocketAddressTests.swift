// SPDX-License-Identifier: Apache-2.0
// Parsing listen addresses and basic socket round trips on loopback.

import Testing
@testable import MWSockets

@Suite struct SocketAddressTests {
    @Test func parsesIPv4AndIPv6() throws {
        let v4 = try SocketAddress(parsing: "127.0.0.1:9464")
        #expect(v4.host == "127.0.0.1" && v4.port == 9464 && !v4.isIPv6 && v4.isLoopback)
        let v6 = try SocketAddress(parsing: "[::1]:80")
        #expect(v6.isIPv6 && v6.isLoopback && v6.description == "[::1]:80")
        let any = try SocketAddress(parsing: ":9464")
        #expect(any.host == "0.0.0.0" && !any.isLoopback)
        #expect(try SocketAddress(parsing: "localhost:1").host == "127.0.0.1")
    }

    @Test(arguments: ["9464", "host:80", "127.0.0.1:99999", "127.0.0.1:", "[::1:80", "1.2.3:80"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: SocketError.invalidAddress(text)) { try SocketAddress(parsing: text) }
    }

    @Test func listenerAcceptsAndEchoes() throws {
        let listener = try Socket.makeListener(address: SocketAddress(parsing: "127.0.0.1:0"))
        defer { listener.close() }
        let port = try listener.localPort()
        #expect(port > 0)
        let client = try Socket.connect(to: SocketAddress(parsing: "127.0.0.1:\(port)"))
        defer { client.close() }
        var accepted: Socket?
        for _ in 0..<100 where accepted == nil {
            accepted = try listener.accept()
            if accepted == nil { listener.poll(events: 1, timeoutMilliseconds: 10) }
        }
        let server = try #require(accepted)
        defer { server.close() }
        try client.writeAll(Array("ping".utf8))
        server.poll(events: 1, timeoutMilliseconds: 1000)
        var buffer = [UInt8](repeating: 0, count: 16)
        let result = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        #expect(result == .bytes(4))
        #expect(Array(buffer[0..<4]) == Array("ping".utf8))
        #expect(try buffer.withUnsafeMutableBytes { try server.read(into: $0) } == .wouldBlock)
    }

    @Test func bindingABusyPortFailsWithErrno() throws {
        let first = try Socket.makeListener(address: SocketAddress(parsing: "127.0.0.1:0"))
        defer { first.close() }
        let port = try first.localPort()
        #expect(throws: SocketError.self) { try Socket.makeListener(address: SocketAddress(parsing: "127.0.0.1:\(port)")) }
    }
}
