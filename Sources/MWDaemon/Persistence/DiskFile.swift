// SPDX-License-Identifier: Apache-2.0
// The file system calls of persistence, in one place: open, write, fsync, truncate, lock.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed file system call, with `errno` and the path.
struct DiskError: Error, CustomStringConvertible, Equatable {
    let call: String
    let path: String
    let code: Int32

    var description: String { "\(call) \(path): \(String(cString: strerror(code)))" }
    /// The disk (or the file size limit) is full: writes resume once there is room.
    var isFull: Bool { code == ENOSPC || code == EFBIG || code == EDQUOT }
}

/// An open file descriptor for writing, owned by one thread (the log writer).
final class DiskFile {
    /// A write past `RLIMIT_FSIZE` fails with `EFBIG` instead of killing the process with
    /// `SIGXFSZ` (whose default action is to terminate): a file size limit is a full disk.
    static func ignoreFileSizeSignal() { _ = Glibc.signal(SIGXFSZ, SIG_IGN) }

    let path: String
    private(set) var descriptor: Int32
    /// Bytes in the file (as this process wrote them).
    private(set) var size: Int

    /// Opens (creating, mode 0600) for appending.
    init(appendingTo path: String) throws(DiskError) {
        self.path = path
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DiskError(call: "open", path: path, code: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw DiskError(call: "fstat", path: path, code: code)
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { if descriptor >= 0 { Glibc.close(descriptor) } }

    /// Writes `bytes[from...]`; returns how many were written before an error (the rest is the
    /// caller's to retry), throwing only when none could be.
    func write(_ bytes: [UInt8], from start: Int = 0) -> (written: Int, error: DiskError?) {
        var offset = start
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return (offset - start, DiskError(call: "write", path: path, code: errno))
            }
            offset += n
            size += n
        }
        return (offset - start, nil)
    }

    func sync() throws(DiskError) {
        guard fsync(descriptor) == 0 else { throw DiskError(call: "fsync", path: path, code: errno) }
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Cuts a file to `length` bytes and syncs it (a torn log tail).
    static func truncate(_ path: String, to length: Int) throws(DiskError) {
        guard Glibc.truncate(path, off_t(length)) == 0 else { throw DiskError(call: "truncate", path: path, code: errno) }
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            Glibc.close(fd)
        }
    }

    /// Makes a directory's entries (a created, renamed or deleted file) durable.
    static func syncDirectory(_ path: String) throws(DiskError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DiskError(call: "open", path: path, code: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw DiskError(call: "fsync", path: path, code: errno) }
    }

    /// The first `count` bytes (fewer if the file is shorter).
    static func readPrefix(_ path: String, count: Int) throws(DiskError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DiskError(call: "open", path: path, code: errno) }
        defer { Glibc.close(fd) }
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
        guard n >= 0 else { throw DiskError(call: "read", path: path, code: errno) }
        return Array(out[0..<n])
    }

    /// Removes a file (a compacted log segment, an old snapshot).
    static func remove(_ path: String) throws(DiskError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw DiskError(call: "unlink", path: path, code: errno) }
    }

    /// Renames atomically (a finished snapshot into place).
    static func rename(_ from: String, to: String) throws(DiskError) {
        guard Glibc.rename(from, to) == 0 else { throw DiskError(call: "rename", path: from, code: errno) }
    }

    /// The whole file.
    static func read(_ path: String) throws(DiskError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiskError(call: "read", path: path, code: access(path, R_OK) == 0 ? EIO : errno)
        }
        return [UInt8](data)
    }
}

/// An exclusive lock on a data directory (`flock` on its `LOCK` file), held while the process
/// lives: a second daemon on the same directory is refused rather than corrupting it.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// The other holder's process id (from the file) when the lock is taken.
    enum Failure: Error {
        case held(pid: String)
        case disk(DiskError)
    }

    init(directory: String) throws(Failure) {
        let path = directory + "/LOCK"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .disk(DiskError(call: "open", path: path, code: errno)) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? DiskFile.read(path)).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
            Glibc.close(fd)
            throw .held(pid: holder.isEmpty ? "?" : holder)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }
}
