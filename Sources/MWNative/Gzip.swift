// SPDX-License-Identifier: Apache-2.0
// gzip compression and bounded decompression through zlib.

internal import CZlib

/// gzip (RFC 1952) through the system zlib.
///
/// `decompress` enforces a cap on the inflated size, so a small "gzip bomb" cannot make the
/// daemon allocate gigabytes: it stops as soon as the output would pass `maxOutputBytes`.
public enum Gzip {
    /// Compresses `input` into a gzip stream.
    /// - Parameters:
    ///   - input: the bytes to compress.
    ///   - level: zlib level 0…9; 6 (zlib's default) unless told otherwise.
    /// - Returns: a complete gzip member with header and CRC trailer.
    /// - Throws: ``NativeError/zlib(function:status:message:)`` if zlib refuses.
    public static func compress(_ input: [UInt8], level: Int32 = 6) throws(NativeError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip wrapper instead of zlib's own.
        let status = czlib_deflateInit2(&stream, level, 15 + 16)
        guard status == Z_OK else { throw zlibError("deflateInit2", status, &stream) }
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let result: Int32 = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw zlibError("deflate", result, &stream) }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates a gzip stream (one or more concatenated members).
    /// - Parameters:
    ///   - input: the compressed bytes.
    ///   - maxOutputBytes: the largest inflated size accepted.
    /// - Returns: the inflated bytes.
    /// - Throws: ``NativeError/inflatedTooLarge(limit:)`` past the cap,
    ///   ``NativeError/truncatedStream`` for an incomplete stream, ``NativeError/zlib(function:status:message:)``
    ///   for corrupt data.
    public static func decompress(_ input: [UInt8], maxOutputBytes: Int) throws(NativeError) -> [UInt8] {
        var stream = z_stream()
        let status = czlib_inflateInit2(&stream, 15 + 16)
        guard status == Z_OK else { throw zlibError("inflateInit2", status, &stream) }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        output.reserveCapacity(min(maxOutputBytes, max(input.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        while true {
            let (result, produced, used): (Int32, Int, Int) = input.withUnsafeBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress.map { $0 + consumed })
                    stream.avail_in = uInt(inBuf.count - consumed)
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    let before = stream.avail_in
                    let r = inflate(&stream, Z_NO_FLUSH)
                    return (r, outBuf.count - Int(stream.avail_out), Int(before - stream.avail_in))
                }
            }
            consumed += used
            if output.count + produced > maxOutputBytes { throw .inflatedTooLarge(limit: maxOutputBytes) }
            output.append(contentsOf: chunk[0..<produced])
            switch result {
            case Z_STREAM_END:
                // Concatenated gzip members are legal (RFC 1952 §2.2): keep going if bytes remain.
                if consumed < input.count {
                    let reset = inflateReset(&stream)
                    guard reset == Z_OK else { throw zlibError("inflateReset", reset, &stream) }
                    continue
                }
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: input exhausted before the end of the stream.
                if produced == 0 && used == 0 { throw .truncatedStream }
                continue
            default:
                throw zlibError("inflate", result, &stream)
            }
        }
    }

    private static func zlibError(_ function: String, _ status: Int32, _ stream: inout z_stream) -> NativeError {
        let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
        return .zlib(function: function, status: status, message: message)
    }
}
