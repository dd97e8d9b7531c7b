// SPDX-License-Identifier: Apache-2.0
// How a handler answers: at once, or later from another thread (after the log is on disk).

import MWSockets

/// Where a handler sends its response. A handler that answers before it returns costs one
/// lock; one that answers later (from any thread, e.g. once its log record is synced) has its
/// response handed to the connection's event loop, which keeps serving others meanwhile. The
/// first response sent wins; later ones are ignored.
public final class ResponseSink: Sendable {
    private enum State {
        case waiting
        /// Answered before the event loop looked.
        case answered(HTTPResponse)
        /// The loop moved on: deliver through this.
        case detached(@Sendable (HTTPResponse) -> Void)
        case delivered
    }

    private let state = Locked(State.waiting)

    public init() {}

    /// Sends the response (once).
    public func send(_ response: HTTPResponse) {
        let deliver: (@Sendable (HTTPResponse) -> Void)? = state.withLock { state in
            switch state {
            case .waiting:
                state = .answered(response)
                return nil
            case .detached(let deliver):
                state = .delivered
                return deliver
            case .answered, .delivered:
                return nil
            }
        }
        deliver?(response)
    }

    /// The response if it was sent already; otherwise nil, and a later ``send(_:)`` calls `deliver`.
    func detach(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) -> HTTPResponse? {
        state.withLock { state in
            if case .answered(let response) = state {
                state = .delivered
                return response
            }
            state = .detached(deliver)
            return nil
        }
    }
}
