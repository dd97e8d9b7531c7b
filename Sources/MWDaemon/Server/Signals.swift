// SPDX-License-Identifier: Apache-2.0
// Waits for SIGTERM/SIGINT (stop) and handles SIGHUP (reload) on a dispatch queue.

import Dispatch
import Glibc

/// Turns process signals into calls: a stop signal ends ``wait(onReload:)``.
public enum Signals {
    /// Blocks until SIGTERM or SIGINT arrives; calls `onReload` for each SIGHUP meanwhile.
    /// - Returns: the signal that stopped the wait.
    public static func wait(onReload: @escaping @Sendable () -> Void) -> Int32 {
        let queue = DispatchQueue(label: "modelwatch.signals")
        let stopped = DispatchSemaphore(value: 0)
        let received = SignalBox()
        var sources: [any DispatchSourceSignal] = []
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            _ = Glibc.signal(signal, SIG_IGN)  // let the dispatch source see it instead of the default action
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler {
                if signal == SIGHUP {
                    onReload()
                } else {
                    received.set(signal)
                    stopped.signal()
                }
            }
            source.resume()
            sources.append(source)
        }
        stopped.wait()
        for source in sources { source.cancel() }
        return received.value
    }
}

/// The signal that ended the wait, handed from the signal queue to the waiting thread.
private final class SignalBox: @unchecked Sendable {
    // Written once on the signal queue before the semaphore is signalled, read after the wait:
    // the semaphore orders the two accesses.
    private var stored: Int32 = 0
    func set(_ signal: Int32) { stored = signal }
    var value: Int32 { stored }
}
