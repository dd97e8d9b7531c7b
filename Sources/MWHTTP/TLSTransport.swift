// SPDX-License-Identifier: Apache-2.0
// TLS over a connection's socket: the handshake, then records in and out, through OpenSSL.

import MWNative
import MWSockets

/// A server-side TLS session over an accepted socket (``TLSSession`` from MWNative). The
/// handshake runs step by step as the socket becomes ready, so a stalled or garbage handshake
/// holds nothing but its own connection (and the request timeout closes it).
final class TLSTransport: Transport {
    let socket: Socket
    private let session: TLSSession
    private(set) var isEstablished = false
    private(set) var readWaitsForWritable = false
    private(set) var peerCommonName: String?

    init(_ socket: Socket, context: TLSContext) throws(NativeError) {
        self.socket = socket
        self.session = try TLSSession(context: context, fileDescriptor: socket.fileDescriptor)
    }

    var fileDescriptor: Int32 { socket.fileDescriptor }
    var hasBufferedInput: Bool { session.bufferedBytes > 0 }
    /// The negotiated protocol version (`TLSv1.3`).
    var protocolVersion: String { session.protocolVersion }

    func handshake() throws(TransportError) -> HandshakeProgress {
        let progress: TLSSession.HandshakeProgress
        do { progress = try session.handshake() } catch { throw .tls(error) }
        switch progress {
        case .established:
            isEstablished = true
            peerCommonName = session.peerCommonName
            return .established
        case .needsReadable: return .needsReadable
        case .needsWritable: return .needsWritable
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Socket.ReadResult {
        readWaitsForWritable = false
        let result: TLSSession.IOResult
        do { result = try session.read(into: buffer) } catch { throw .tls(error) }
        switch result {
        case .bytes(let n): return .bytes(n)
        case .needsReadable: return .wouldBlock
        case .needsWritable:
            readWaitsForWritable = true
            return .wouldBlock
        case .closed: return .endOfFile
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(TransportError) -> Socket.WriteResult {
        let result: TLSSession.IOResult
        do { result = try session.write(buffer) } catch { throw .tls(error) }
        switch result {
        case .bytes(let n): return .wrote(n)
        // Without renegotiation a write waits only for the socket's buffer: poll writable.
        case .needsReadable, .needsWritable: return .wouldBlock
        case .closed: throw .tls(.tls(function: "SSL_write_ex", reason: "the peer closed the TLS session"))
        }
    }

    func shutdownWrite() {
        session.sendCloseNotify()
        socket.shutdownWrite()
    }

    func close() { socket.close() }
}
