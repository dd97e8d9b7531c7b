// SPDX-License-Identifier: Apache-2.0
// One server-side TLS connection over a non-blocking socket descriptor.

internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A TLS session (`SSL`) on a non-blocking socket the caller owns. Every call returns at once:
/// when OpenSSL needs the socket readable or writable it says so, and the caller retries after
/// that readiness event. Confined to one thread (an event loop).
public final class TLSSession {
    /// What a handshake step achieved.
    public enum HandshakeProgress: Equatable, Sendable {
        case established
        case needsReadable
        case needsWritable
    }

    /// What a read or a write achieved.
    public enum IOResult: Equatable, Sendable {
        /// `n` plaintext bytes read or written (n > 0).
        case bytes(Int)
        /// Retry when the socket is readable.
        case needsReadable
        /// Retry when the socket is writable (a read can need this, e.g. to answer a key update).
        case needsWritable
        /// The peer closed the session (close_notify, or end-of-file).
        case closed
    }

    private let ssl: OpaquePointer

    /// - Parameter fileDescriptor: a connected, non-blocking socket; closing it stays the caller's job.
    public init(context: TLSContext, fileDescriptor: Int32) throws(NativeError) {
        guard let ssl = SSL_new(context.pointer) else { throw .tls(function: "SSL_new", reason: TLSErrors.drain()) }
        guard SSL_set_fd(ssl, fileDescriptor) == 1 else {
            SSL_free(ssl)
            throw .tls(function: "SSL_set_fd", reason: TLSErrors.drain())
        }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
    }

    deinit { SSL_free(ssl) }

    /// Advances the handshake as far as the socket allows.
    /// - Throws: ``NativeError/tls(function:reason:)`` when the peer is not speaking an acceptable TLS
    ///   (wrong protocol version, no shared cipher, a client certificate missing or not trusted…).
    public func handshake() throws(NativeError) -> HandshakeProgress {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .established }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .needsReadable
        case SSL_ERROR_WANT_WRITE: return .needsWritable
        case let code: throw failure("SSL_do_handshake", code)
        }
    }

    /// Reads decrypted bytes into `buffer`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(NativeError) -> IOResult {
        ERR_clear_error()
        var n = 0
        if SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &n) == 1 { return .bytes(n) }
        return try outcome(of: "SSL_read_ex", SSL_get_error(ssl, 0))
    }

    /// Encrypts and sends as much of `buffer` as the socket takes (at least one record, or nothing).
    public func write(_ buffer: UnsafeRawBufferPointer) throws(NativeError) -> IOResult {
        guard buffer.count > 0 else { return .bytes(0) }
        ERR_clear_error()
        var n = 0
        if SSL_write_ex(ssl, buffer.baseAddress, buffer.count, &n) == 1 { return .bytes(n) }
        return try outcome(of: "SSL_write_ex", SSL_get_error(ssl, 0))
    }

    /// Decrypted bytes OpenSSL holds that no readiness event will announce.
    public var bufferedBytes: Int { Int(SSL_pending(ssl)) }

    /// Sends close_notify if the socket takes it now; never waits for the peer's.
    public func sendCloseNotify() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The negotiated protocol, e.g. `TLSv1.3`.
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The common name of the client certificate the handshake verified; nil without one.
    public var peerCommonName: String? {
        guard SSL_get_verify_result(ssl) == X509_V_OK, let certificate = SSL_get0_peer_certificate(ssl) else { return nil }
        return X509Names.commonName(X509_get_subject_name(certificate))
    }

    private func outcome(of function: String, _ code: Int32) throws(NativeError) -> IOResult {
        switch code {
        case SSL_ERROR_WANT_READ: return .needsReadable
        case SSL_ERROR_WANT_WRITE: return .needsWritable
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: throw failure(function, code)
        }
    }

    private func failure(_ function: String, _ code: Int32) -> NativeError {
        if code == SSL_ERROR_SYSCALL {
            let saved = errno
            let queued = TLSErrors.drain()
            return .tls(function: function, reason: saved == 0 ? "connection closed during TLS (\(queued))" : String(cString: strerror(saved)))
        }
        return .tls(function: function, reason: TLSErrors.drain())
    }
}
