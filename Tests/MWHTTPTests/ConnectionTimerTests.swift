// SPDX-License-Identifier: Apache-2.0
// The timeout state machine driven by a manual clock.

import Testing
@testable import MWHTTP

@Suite struct ConnectionTimerTests {
    private let s: UInt64 = 1_000_000_000
    private func timer(at now: UInt64 = 0) -> ConnectionTimer {
        ConnectionTimer(now: now, idleTimeout: 60 * s, requestTimeout: 10 * s, writeTimeout: 30 * s)
    }

    @Test func idleFiresAfterIdleTimeout() {
        let t = timer()
        #expect(t.expired(now: 59 * s, busy: false) == nil)
        #expect(t.expired(now: 60 * s, busy: false) == .idle)
    }

    @Test func partialRequestFiresRequestTimeoutFromFirstByte() {
        var t = timer()
        t.received(now: 5 * s, partialRequest: true)
        t.received(now: 14 * s, partialRequest: true)  // more bytes do not extend the deadline
        #expect(t.expired(now: 14 * s, busy: false) == nil)
        #expect(t.expired(now: 15 * s, busy: false) == .request)
    }

    @Test func completedRequestResetsToIdle() {
        var t = timer()
        t.received(now: 1 * s, partialRequest: true)
        t.requestCompleted(now: 2 * s, partialRequest: false)
        #expect(t.expired(now: 20 * s, busy: false) == nil)
        #expect(t.expired(now: 62 * s, busy: false) == .idle)
    }

    @Test func pipelinedPartialRequestStartsItsOwnClock() {
        var t = timer()
        t.requestCompleted(now: 3 * s, partialRequest: true)
        #expect(t.expired(now: 12 * s, busy: false) == nil)
        #expect(t.expired(now: 13 * s, busy: false) == .request)
    }

    @Test func busyHandlerSuspendsRequestAndIdleTimeouts() {
        var t = timer()
        t.received(now: 0, partialRequest: true)
        #expect(t.expired(now: 100 * s, busy: true) == nil)
    }

    @Test func blockedWriteFiresWriteTimeoutUnlessProgressing() {
        var t = timer()
        t.writeState(now: 1 * s, blocked: true, progressed: false)
        #expect(t.expired(now: 30 * s, busy: false) == nil)
        t.writeState(now: 20 * s, blocked: true, progressed: true)
        #expect(t.expired(now: 49 * s, busy: false) == nil)
        #expect(t.expired(now: 50 * s, busy: false) == .write)
        t.writeState(now: 50 * s, blocked: false, progressed: true)
        #expect(t.expired(now: 60 * s, busy: false) == nil)
    }
}
