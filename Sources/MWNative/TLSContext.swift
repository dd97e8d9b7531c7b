// SPDX-License-Identifier: Apache-2.0
// A server's TLS configuration as OpenSSL holds it: protocol floor, certificate chain, key, client CAs.

internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Why a TLS context cannot be built; each case names the file and what to do about it.
public enum TLSConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist or this process may not read it.
    case unreadable(setting: String, file: String, reason: String)
    /// OpenSSL could not use the file (not PEM, wrong kind of object, encrypted key…).
    case invalid(setting: String, file: String, reason: String)
    /// The private key is not the key of the certificate.
    case keyMismatch(certificateFile: String, keyFile: String)
    /// OpenSSL failed outside any one file.
    case openssl(function: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(setting, file, reason):
            return "tls.\(setting) \(file) cannot be read: \(reason)"
        case let .invalid(setting, file, reason):
            return "tls.\(setting) \(file) is not usable: \(reason)"
        case let .keyMismatch(certificateFile, keyFile):
            return "tls.key_file \(keyFile) is not the private key of the certificate in tls.cert_file \(certificateFile); give the key the certificate was issued for"
        case let .openssl(function, reason):
            return "\(function) failed: \(reason)"
        }
    }
}

/// An OpenSSL server context (`SSL_CTX`): TLS 1.2 and 1.3 only, the certificate chain and key
/// from PEM files (checked against each other), and, with a client CA file, client
/// certificates required and verified against it. No renegotiation, no compression.
/// Immutable once built; sessions are created from it on any thread (OpenSSL locks the context).
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The leaf certificate's `notAfter`, unix seconds (nil if OpenSSL cannot convert it).
    public let certificateNotAfter: Double?
    /// The leaf certificate's subject (RFC 2253: `CN=…,O=…`).
    public let certificateSubject: String
    /// True when client certificates are required.
    public let requiresClientCertificates: Bool

    /// - Parameters:
    ///   - certificateChainFile: PEM, the server's certificate first, then its intermediates.
    ///   - privateKeyFile: PEM, unencrypted.
    ///   - clientCAFile: PEM CAs; when given, every client must present a certificate they issued.
    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) throws(TLSConfigurationError) {
        try Self.checkReadable(certificateChainFile, setting: "cert_file")
        try Self.checkReadable(privateKeyFile, setting: "key_file")
        if let clientCAFile { try Self.checkReadable(clientCAFile, setting: "client_ca_file") }
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw .openssl(function: "SSL_CTX_new", reason: TLSErrors.drain())
        }
        // From here on `context` is freed by deinit or by the failure path below.
        var built = false
        defer { if !built { SSL_CTX_free(context) } }
        guard mw_ssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw .openssl(function: "SSL_CTX_set_min_proto_version", reason: TLSErrors.drain())
        }
        _ = SSL_CTX_set_options(context, mw_ssl_server_options())
        _ = mw_ssl_ctx_set_mode(context, mw_ssl_mode_partial_write_moving_buffer())
        _ = mw_ssl_ctx_set_session_cache_server(context)
        let sessionContext: [UInt8] = Array("modelwatch".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        guard SSL_CTX_use_certificate_chain_file(context, certificateChainFile) == 1 else {
            throw .invalid(setting: "cert_file", file: certificateChainFile, reason: TLSErrors.drain())
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            // OpenSSL checks the key against the certificate while loading it.
            if ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH {
                _ = TLSErrors.drain()
                throw .keyMismatch(certificateFile: certificateChainFile, keyFile: privateKeyFile)
            }
            throw .invalid(setting: "key_file", file: privateKeyFile, reason: TLSErrors.drain())
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            _ = TLSErrors.drain()
            throw .keyMismatch(certificateFile: certificateChainFile, keyFile: privateKeyFile)
        }
        if let clientCAFile {
            guard SSL_CTX_load_verify_locations(context, clientCAFile, nil) == 1 else {
                throw .invalid(setting: "client_ca_file", file: clientCAFile, reason: TLSErrors.drain())
            }
            guard let names = SSL_load_client_CA_file(clientCAFile) else {
                throw .invalid(setting: "client_ca_file", file: clientCAFile, reason: "no CA certificate in it: " + TLSErrors.drain())
            }
            SSL_CTX_set_client_CA_list(context, names)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        let leaf = SSL_CTX_get0_certificate(context)
        certificateSubject = leaf.map { X509Names.oneLine(X509_get_subject_name($0)) } ?? ""
        certificateNotAfter = leaf.flatMap { X509Names.unixTime(X509_get0_notAfter($0)) }
        requiresClientCertificates = clientCAFile != nil
        pointer = context
        built = true
    }

    deinit { SSL_CTX_free(pointer) }

    private static func checkReadable(_ file: String, setting: String) throws(TLSConfigurationError) {
        guard access(file, R_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw .unreadable(setting: setting, file: file, reason: reason)
        }
    }
}

/// OpenSSL's thread-local error queue.
enum TLSErrors {
    /// Every queued error as text (the queue is left empty); "no details" when it was empty.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [UInt8](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            }
            messages.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
        }
        return messages.isEmpty ? "no details from OpenSSL" : messages.joined(separator: "; ")
    }
}

/// Reading names and times out of X.509 certificates.
enum X509Names {
    /// `CN=…,O=…` (RFC 2253).
    static func oneLine(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, mw_xn_flags_rfc2253_utf8()) >= 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = BIO_read(bio, &buffer, Int32(buffer.count))
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : ""
    }

    /// The subject's first common name, UTF-8.
    static func commonName(_ name: OpaquePointer?) -> String? {
        guard let name else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, data)
        guard length >= 0, let out else { return nil }
        defer { CRYPTO_free(out, #fileID, #line) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    static func unixTime(_ time: UnsafePointer<ASN1_TIME>?) -> Double? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Double(timegm(&parts))
    }
}
