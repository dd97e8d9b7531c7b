// SPDX-License-Identifier: Apache-2.0
// process_* metrics read from /proc, as client_golang's process collector exports them.

import Foundation
import Glibc
public import MWExposition

/// CPU time, resident and virtual memory, open and maximum file descriptors, start time.
public struct ProcessCollector: Collector {
    public let name = "process"

    public init() {}

    /// What /proc says about this process.
    struct Reading: Equatable {
        var cpuSeconds: Double
        var residentBytes: Double
        var virtualBytes: Double
        var startTimeSeconds: Double
        var openFDs: Double
        var maxFDs: Double
    }

    public func collect(into sink: inout [MetricFamily]) throws {
        let r = try Self.read()
        let table: [(String, String, MetricType, Double)] = [
            ("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, r.cpuSeconds),
            ("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, r.residentBytes),
            ("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, r.virtualBytes),
            ("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, r.startTimeSeconds),
            ("process_open_fds", "Number of open file descriptors.", .gauge, r.openFDs),
            ("process_max_fds", "Maximum number of open file descriptors.", .gauge, r.maxFDs),
        ]
        for (name, help, type, value) in table {
            sink.append(try MetricFamily(name: name, help: help, type: type, series: [MetricSeries(value)]))
        }
    }

    /// Errors reading /proc.
    enum ProcError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)
        var description: String {
            switch self {
            case .unreadable(let path): return "cannot read \(path)"
            case .malformed(let path): return "unexpected format in \(path)"
            }
        }
    }

    /// The start time never changes: computed once from /proc/self/stat and /proc/stat (a large file).
    private static let startTime: Double? = {
        guard let stat = try? text("/proc/self/stat"), let parsed = try? parseStat(stat),
              let boot = try? parseBootTime(text("/proc/stat")) else { return nil }
        return boot + parsed.starttime / Double(sysconf(Int32(_SC_CLK_TCK)))
    }()

    /// One reading. Per scrape this costs `getrusage`, a read of /proc/self/statm, a `stat` of
    /// /proc/self/fd and `getrlimit`: a few microseconds, independent of traffic.
    static func read() throws -> Reading {
        guard let startTime else { throw ProcError.malformed("/proc/self/stat") }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let (sizePages, residentPages) = try parseStatm(try text("/proc/self/statm"))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Reading(cpuSeconds: cpu, residentBytes: residentPages * page, virtualBytes: sizePages * page,
                       startTimeSeconds: startTime, openFDs: Double(try countOpenFDs()), maxFDs: Double(limit.rlim_cur))
    }

    /// The first two fields of /proc/self/statm: total program size and resident set, in pages.
    static func parseStatm(_ statm: String) throws -> (size: Double, resident: Double) {
        let fields = statm.split(separator: " ", maxSplits: 2)
        guard fields.count >= 2, let size = Double(fields[0]), let resident = Double(fields[1]) else {
            throw ProcError.malformed("/proc/self/statm")
        }
        return (size, resident)
    }

    /// Counts open descriptors. Linux 6.2+ reports the count as the size of /proc/self/fd (O(1));
    /// older kernels report 0 there, and the directory is listed instead (O(descriptors)).
    ///
    /// The corresponding C functions are `stat`, then `opendir`, `readdir` and `closedir`.
    static func countOpenFDs() throws -> Int {
        var info = stat()
        if stat("/proc/self/fd", &info) == 0 && info.st_size > 0 { return Int(info.st_size) }
        guard let dir = opendir("/proc/self/fd") else { throw ProcError.unreadable("/proc/self/fd") }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count - 1  // the descriptor of the directory being listed
    }

    /// Fields of /proc/self/stat after the `(comm)`: utime 14, stime 15, starttime 22, vsize 23, rss 24.
    static func parseStat(_ stat: String) throws -> (utime: Double, stime: Double, starttime: Double, vsize: Double, rssPages: Double) {
        guard let close = stat.lastIndex(of: ")") else { throw ProcError.malformed("/proc/self/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state).
        func field(_ n: Int) throws -> Double {
            guard fields.count > n - 3, let v = Double(fields[n - 3]) else { throw ProcError.malformed("/proc/self/stat") }
            return v
        }
        return (try field(14), try field(15), try field(22), try field(23), try field(24))
    }

    static func parseBootTime(_ stat: String) throws -> Double {
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            if let v = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) { return v }
        }
        throw ProcError.malformed("/proc/stat")
    }

    /// Reads a small /proc file with one open/read/close (no Foundation round trip).
    private static func text(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcError.unreadable(path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
