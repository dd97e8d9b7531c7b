// SPDX-License-Identifier: Apache-2.0
// The server over real loopback TCP: keep-alive, pipelining, chunked, 100-continue, limits, timeouts.

import Foundation
import MWNative
import MWSockets
import MWTestSupport
import Testing
@testable import MWHTTP

/// Starts a server on a free port with a test router; shuts it down at the end.
private func withServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                        _ body: (HTTPServer, UInt16) throws -> Void) throws {
    var router = Router()
    router.add("GET", "/hello") { _ in .text("hello\n") }
    router.add("POST", "/echo") { context in
        HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: context.request.body)
    }
    router.add("POST", "/sizes") { context in
        .text("decoded \(context.request.body.count) raw \(context.rawBody.count) encoding \(context.request.headers["Content-Encoding"] ?? "none")\n")
    }
    router.add("GET", "/later", deferred: { context in
        // Answered from another thread after the handler returned (as after a log sync).
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) { context.respond(.text("later done\n")) }
    })
    router.add("GET", "/big") { _ in .text(String(repeating: "metric_line 1\n", count: 2000)) }
    router.add("GET", "/slow", offload: true) { _ in
        Thread.sleep(forTimeInterval: 0.4)
        return .text("slow done\n")
    }
    var configuration = HTTPServerConfiguration(address: try SocketAddress(parsing: "127.0.0.1:0"),
                                                limits: HTTPParserLimits(maxHeaderBytes: 4096, maxBodyBytes: 64 * 1024),
                                                requestTimeout: 0.6, eventLoops: 2)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: router)
    let port = try server.start()
    defer { server.shutdown(gracePeriod: 1) }
    try body(server, port)
}

private let get = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"

@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            for _ in 0..<5 {
                try c.send(get)
                let r = try #require(c.readResponse())
                #expect(r.status == 200)
                #expect(r.text == "hello\n")
                #expect(r.header("Connection") == nil)
            }
        }
    }

    @Test func pipelinedRequestsAnsweredInOrder() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\none" + get
                       + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nthree")
            #expect(c.readResponse()?.text == "one")
            #expect(c.readResponse()?.text == "hello\n")
            #expect(c.readResponse()?.text == "three")
        }
    }

    /// A body larger than one read, sent in pieces with pauses (so the server reads most of it
    /// straight into the request's body), arrives byte for byte; a request pipelined right
    /// behind it in the last piece is answered after it.
    @Test func largeBodyInPiecesThenAPipelinedRequest() throws {
        try withServer({ $0.limits.maxBodyBytes = 1 << 20 }) { _, port in
            let c = try TestClient(port: port)
            let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
            var sent = 0
            for piece in [1, 70_000, 100_000, 128_000] where sent + piece < body.count {
                try c.send(Array(body[sent..<(sent + piece)]))
                sent += piece
                Thread.sleep(forTimeInterval: 0.02)
            }
            try c.send(Array(body[sent...]) + Array(get.utf8))
            let echoed = try #require(c.readResponse())
            #expect(echoed.status == 200)
            #expect(echoed.body == body)
            #expect(c.readResponse()?.text == "hello\n")
        }
    }

    @Test func pipelinedBehindAnOffloadedRequestKeepOrder() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n" + get)
            #expect(c.readResponse()?.text == "slow done\n")
            #expect(c.readResponse()?.text == "hello\n")
        }
    }

    @Test func deferredResponseKeepsOrderAndDoesNotHoldTheLoop() throws {
        try withServer({ $0.eventLoops = 1 }) { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /later HTTP/1.1\r\nHost: t\r\n\r\n" + get)
            // The one loop serves another connection while the first waits for its answer.
            let other = try TestClient(port: port)
            let started = Date()
            try other.send(get)
            #expect(other.readResponse()?.text == "hello\n")
            #expect(Date().timeIntervalSince(started) < 0.3)
            #expect(c.readResponse()?.text == "later done\n")
            #expect(c.readResponse()?.text == "hello\n")  // the pipelined request waited its turn
        }
    }

    @Test func chunkedRequestBody() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
            Thread.sleep(forTimeInterval: 0.05)
            try c.send("5;note=x\r\npedia\r\n0\r\n\r\n")
            #expect(c.readResponse()?.text == "Wikipedia")
        }
    }

    @Test func expectContinueGets100BeforeTheBody() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let interim = try #require(c.readResponse())
            #expect(interim.status == 100)
            try c.send("data")
            let final = try #require(c.readResponse())
            #expect(final.status == 200)
            #expect(final.text == "data")
        }
    }

    @Test func headHasLengthButNoBody() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + get)
            let head = try #require(c.readResponse(head: true))
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "6")
            #expect(head.body.isEmpty)
            #expect(c.readResponse()?.text == "hello\n")  // the next response starts right after the head
        }
    }

    @Test func oversizedContentLengthGets413WithoutSendingTheBody() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
            let r = try #require(c.readResponse())
            #expect(r.status == 413)
            #expect(r.header("Connection") == "close")
            #expect(r.text.contains("\"code\":\"body_too_large\""))
            #expect(c.waitForClose())
        }
    }

    @Test func oversizedHeadersGet431() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 5000))\r\n\r\n")
            #expect(c.readResponse()?.status == 431)
            #expect(c.waitForClose())
        }
    }

    @Test func smugglingAttemptGets400AndClose() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let r = try #require(c.readResponse())
            #expect(r.status == 400)
            #expect(c.waitForClose())
        }
    }

    /// RFC 9112 §6.1 over a real socket: an HTTP/1.0 request with Transfer-Encoding is answered,
    /// then the connection closes; the request pipelined behind it is never processed.
    @Test func http10WithTransferEncodingClosesBeforeAnythingBehindIt() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n3\r\none\r\n0\r\n\r\n" + get)
            let r = try #require(c.readResponse())
            #expect(r.status == 200 && r.text == "one")
            #expect(r.header("Connection") == "close")
            #expect(c.waitForClose())
        }
    }

    @Test func invalidHostGets400AndHigherMinorVersionIsServed() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /hello HTTP/1.1\r\nHost: bad host\r\n\r\n")
            let r = try #require(c.readResponse())
            #expect(r.status == 400 && r.text.contains("Host"))
            let d = try TestClient(port: port)
            try d.send("GET /hello HTTP/1.2\r\nHost: t\r\n\r\n")
            let ok = try #require(d.readResponse())
            #expect(ok.status == 200 && ok.text == "hello\n")
        }
    }

    @Test func unknownPathAndMethodGetJSONErrors() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\nDELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let notFound = try #require(c.readResponse())
            #expect(notFound.status == 404)
            #expect(notFound.header("Content-Type") == "application/json")
            let notAllowed = try #require(c.readResponse())
            #expect(notAllowed.status == 405)
            #expect(notAllowed.header("Allow") == "GET, HEAD")
        }
    }

    @Test func incompleteRequestGets408AfterRequestTimeout() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            let started = Date()
            try c.send("GET /hello HTTP/1.1\r\nHost: t\r\n")  // never finished
            let r = try #require(c.readResponse())
            #expect(r.status == 408)
            #expect(Date().timeIntervalSince(started) >= 0.5)
            #expect(c.waitForClose())
        }
    }

    /// A body that stops short gets 408, whether its first bytes came with the head (buffered)
    /// or after it (read straight into the request).
    @Test(arguments: [false, true]) func slowBodyGets408(bodyApart: Bool) throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n" + (bodyApart ? "" : "ab"))
            if bodyApart {
                Thread.sleep(forTimeInterval: 0.05)
                try c.send("ab")
            }
            #expect(c.readResponse()?.status == 408)
        }
    }

    @Test func idleConnectionIsClosedAfterIdleTimeout() throws {
        try withServer({ $0.idleTimeout = 0.5 }) { _, port in
            let c = try TestClient(port: port)
            try c.send(get)
            #expect(c.readResponse()?.status == 200)
            let started = Date()
            #expect(c.waitForClose())
            #expect(Date().timeIntervalSince(started) >= 0.4)
        }
    }

    @Test func slowClientDoesNotStallOthers() throws {
        try withServer { _, port in
            let slow = try TestClient(port: port)
            try slow.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nx")
            let fast = try TestClient(port: port)
            let started = Date()
            for _ in 0..<50 {
                try fast.send(get)
                #expect(fast.readResponse()?.status == 200)
            }
            #expect(Date().timeIntervalSince(started) < 0.5)
        }
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
        try withServer({ $0.maxConnections = 4 }) { server, port in
            var clients: [TestClient] = []
            for _ in 0..<4 {
                let c = try TestClient(port: port)
                try c.send(get)
                #expect(c.readResponse()?.status == 200)
                clients.append(c)
            }
            let extra = try TestClient(port: port)
            let r = try #require(extra.readResponse())
            #expect(r.status == 503)
            #expect(r.header("Retry-After") == "1")
            #expect(server.refusedConnections == 1)
            clients.removeAll()  // closing frees slots
            Thread.sleep(forTimeInterval: 0.2)
            let again = try TestClient(port: port)
            try again.send(get)
            #expect(again.readResponse()?.status == 200)
        }
    }

    @Test func twoHundredConcurrentConnections() throws {
        try withServer { server, port in
            let clients = try (0..<200).map { _ in try TestClient(port: port) }
            for c in clients { try c.send(get) }
            var ok = 0
            for c in clients where c.readResponse()?.status == 200 { ok += 1 }
            #expect(ok == 200)
            #expect(server.openConnections == 200)
        }
    }

    @Test func gzipResponseWhenAccepted() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
            let r = try #require(c.readResponse())
            #expect(r.header("Content-Encoding") == "gzip")
            #expect(r.body.count < 2000 * 14 / 10)
            let plain = try Gzip.decompress(r.body, maxOutputBytes: 1 << 20)
            #expect(plain.count == 2000 * 14)
            try c.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
            let r2 = try #require(c.readResponse())
            #expect(r2.header("Content-Encoding") == nil)
            #expect(r2.body.count == 2000 * 14)
        }
    }

    @Test func gzipRequestBodyIsInflated() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            let payload = Array(String(repeating: "{\"id\":\"a\"}\n", count: 500).utf8)
            let compressed = try Gzip.compress(payload)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: \(compressed.count)\r\n\r\n")
            try c.send(compressed)
            let r = try #require(c.readResponse())
            #expect(r.status == 200)
            #expect(r.body == payload)
            // The handler's context has the body as sent beside the decoded one.
            try c.send("POST /sizes HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: \(compressed.count)\r\n\r\n")
            try c.send(compressed)
            let sizes = try #require(c.readResponse())
            #expect(String(decoding: sizes.body, as: UTF8.self) == "decoded \(payload.count) raw \(compressed.count) encoding none\n")
        }
    }

    @Test func gzipBombGets413() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            let bomb = try Gzip.compress([UInt8](repeating: 0, count: 10 * 1024 * 1024))  // ~10 KB → 10 MiB
            #expect(bomb.count < 64 * 1024)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n")
            try c.send(bomb)
            let r = try #require(c.readResponse())
            #expect(r.status == 413)
        }
    }

    @Test func unknownContentEncodingGets415() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\nx")
            #expect(c.readResponse()?.status == 415)
        }
    }

    @Test func corruptGzipGets400() throws {
        try withServer { _, port in
            let c = try TestClient(port: port)
            try c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope")
            let r = try #require(c.readResponse())
            #expect(r.status == 400)
            #expect(r.text.contains("invalid_gzip"))
        }
    }

    @Test func shutdownFinishesInFlightRequests() throws {
        var router = Router()
        router.add("GET", "/slow", offload: true) { _ in
            Thread.sleep(forTimeInterval: 0.4)
            return .text("finished\n")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(address: try SocketAddress(parsing: "127.0.0.1:0")), router: router)
        let port = try server.start()
        let busy = try TestClient(port: port)
        let idle = try TestClient(port: port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        Thread.sleep(forTimeInterval: 0.1)
        let started = Date()
        server.shutdown(gracePeriod: 3)
        #expect(Date().timeIntervalSince(started) < 3)
        let r = try #require(busy.readResponse())
        #expect(r.text == "finished\n")
        #expect(r.header("Connection") == "close")
        #expect(idle.waitForClose())
        #expect((try? TestClient(port: port)) == nil)  // no longer accepting
    }
}
