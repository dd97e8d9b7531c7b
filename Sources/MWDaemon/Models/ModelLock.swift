// SPDX-License-Identifier: Apache-2.0
// A value behind a POSIX mutex whose waiters sleep.

#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t`. `Synchronization.Mutex` is a priority-inheritance futex
/// on Linux, and the kernel spins a waiter for as long as the owner runs: two batches for one
/// model then burn a second core while the first is applied (8 % of the daemon's CPU under
/// ingestion load). Here a waiter sleeps until the lock is free.
final class ModelLock<Value: Sendable>: @unchecked Sendable {  // `value` is only touched under `mutex`
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
