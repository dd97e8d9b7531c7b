// SPDX-License-Identifier: Apache-2.0
// The byte stream under a connection: what the event loop reads, writes and closes.

import MWSockets

/// The byte stream under an HTTP connection. The event loop reads, writes, half-closes and
/// closes through it without knowing what carries the bytes: plain TCP (``PlainTransport``) or
/// a TLS session over it (which also has a handshake, and may hold decrypted bytes that no
/// readiness event will announce: ``hasBufferedInput``). Confined to its event loop's thread.
protocol Transport: AnyObject {
    /// The descriptor the event loop polls.
    var fileDescriptor: Int32 { get }
    /// Reads what is available without blocking.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Socket.ReadResult
    /// Writes what it can without blocking.
    func write(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> Socket.WriteResult
    /// Bytes already received and decoded, to read now rather than after the next readiness event.
    var hasBufferedInput: Bool { get }
    /// No more output: the peer sees end-of-file (after an error response, before lingering).
    func shutdownWrite()
    func close()
}

/// Plain TCP: the socket itself.
final class PlainTransport: Transport {
    let socket: Socket

    init(_ socket: Socket) { self.socket = socket }

    var fileDescriptor: Int32 { socket.fileDescriptor }
    var hasBufferedInput: Bool { false }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Socket.ReadResult {
        try socket.read(into: buffer)
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> Socket.WriteResult {
        try socket.write(buffer)
    }

    func shutdownWrite() { socket.shutdownWrite() }
    func close() { socket.close() }
}
