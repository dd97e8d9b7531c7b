// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 with the key's pads absorbed once: for a secret that signs many messages.

internal import COpenSSL

/// An HMAC-SHA256 key prepared once (RFC 2104): the digest states after `key ⊕ ipad` and
/// `key ⊕ opad` are kept, so each message costs two state copies and its own bytes, instead of
/// the key schedule and algorithm fetch of a one-shot `HMAC()` call. The message may come in
/// parts (no concatenation). Immutable after init: safe to use from any thread.
public final class HMACSHA256Key: @unchecked Sendable {
    private let inner: OpaquePointer
    private let outer: OpaquePointer

    /// - Parameter key: any length (longer than the 64-byte block: hashed first, as RFC 2104 says).
    public init(key: [UInt8]) {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        inner = Self.absorbed(block.map { $0 ^ 0x36 })
        outer = Self.absorbed(block.map { $0 ^ 0x5c })
    }

    deinit {
        EVP_MD_CTX_free(inner)
        EVP_MD_CTX_free(outer)
    }

    /// A SHA-256 state with `pad` absorbed.
    ///
    /// The corresponding C functions are `EVP_MD_CTX_new`, `EVP_DigestInit_ex` and `EVP_DigestUpdate`.
    private static func absorbed(_ pad: [UInt8]) -> OpaquePointer {
        let context = EVP_MD_CTX_new()!
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "EVP_DigestInit_ex(SHA-256) failed")
        pad.withUnsafeBytes { precondition(EVP_DigestUpdate(context, $0.baseAddress, $0.count) == 1, "EVP_DigestUpdate failed") }
        return context
    }

    /// The 32-byte HMAC-SHA256 of the concatenation of `parts`.
    ///
    /// The corresponding C functions are `EVP_MD_CTX_copy_ex`, `EVP_DigestUpdate` and `EVP_DigestFinal_ex`.
    public func authenticate(_ parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_MD_CTX_copy_ex(context, inner) == 1, "EVP_MD_CTX_copy_ex failed")
        for part in parts where part.count > 0 {
            precondition(EVP_DigestUpdate(context, part.baseAddress, part.count) == 1, "EVP_DigestUpdate failed")
        }
        digest.withUnsafeMutableBufferPointer { precondition(EVP_DigestFinal_ex(context, $0.baseAddress, &length) == 1) }
        precondition(EVP_MD_CTX_copy_ex(context, outer) == 1, "EVP_MD_CTX_copy_ex failed")
        digest.withUnsafeBytes { precondition(EVP_DigestUpdate(context, $0.baseAddress, 32) == 1) }
        digest.withUnsafeMutableBufferPointer { precondition(EVP_DigestFinal_ex(context, $0.baseAddress, &length) == 1) }
        return digest
    }

    /// The HMAC of one message.
    public func authenticate(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticate([$0]) }
    }
}
