// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
@testable import MWDaemon

@Suite(.serialized) struct MallocArenasTests {
    /// Under AddressSanitizer malloc is the sanitizer's: it refuses `mallopt` (returns 0).
    static var sanitized: Bool { ProcessInfo.processInfo.environment["LSAN_OPTIONS"] != nil }

    @Test func capsTheArenasUnlessTheOperatorSetThem() {
        let previous = ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"]
        defer { if let previous { setenv("MALLOC_ARENA_MAX", previous, 1) } else { unsetenv("MALLOC_ARENA_MAX") } }
        setenv("MALLOC_ARENA_MAX", "3", 1)
        #expect(!MallocArenas.cap(), "the operator's setting wins: not overridden")
        unsetenv("MALLOC_ARENA_MAX")
        #expect(MallocArenas.cap() == !Self.sanitized, "glibc accepts the cap")
        #expect(MallocArenas.defaultCount == Int32(max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)))
    }
}
