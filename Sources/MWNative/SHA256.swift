// SPDX-License-Identifier: Apache-2.0
// SHA-256 through OpenSSL's one-shot EVP digest.

internal import COpenSSL

/// SHA-256 digests (FIPS 180-4) computed by OpenSSL.
public enum SHA256 {
    /// The algorithm fetched once (OpenSSL 3 fetches an implicit `EVP_sha256()` on every call).
    nonisolated(unsafe) static let algorithm: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil)!

    /// The 32-byte digest of `data`.
    ///
    /// The corresponding C functions are `EVP_MD_fetch` (once) and `EVP_Digest`.
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { buf in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(buf.baseAddress, buf.count, out.baseAddress, &length, algorithm, nil)
            }
        }
        // EVP_Digest with a built-in algorithm and valid buffers cannot fail short of memory
        // exhaustion; treat that as fatal rather than return a wrong digest.
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        return Array(digest[0..<Int(length)])
    }

    /// The digest of the UTF-8 bytes of `string`, as 64 lowercase hex digits.
    public static func hexDigest(_ string: String) -> String {
        Hex.encode(hash(Array(string.utf8)))
    }
}
