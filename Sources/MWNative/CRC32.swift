// SPDX-License-Identifier: Apache-2.0
// CRC-32 (the gzip/zlib polynomial) through zlib, for checksums of log and snapshot records.

internal import CZlib

/// CRC-32 as zlib computes it (ISO 3309, the checksum of gzip and PNG).
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start).
    ///
    /// The corresponding C function is `crc32`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        var value = UInt(crc)
        var offset = 0
        while offset < bytes.count {  // zlib takes a 32-bit length
            let n = min(bytes.count - offset, 1 << 30)
            value = crc32(value, base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
