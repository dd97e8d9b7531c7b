// SPDX-License-Identifier: Apache-2.0
// /proc parsing and the live process reading.

import Testing
@testable import MWDaemon

@Suite struct ProcessCollectorTests {
    @Test func parsesStatWithSpacesInCommand() throws {
        let stat = "1234 (my (odd) cmd) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 4 0 98765 104857600 2560 18446744073709551615"
        let p = try ProcessCollector.parseStat(stat)
        #expect(p.utime == 150 && p.stime == 50)
        #expect(p.starttime == 98765)
        #expect(p.vsize == 104_857_600)
        #expect(p.rssPages == 2560)
    }

    @Test func parsesBootTime() throws {
        #expect(try ProcessCollector.parseBootTime("cpu  1 2 3\nbtime 1732430000\nprocesses 5\n") == 1_732_430_000)
        #expect(throws: (any Error).self) { try ProcessCollector.parseBootTime("cpu 1\n") }
    }

    @Test func parsesStatm() throws {
        let m = try ProcessCollector.parseStatm("25600 2560 1024 10 0 300 0\n")
        #expect(m.size == 25600 && m.resident == 2560)
        #expect(throws: (any Error).self) { try ProcessCollector.parseStatm("x\n") }
    }

    @Test func liveReadingIsPlausible() throws {
        let r = try ProcessCollector.read()
        #expect(r.residentBytes > 1_000_000)
        #expect(r.openFDs >= 3)
        #expect(r.maxFDs >= r.openFDs)
        #expect(r.cpuSeconds > 0)
        #expect(r.startTimeSeconds > 1_600_000_000)
        #expect(r.virtualBytes > r.residentBytes)
    }
}
