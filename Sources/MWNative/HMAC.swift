// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 through OpenSSL, and a constant-time comparison.

internal import COpenSSL

/// HMAC-SHA256 (RFC 2104) computed by OpenSSL.
public enum HMAC {
    /// The 32-byte HMAC-SHA256 of `message` under `key`.
    ///
    /// The corresponding C function is `HMAC`.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    COpenSSL.HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count,
                                  o.baseAddress, &length)
                }
            }
        }
        precondition(result != nil, "HMAC(SHA-256) failed")
        return Array(out[0..<Int(length)])
    }

    /// Compares two byte strings in time that depends only on their lengths.
    ///
    /// The corresponding C function is `CRYPTO_memcmp`.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
        }
    }
}
