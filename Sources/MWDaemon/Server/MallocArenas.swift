// SPDX-License-Identifier: Apache-2.0
// glibc's malloc arenas, capped for a long-running daemon.

import CLinux
import Foundation

/// glibc gives each thread that allocates under contention an arena of its own (up to 8 per
/// core) and keeps what is freed in it. Two event loops, the log writer, the snapshot thread and
/// the workers of large bodies allocating and freeing then leave RSS rising slowly although live
/// memory is flat (the soak in docs/performance.md: +7.8 % over 30 minutes with the default).
/// Two arenas keep it flat but make those threads wait for each other's malloc (NDJSON ingestion
/// 25 % slower on 2 cores); two per core keep it flat at full speed.
public enum MallocArenas {
    /// Two per core, at least 4.
    public static var defaultCount: Int32 { Int32(clamping: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)) }

    /// Caps the arenas at `count` unless `MALLOC_ARENA_MAX` is set (the operator's choice wins).
    /// Call once at start, before the threads exist. Returns whether the cap was set here.
    @discardableResult
    public static func cap(_ count: Int32 = defaultCount) -> Bool {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return false }
        return mallopt(M_ARENA_MAX, count) == 1
    }
}
