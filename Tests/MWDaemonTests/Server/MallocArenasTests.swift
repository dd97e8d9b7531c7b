// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
@testable import MWDaemon

@Suite struct MallocArenasTests {
    @Test func capsTheArenasUnlessTheOperatorSetThem() {
        // glibc accepts the cap (mallopt returns 1); an operator's MALLOC_ARENA_MAX is left alone.
        let operatorSet = ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] != nil
        #expect(MallocArenas.cap(2) == !operatorSet)
    }
}
