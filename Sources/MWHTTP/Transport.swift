// SPDX-License-Identifier: Apache-2.0
// The byte stream under a connection: what the event loop reads, writes and closes.

import MWNative
import MWSockets

/// Why a transport failed; the event loop closes the connection either way.
enum TransportError: Error {
    case socket(SocketError)
    case tls(NativeError)
}

/// How far a transport's own handshake has come.
enum HandshakeProgress: Equatable {
    /// Ready for HTTP.
    case established
    /// Call ``Transport/handshake()`` again once the descriptor is readable.
    case needsReadable
    /// … once it is writable.
    case needsWritable
}

/// The byte stream under an HTTP connection. The event loop reads, writes, half-closes and
/// closes through it without knowing what carries the bytes: plain TCP (``PlainTransport``) or
/// a TLS session over it (``TLSTransport``, which also has a handshake, and may hold decrypted
/// bytes that no readiness event will announce: ``hasBufferedInput``). Confined to its event
/// loop's thread.
protocol Transport: AnyObject {
    /// The descriptor the event loop polls.
    var fileDescriptor: Int32 { get }
    /// False until ``handshake()`` has returned `.established`; plain TCP is established at once.
    var isEstablished: Bool { get }
    /// Advances the transport's handshake without blocking.
    func handshake() throws(TransportError) -> HandshakeProgress
    /// Reads what is available without blocking.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Socket.ReadResult
    /// Writes what it can without blocking.
    func write(_ buffer: UnsafeRawBufferPointer) throws(TransportError) -> Socket.WriteResult
    /// Bytes already received and decoded, to read now rather than after the next readiness event.
    var hasBufferedInput: Bool { get }
    /// The last read could not finish until the descriptor is writable (a TLS key update).
    var readWaitsForWritable: Bool { get }
    /// The common name of the client certificate the transport verified (TLS with client CAs).
    var peerCommonName: String? { get }
    /// No more output: the peer sees end-of-file (after an error response, before lingering).
    func shutdownWrite()
    func close()
}

/// Plain TCP: the socket itself.
final class PlainTransport: Transport {
    let socket: Socket

    init(_ socket: Socket) { self.socket = socket }

    var fileDescriptor: Int32 { socket.fileDescriptor }
    var isEstablished: Bool { true }
    var hasBufferedInput: Bool { false }
    var readWaitsForWritable: Bool { false }
    var peerCommonName: String? { nil }

    func handshake() throws(TransportError) -> HandshakeProgress { .established }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Socket.ReadResult {
        do { return try socket.read(into: buffer) } catch { throw .socket(error) }
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(TransportError) -> Socket.WriteResult {
        do { return try socket.write(buffer) } catch { throw .socket(error) }
    }

    func shutdownWrite() { socket.shutdownWrite() }
    func close() { socket.close() }
}
