// SPDX-License-Identifier: Apache-2.0
// A value behind a POSIX mutex whose waiters sleep: the one lock of the code base.

#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t`, for every piece of state threads share.
///
/// Why not `Synchronization.Mutex`: on Linux it is a priority-inheritance futex, and the kernel
/// spins a waiter for as long as the owner runs (two batches for one model then burned a
/// second core while the first was applied: 8 % of the daemon's CPU under ingestion load);
/// here a waiter sleeps until the lock is free. And ThreadSanitizer sees a pthread mutex but not
/// `Mutex` (a futex over atomics in the uninstrumented standard library), so with this lock
/// `--sanitize=thread` reports races, not every locked access.
public final class Locked<Value>: @unchecked Sendable {  // `value` is only touched under `mutex`
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    @inline(__always)
    public func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
