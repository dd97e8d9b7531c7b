// SPDX-License-Identifier: Apache-2.0
// The connection's lifecycle as a pure state machine, driven by hand.

import Testing
@testable import MWHTTP

@Suite struct ConnectionLifecycleTests {
    @Test func aTLSConnectionHandshakesThenTakesRequests() {
        var l = ConnectionLifecycle(needsHandshake: true)
        #expect(!l.isEstablished && !l.takesRequests)
        #expect(l.interest(pendingOutput: 0, outputHighWater: 1 << 20, readWaitsForWritable: false) == (true, false))
        l.handshakeWaits(forWritable: true)
        #expect(l.interest(pendingOutput: 0, outputHighWater: 1 << 20, readWaitsForWritable: false) == (false, true))
        l.handshakeCompleted()
        #expect(l.isEstablished && l.takesRequests && l.phase == .open)
        #expect(ConnectionLifecycle(needsHandshake: false).phase == .open)
    }

    @Test func aRunningHandlerHoldsBackPipelinedRequestsAndReads() {
        var l = ConnectionLifecycle(needsHandshake: false)
        l.handlerStarted()
        #expect(!l.takesRequests)
        #expect(l.interest(pendingOutput: 0, outputHighWater: 100, readWaitsForWritable: false) == (false, false))
        l.handlerFinished()
        #expect(l.takesRequests)
        // output beyond the high-water mark stops reading; pending output wants writable
        #expect(l.interest(pendingOutput: 100, outputHighWater: 100, readWaitsForWritable: false) == (false, true))
        #expect(l.interest(pendingOutput: 10, outputHighWater: 100, readWaitsForWritable: false) == (true, true))
        #expect(l.interest(pendingOutput: 0, outputHighWater: 100, readWaitsForWritable: true) == (true, true))
    }

    @Test func connectionCloseLingersAfterTheFlushThenExpires() {
        var l = ConnectionLifecycle(needsHandshake: false)
        #expect(l.outputFlushed(now: 5, draining: false) == .keepGoing)  // keep-alive: nothing to do
        l.stopAfterOutput()
        #expect(l.isClosing && !l.takesRequests && !l.isLingering)
        #expect(l.interest(pendingOutput: 1, outputHighWater: 100, readWaitsForWritable: false) == (false, true))
        #expect(l.outputFlushed(now: 10, draining: false) == .linger)
        #expect(l.phase == .lingering(until: 10 + ConnectionLifecycle.linger))
        #expect(l.interest(pendingOutput: 0, outputHighWater: 100, readWaitsForWritable: false) == (true, false))  // discarding input
        #expect(!l.lingerExpired(now: 10 + ConnectionLifecycle.linger - 1) && l.lingerExpired(now: 10 + ConnectionLifecycle.linger))
        #expect(l.outputFlushed(now: 11, draining: false) == .keepGoing)  // lingering once
        var draining = ConnectionLifecycle(needsHandshake: false)
        draining.stopAfterOutput()
        #expect(draining.outputFlushed(now: 0, draining: true) == .linger && draining.phase == .lingering(until: ConnectionLifecycle.lingerWhileDraining))
    }

    @Test func thePeersEndOfFileClosesOnceItsRequestsAreAnswered() {
        var l = ConnectionLifecycle(needsHandshake: false)
        l.handlerStarted()
        l.peerSentEndOfFile()
        l.requestsDone()
        #expect(l.phase == .open)  // the handler's answer is still to be written
        #expect(l.interest(pendingOutput: 0, outputHighWater: 100, readWaitsForWritable: false) == (false, false))
        l.handlerFinished()
        l.requestsDone()
        #expect(l.isClosing)
        #expect(l.outputFlushed(now: 1, draining: false) == .close)  // no linger: the peer is gone
        #expect(l.phase == .closed)
    }

    @Test func closingWaitsForTheHandler() {
        var l = ConnectionLifecycle(needsHandshake: false)
        l.stopAfterOutput()
        l.handlerStarted()
        #expect(l.outputFlushed(now: 1, draining: false) == .keepGoing)
        l.handlerFinished()
        #expect(l.outputFlushed(now: 2, draining: false) == .linger)
    }
}
