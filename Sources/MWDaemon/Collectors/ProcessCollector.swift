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
        sink.append(try MetricFamily(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
                                     type: .counter, series: [MetricSeries(r.cpuSeconds)]))
        sink.append(try MetricFamily(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                                     type: .gauge, series: [MetricSeries(r.residentBytes)]))
        sink.append(try MetricFamily(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.",
                                     type: .gauge, series: [MetricSeries(r.virtualBytes)]))
        sink.append(try MetricFamily(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                                     type: .gauge, series: [MetricSeries(r.startTimeSeconds)]))
        sink.append(try MetricFamily(name: "process_open_fds", help: "Number of open file descriptors.",
                                     type: .gauge, series: [MetricSeries(r.openFDs)]))
        sink.append(try MetricFamily(name: "process_max_fds", help: "Maximum number of open file descriptors.",
                                     type: .gauge, series: [MetricSeries(r.maxFDs)]))
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

    /// The boot time never changes while we run: read /proc/stat (a large file) once.
    private static let bootTime: Double? = try? parseBootTime(text("/proc/stat"))

    static func read() throws -> Reading {
        let stat = try text("/proc/self/stat")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        let parsed = try parseStat(stat)
        guard let bootTime else { throw ProcError.malformed("/proc/stat") }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Reading(cpuSeconds: (parsed.utime + parsed.stime) / ticks, residentBytes: parsed.rssPages * page,
                       virtualBytes: parsed.vsize, startTimeSeconds: bootTime + parsed.starttime / ticks,
                       openFDs: Double(try countOpenFDs()), maxFDs: Double(limit.rlim_cur))
    }

    /// Counts the entries of /proc/self/fd with readdir (cheap even with thousands of connections).
    ///
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    static func countOpenFDs() throws -> Int {
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
