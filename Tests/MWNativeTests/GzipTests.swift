// SPDX-License-Identifier: Apache-2.0
// gzip round trips, bounded inflation, and interoperability with the gzip command.

import Foundation
import Testing
@testable import MWNative

@Suite struct GzipTests {
    @Test func roundTrip() throws {
        let input = Array(String(repeating: "modelwatch ", count: 1000).utf8)
        let compressed = try Gzip.compress(input)
        #expect(compressed.count < input.count / 10)
        #expect(compressed.prefix(2) == [0x1f, 0x8b])
        #expect(try Gzip.decompress(compressed, maxOutputBytes: input.count) == input)
    }

    @Test func emptyInput() throws {
        #expect(try Gzip.decompress(try Gzip.compress([]), maxOutputBytes: 10) == [])
    }

    @Test func inflationIsCapped() throws {
        let compressed = try Gzip.compress([UInt8](repeating: 7, count: 100_000))
        #expect(throws: NativeError.inflatedTooLarge(limit: 99_999)) {
            try Gzip.decompress(compressed, maxOutputBytes: 99_999)
        }
    }

    @Test func truncatedStreamIsAnError() throws {
        let compressed = try Gzip.compress(Array("hello world hello world".utf8))
        #expect(throws: NativeError.truncatedStream) {
            try Gzip.decompress(Array(compressed.dropLast(10)), maxOutputBytes: 1000)
        }
    }

    @Test func garbageIsAnError() {
        #expect(throws: NativeError.self) { try Gzip.decompress(Array("not gzip".utf8), maxOutputBytes: 1000) }
    }

    @Test func concatenatedMembersInflateToTheConcatenation() throws {
        let a = try Gzip.compress(Array("first ".utf8)), b = try Gzip.compress(Array("second".utf8))
        #expect(try Gzip.decompress(a + b, maxOutputBytes: 100) == Array("first second".utf8))
    }

    /// Interoperability with an independent implementation: the `gzip` command.
    @Test func gzipCommandReadsOurOutputAndWeReadItsOutput() throws {
        let text = Array(String(repeating: "interop line\n", count: 300).utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mw-gzip-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ours = dir.appendingPathComponent("ours.gz")
        try Data(try Gzip.compress(text)).write(to: ours)
        #expect(try run("/bin/gzip", ["-dc", ours.path]) == text)
        let plain = dir.appendingPathComponent("plain.txt")
        try Data(text).write(to: plain)
        let theirs = try run("/bin/gzip", ["-9c", plain.path])
        #expect(try Gzip.decompress(theirs, maxOutputBytes: 1 << 20) == text)
    }

    private func run(_ path: String, _ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
