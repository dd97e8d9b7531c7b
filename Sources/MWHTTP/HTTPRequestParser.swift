// SPDX-License-Identifier: Apache-2.0
// An incremental, strict HTTP/1.1 request parser (RFC 9112) over a byte buffer.

/// Parses requests one after another from the bytes a connection has read so far.
///
/// The parser is a pure function over bytes plus a little resumable state: call ``parse(_:from:)``
/// after every read. It consumes the bytes of a complete request by advancing `start`, and leaves
/// pipelined bytes that follow for the next call. It is strict where leniency enables request
/// smuggling: bare CR or LF, obs-fold, whitespace before the colon, `Content-Length` together with
/// `Transfer-Encoding`, repeated `Content-Length`, and any coding but a final `chunked` are errors.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// var bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
/// var start = 0
/// if case .request(let r) = try parser.parse(bytes, from: &start) { print(r.path) }  // "/"
/// ```
public struct HTTPRequestParser: Sendable {
    /// What one call produced.
    public enum Event: Sendable {
        /// The request is incomplete; read more and call again.
        case needMoreData
        /// The head asked `Expect: 100-continue` and the body has not all arrived: send
        /// `100 Continue` now, then keep calling. Reported once per request.
        case continueRequested
        /// The head of a request whose body has not all arrived (for access checks before the
        /// body is read); its `body` is not filled yet. The request itself follows.
        case head(HTTPRequest)
        /// A complete request.
        case request(HTTPRequest)
    }

    private enum ChunkPhase: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    private enum State: Sendable {
        case head
        /// The request's body has its full length from the start; `received` bytes of it are in.
        case fixedBody(HTTPRequest, length: Int, received: Int, expectContinue: Bool)
        case chunked(HTTPRequest, ChunkPhase, expectContinue: Bool)
    }

    /// The limits in force.
    public var limits: HTTPParserLimits
    private var state: State = .head
    /// Head scanning progress, relative to `start`: bytes scanned and where the current line began.
    private var scanned = 0
    private var lineStart = 0
    private var continueReported = false

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    /// True while no byte of a request has been consumed or scanned (the connection is idle).
    public var isIdle: Bool {
        if case .head = state { return scanned == 0 }
        return false
    }

    /// While a `Content-Length` body is under way: lets `fill` write into the part of it not
    /// received yet (it returns how many bytes it wrote, from the start of that part), and
    /// returns true; the next ``parse(_:from:)`` hands the request over once it is complete.
    /// False, without calling `fill`, otherwise. For a connection with nothing else buffered,
    /// to read the socket straight into the body.
    public mutating func receiveBody(_ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Bool {
        guard case .fixedBody(var request, let length, let received, let expectContinue) = state else { return false }
        state = .head  // avoid copying the body on write-back (unique reference)
        let written = request.body.withUnsafeMutableBytes { body in
            fill(UnsafeMutableRawBufferPointer(rebasing: body[received..<length]))
        }
        state = .fixedBody(request, length: length, received: received + min(max(written, 0), length - received),
                           expectContinue: expectContinue)
        return true
    }

    /// Parses from `buffer[start...]`, advancing `start` past what a complete request used.
    /// - Throws: ``HTTPParseError``; the connection must answer with its status and close.
    public mutating func parse(_ buffer: [UInt8], from start: inout Int) throws(HTTPParseError) -> Event {
        while true {
            switch state {
            case .head:
                guard let request = try parseHead(buffer, from: &start) else { return .needMoreData }
                try frame(request)
                if case .head = state { return .request(request) }
                return .head(request)
            case .fixedBody(_, _, _, let expectContinue):
                // The body is moved out of the buffer as it arrives (the connection's buffer
                // stays small), through ``receiveBody(_:)`` as the event loop's direct reads.
                _ = receiveBody { room in
                    let take = min(room.count, buffer.count - start)
                    if take > 0 {
                        buffer.withUnsafeBytes { room.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: take) }
                    }
                    start += take
                    return take
                }
                if case .fixedBody(let request, let length, let received, _) = state, received == length {
                    reset()
                    return .request(request)
                }
                if expectContinue && !continueReported {
                    continueReported = true
                    return .continueRequested
                }
                return .needMoreData
            case .chunked(var request, let phase, let expectContinue):
                state = .head  // avoid copying the body on write-back (unique reference)
                let progressed = try parseChunked(buffer, from: &start, request: &request, phase: phase,
                                                  expectContinue: expectContinue)
                if let done = progressed { return .request(done) }
                if expectContinue && !continueReported && start == buffer.count {
                    continueReported = true
                    return .continueRequested
                }
                return .needMoreData
            }
        }
    }

    private mutating func reset() {
        state = .head
        scanned = 0
        lineStart = 0
        continueReported = false
    }

    // MARK: Head

    private mutating func parseHead(_ buffer: [UInt8], from start: inout Int) throws(HTTPParseError) -> HTTPRequest? {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        // RFC 9112 §2.2: ignore empty lines before the request line.
        if scanned == 0 {
            while buffer.count - start >= 2 && buffer[start] == cr && buffer[start + 1] == lf { start += 2 }
            if start < buffer.count && buffer[start] == lf { throw .invalidRequestLine("bare LF") }
            // A CR alone may be the start of another empty line: wait for the next byte, so the
            // requests do not depend on where the reads split the bytes (found by fuzzing).
            if buffer.count - start == 1 && buffer[start] == cr { return nil }
        }
        let available = buffer.count - start
        var headEnd = -1
        let limits = self.limits
        try buffer.withUnsafeBufferPointer { (buf) throws(HTTPParseError) in
            var i = start + scanned
            let end = buffer.count
            var line = start + lineStart
            while i < end {
                if buf[i] == lf {
                    guard i > start && buf[i - 1] == cr else {
                        throw line == start ? .invalidRequestLine("bare LF") : .invalidHeader("bare LF as line terminator")
                    }
                    if line == start && i - start > limits.maxRequestLineBytes {
                        throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
                    }
                    if i - 1 == line && line != start { headEnd = i + 1; break }
                    line = i + 1
                }
                i += 1
            }
            scanned = i - start
            lineStart = line - start
        }
        guard headEnd >= 0 else {
            if lineStart == 0 && available > limits.maxRequestLineBytes {
                throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
            }
            if available > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
            return nil
        }
        if headEnd - start > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
        let request = try buffer.withUnsafeBufferPointer { (buf) throws(HTTPParseError) in
            try Self.parseHeadBytes(UnsafeBufferPointer(rebasing: buf[start..<headEnd]), limits: limits)
        }
        start = headEnd
        scanned = 0
        lineStart = 0
        return request
    }

    /// Parses a complete head (request line, fields, final CRLF) with every line CRLF-terminated.
    static func parseHeadBytes(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits) throws(HTTPParseError) -> HTTPRequest {
        let cr = UInt8(ascii: "\r")
        var lineEnd = 0
        while head[lineEnd] != cr || head[lineEnd + 1] != UInt8(ascii: "\n") { lineEnd += 1 }
        var request = try parseRequestLine(UnsafeBufferPointer(rebasing: head[0..<lineEnd]))
        var position = lineEnd + 2
        var count = 0
        while position < head.count - 2 {
            var e = position
            while head[e] != cr || head[e + 1] != UInt8(ascii: "\n") { e += 1 }
            count += 1
            if count > limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
            let (name, value) = try parseFieldLine(UnsafeBufferPointer(rebasing: head[position..<e]))
            request.headers.add(name, value)
            position = e + 2
        }
        return request
    }

    static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let space = UInt8(ascii: " ")
        var i = 0
        while i < line.count && CharacterClass.isTokenChar(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == space else { throw .invalidRequestLine("the method is not a token followed by one space") }
        let method = String(decoding: UnsafeBufferPointer(rebasing: line[0..<i]), as: UTF8.self)
        let targetStart = i + 1
        var j = targetStart
        while j < line.count && line[j] != space {
            guard line[j] > 0x20 && line[j] < 0x7f else { throw .invalidTarget("byte 0x\(String(line[j], radix: 16)) is not allowed in a request target") }
            j += 1
        }
        guard j > targetStart else { throw .invalidRequestLine("empty request target") }
        guard j < line.count else { throw .invalidRequestLine("missing HTTP version") }
        let target = String(decoding: UnsafeBufferPointer(rebasing: line[targetStart..<j]), as: UTF8.self)
        let version = UnsafeBufferPointer(rebasing: line[(j + 1)...])
        let minor = try parseVersion(version)
        let (path, query) = try splitTarget(target, method: method)
        return HTTPRequest(method: method, target: target, path: path, query: query, minorVersion: minor)
    }

    /// `HTTP/1.0` → 0, `HTTP/1.1` → 1, and a higher minor version of HTTP/1 is processed as
    /// HTTP/1.1 (RFC 9110 §2.5: a recipient of a higher minor version answers in the highest it
    /// supports); another major version → 505; anything else → 400.
    static func parseVersion(_ v: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        let prefix: [UInt8] = Array("HTTP/".utf8)
        guard v.count == 8, Array(v[0..<5]) == prefix, CharacterClass.isDigit(v[5]), v[6] == UInt8(ascii: "."),
              CharacterClass.isDigit(v[7]) else {
            throw .invalidRequestLine("the version must be HTTP/1.1 or HTTP/1.0")
        }
        guard v[5] == UInt8(ascii: "1") else { throw .unsupportedVersion }
        return v[7] == UInt8(ascii: "0") ? 0 : 1
    }

    /// Splits a request target into path and query; reduces absolute-form to its path.
    static func splitTarget(_ target: String, method: String) throws(HTTPParseError) -> (String, String?) {
        var rest = Substring(target)
        if rest == "*" { return ("*", nil) }
        if !rest.hasPrefix("/") {
            let lower = rest.lowercased()
            let scheme = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
            guard scheme > 0 else { throw .invalidTarget("expected /path or http://host/path") }
            rest = rest.dropFirst(scheme)
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard !authority.isEmpty else { throw .invalidTarget("empty authority") }
            guard !authority.contains("@") else { throw .invalidTarget("user information in the target is not allowed") }
            rest = rest[authorityEnd...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: String?
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        return (rest.isEmpty ? "/" : String(rest), query)
    }

    /// Parses `name: value` with RFC 9112 §5 rules (no space before the colon, no CTLs in values).
    static func parseFieldLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first else { throw .invalidHeader("empty line") }
        guard first != UInt8(ascii: " ") && first != UInt8(ascii: "\t") else {
            throw .invalidHeader("a line starting with whitespace (obs-fold) is not allowed")
        }
        var i = 0
        while i < line.count && CharacterClass.isTokenChar(line[i]) { i += 1 }
        guard i > 0 else { throw .invalidHeader("empty or invalid field name") }
        guard i < line.count, line[i] == UInt8(ascii: ":") else {
            throw .invalidHeader("the field name must be a token followed directly by ':'")
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[0..<i]), as: UTF8.self)
        var s = i + 1
        var e = line.count
        while s < e && CharacterClass.isWhitespace(line[s]) { s += 1 }
        while e > s && CharacterClass.isWhitespace(line[e - 1]) { e -= 1 }
        for k in s..<e where !CharacterClass.isFieldValueChar(line[k]) {
            throw .invalidHeader("control character 0x\(String(line[k], radix: 16)) in the value of \(name)")
        }
        return (name, String(decoding: UnsafeBufferPointer(rebasing: line[s..<e]), as: UTF8.self))
    }

    // MARK: Framing

    /// Decides how the body is delimited (RFC 9112 §6.3) and moves to the matching state.
    private mutating func frame(_ request: HTTPRequest) throws(HTTPParseError) {
        let hosts = request.headers.values("Host")
        if hosts.count > 1 || (request.minorVersion == 1 && hosts.isEmpty) { throw .missingHost }
        if let host = hosts.first, !HostHeader.isValid(host) { throw .invalidHost(host) }
        let expectations = request.headers.tokens("Expect")
        var expectContinue = false
        if !expectations.isEmpty {
            guard expectations == ["100-continue"] else {
                throw .invalidHeader("unsupported expectation '\(expectations.joined(separator: ","))'")
            }
            expectContinue = true
        }
        let lengths = request.headers.values("Content-Length")
        let codingFields = request.headers.values("Transfer-Encoding")
        if !codingFields.isEmpty {
            guard lengths.isEmpty else {
                throw .conflictingFraming("both Content-Length and Transfer-Encoding are present")
            }
            // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding, so its framing is faulty: the
            // request is answered (as chunked) and the connection closed, so nothing after it
            // on the connection is read as a request.
            var request = request
            if request.minorVersion == 0 { request.closeAfterResponse = true }
            let codings = request.headers.tokens("Transfer-Encoding")
            guard !codings.contains("") else { throw .invalidHeader("empty Transfer-Encoding") }
            guard codings.last == "chunked" else {
                throw .conflictingFraming("the final transfer coding must be chunked")
            }
            guard codings.count == 1 else {
                throw .unsupportedTransferEncoding(codings.joined(separator: ", "))
            }
            state = .chunked(request, .size, expectContinue: expectContinue)
            return
        }
        guard !lengths.isEmpty else { return }
        guard lengths.count == 1 else { throw .conflictingFraming("more than one Content-Length") }
        let text = lengths[0]
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(CharacterClass.isDigit), let length = Int(text) else {
            throw .invalidContentLength("'\(text)' is not a decimal number of bytes")
        }
        if length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        if length > 0 {
            var request = request
            request.body = Self.unfilledBody(count: length)
            state = .fixedBody(request, length: length, received: 0, expectContinue: expectContinue)
        }
    }

    /// A body of `count` bytes not yet written: filled in order as the bytes arrive, and handed
    /// over only once every byte is in, so no byte is read before it is written. (Bytes are a
    /// trivial type: leaving them unwritten until then is sound, and saves a pass of zeroes over
    /// a body of up to the size limit.)
    private static func unfilledBody(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    // MARK: Chunked bodies

    /// Advances a chunked body; returns the request when the last chunk and trailers are in.
    private mutating func parseChunked(_ buffer: [UInt8], from start: inout Int, request: inout HTTPRequest,
                                       phase: ChunkPhase, expectContinue: Bool) throws(HTTPParseError) -> HTTPRequest? {
        var phase = phase
        let maxLine = 4096
        while true {
            switch phase {
            case .size:
                guard let lf = Self.findLF(buffer, from: start, limit: maxLine) else {
                    if buffer.count - start > maxLine { throw .invalidChunk("chunk-size line longer than \(maxLine) bytes") }
                    state = .chunked(request, phase, expectContinue: expectContinue)
                    return nil
                }
                guard lf > start, buffer[lf - 1] == UInt8(ascii: "\r") else { throw .invalidChunk("chunk-size line not ended by CRLF") }
                let size = try buffer.withUnsafeBufferPointer { (b) throws(HTTPParseError) in
                    try Self.parseChunkSizeLine(UnsafeBufferPointer(rebasing: b[start..<(lf - 1)]))
                }
                start = lf + 1
                if size == 0 {
                    phase = .trailers(bytes: 0)
                } else {
                    guard size <= limits.maxBodyBytes - request.body.count else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
                    request.body.reserveCapacity(request.body.count + size)
                    phase = .data(remaining: size)
                }
            case .data(let remaining):
                let take = min(remaining, buffer.count - start)
                request.body.append(contentsOf: buffer[start..<(start + take)])
                start += take
                if take < remaining {
                    state = .chunked(request, .data(remaining: remaining - take), expectContinue: expectContinue)
                    return nil
                }
                phase = .dataEnd
            case .dataEnd:
                guard buffer.count - start >= 2 else {
                    if buffer.count - start == 1 && buffer[start] != UInt8(ascii: "\r") { throw .invalidChunk("chunk data not followed by CRLF") }
                    state = .chunked(request, phase, expectContinue: expectContinue)
                    return nil
                }
                guard buffer[start] == UInt8(ascii: "\r"), buffer[start + 1] == UInt8(ascii: "\n") else {
                    throw .invalidChunk("chunk data not followed by CRLF")
                }
                start += 2
                phase = .size
            case .trailers(let used):
                guard let lf = Self.findLF(buffer, from: start, limit: limits.maxHeaderBytes) else {
                    if buffer.count - start + used > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
                    state = .chunked(request, phase, expectContinue: expectContinue)
                    return nil
                }
                guard lf > start, buffer[lf - 1] == UInt8(ascii: "\r") else { throw .invalidChunk("trailer line not ended by CRLF") }
                if lf - 1 == start {
                    start = lf + 1
                    reset()
                    return request
                }
                // Trailer fields are validated like header fields, then dropped (we use none).
                _ = try buffer.withUnsafeBufferPointer { (b) throws(HTTPParseError) in
                    try Self.parseFieldLine(UnsafeBufferPointer(rebasing: b[start..<(lf - 1)]))
                }
                let total = used + lf + 1 - start
                if total > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
                start = lf + 1
                phase = .trailers(bytes: total)
            }
        }
    }

    private static func findLF(_ buffer: [UInt8], from start: Int, limit: Int) -> Int? {
        let end = min(buffer.count, start + limit + 1)
        var i = start
        while i < end {
            if buffer[i] == UInt8(ascii: "\n") { return i }
            i += 1
        }
        return nil
    }

    /// `1*HEXDIG *( ";" token [ "=" ( token / quoted-string ) ] )`, no whitespace.
    static func parseChunkSizeLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var i = 0
        var size = 0
        while i < line.count, let digit = CharacterClass.hexValue(line[i]) {
            guard i < 15 else { throw .invalidChunk("chunk size too large") }
            size = size << 4 | Int(digit)
            i += 1
        }
        guard i > 0 else { throw .invalidChunk("missing chunk size") }
        while i < line.count {
            guard line[i] == UInt8(ascii: ";") else { throw .invalidChunk("unexpected byte after chunk size") }
            i += 1
            let nameStart = i
            while i < line.count && CharacterClass.isTokenChar(line[i]) { i += 1 }
            guard i > nameStart else { throw .invalidChunk("empty chunk extension name") }
            guard i < line.count, line[i] == UInt8(ascii: "=") else { continue }
            i += 1
            if i < line.count && line[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < line.count {
                    let c = line[i]
                    if c == UInt8(ascii: "\\") { i += 2; continue }
                    if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    guard CharacterClass.isFieldValueChar(c) else { throw .invalidChunk("control character in chunk extension") }
                    i += 1
                }
                guard closed else { throw .invalidChunk("unterminated quoted chunk extension value") }
            } else {
                let valueStart = i
                while i < line.count && CharacterClass.isTokenChar(line[i]) { i += 1 }
                guard i > valueStart else { throw .invalidChunk("empty chunk extension value") }
            }
        }
        return size
    }
}

/// Byte classes of RFC 9110 §5.6.
enum CharacterClass {
    private static let tokenTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    @inline(__always) static func isTokenChar(_ c: UInt8) -> Bool { tokenTable[Int(c)] }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    /// VCHAR, obs-text, SP and HTAB.
    @inline(__always) static func isFieldValueChar(_ c: UInt8) -> Bool { (c >= 0x20 && c != 0x7f) || c == 0x09 }
    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
