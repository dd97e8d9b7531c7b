// SPDX-License-Identifier: Apache-2.0
// The event limits in force, replaced on SIGHUP.

import MWSockets

/// The ``EventLimits`` the decoding handlers read for each request; SIGHUP replaces them.
final class LiveLimits: Sendable {
    private let limits: Locked<EventLimits>

    init(_ limits: EventLimits) { self.limits = Locked(limits) }

    var current: EventLimits { limits.withLock { $0 } }

    func replace(_ new: EventLimits) { limits.withLock { $0 = new } }
}
