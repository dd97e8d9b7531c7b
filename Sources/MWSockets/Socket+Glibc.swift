// SPDX-License-Identifier: Apache-2.0
// Every libc call of the socket layer lives in this file.

import CLinux
import Glibc

/// Retries a system call interrupted by a signal (`EINTR`); returns its result otherwise.
@inline(__always)
func valueOrErrno<T: SignedInteger>(retryOnInterrupt: Bool = true, _ call: () -> T) -> T {
    while true {
        let result = call()
        if result == -1 && retryOnInterrupt && errno == EINTR { continue }
        return result
    }
}

extension Socket {
    /// Creates a listening TCP socket bound to `address`, with `SO_REUSEADDR`, non-blocking.
    /// - Parameters:
    ///   - address: where to listen; port 0 picks a free port (see ``localPort()``).
    ///   - backlog: the kernel accept queue length.
    /// - Throws: ``SocketError`` naming the call that failed (`socket`, `bind`, `listen`).
    ///
    /// The corresponding C functions are `socket`, `setsockopt`, `bind` and `listen`.
    public static func makeListener(address: SocketAddress, backlog: Int32 = 1024) throws(SocketError) -> Socket {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .makeFailed("socket") }
        let socket = Socket(fileDescriptor: fd)
        do {
            try socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
            let rc = address.withSockAddr { sa, len in Glibc.bind(fd, sa, len) }
            guard rc == 0 else { throw SocketError.makeFailed("bind \(address)") }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError.makeFailed("listen") }
        } catch let error as SocketError {
            socket.close()
            throw error
        } catch {
            socket.close()
            throw .failed(call: "listen", errno: 0)
        }
        return socket
    }

    /// Connects a blocking TCP client socket to `address` (used by tests and the demo).
    ///
    /// The corresponding C functions are `socket` and `connect`.
    public static func connect(to address: SocketAddress) throws(SocketError) -> Socket {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .makeFailed("socket") }
        let rc = address.withSockAddr { sa, len in valueOrErrno { Glibc.connect(fd, sa, len) } }
        guard rc == 0 else {
            let error = SocketError.makeFailed("connect \(address)")
            _ = Glibc.close(fd)
            throw error
        }
        return Socket(fileDescriptor: fd)
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket; nil when none is pending.
    ///
    /// The corresponding C function is `accept4`.
    public func accept() throws(SocketError) -> Socket? {
        let fd = valueOrErrno { clinux_accept4(fileDescriptor, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)) }
        if fd >= 0 { return Socket(fileDescriptor: fd) }
        switch errno {
        case EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO: return nil
        default: throw .makeFailed("accept4")
        }
    }

    /// The peer's address as `HOST:PORT` (`[V6]:PORT`), nil when it cannot be had.
    ///
    /// The corresponding C functions are `getpeername` and `inet_ntop`.
    public func peerName() -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fileDescriptor, $0, &length) }
        }
        guard got == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var address = sin.pointee.sin_addr
                    return Self.numericHost(AF_INET, &address).map { "\($0):\(UInt16(bigEndian: sin.pointee.sin_port))" }
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var address = sin.pointee.sin6_addr
                    return Self.numericHost(AF_INET6, &address).map { "[\($0)]:\(UInt16(bigEndian: sin.pointee.sin6_port))" }
                }
            }
        default:
            return nil
        }
    }

    /// The numeric text of an `in_addr` / `in6_addr` of `family`.
    private static func numericHost(_ family: Int32, _ address: UnsafeRawPointer) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, address, &text, socklen_t(text.count)) != nil else { return nil }
        return String(cString: text)
    }

    /// Reads into `buffer` without blocking.
    ///
    /// The corresponding C function is `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> ReadResult {
        let n = valueOrErrno { Glibc.read(fileDescriptor, buffer.baseAddress, buffer.count) }
        if n > 0 { return .bytes(n) }
        if n == 0 { return .endOfFile }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
        throw .makeFailed("read")
    }

    /// Writes from `buffer` without blocking and without raising `SIGPIPE`.
    ///
    /// The corresponding C function is `send` with `MSG_NOSIGNAL`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> WriteResult {
        let n = valueOrErrno { Glibc.send(fileDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
        if n >= 0 { return .wrote(n) }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
        throw .makeFailed("send")
    }

    /// Writes all of `bytes`, blocking (for blocking client sockets in tests and tools).
    public func writeAll(_ bytes: [UInt8]) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Result { () throws(SocketError) in try write(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
            }
            switch try result.get() {
            case .wrote(let n): offset += n
            case .wouldBlock: _ = poll(events: Int16(POLLOUT), timeoutMilliseconds: 1000)
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for `events`; returns the events that fired.
    ///
    /// The corresponding C function is `poll`.
    @discardableResult
    public func poll(events: Int16, timeoutMilliseconds: Int32) -> Int16 {
        var pfd = pollfd(fd: fileDescriptor, events: events, revents: 0)
        let n = valueOrErrno { Glibc.poll(&pfd, 1, timeoutMilliseconds) }
        return n > 0 ? pfd.revents : 0
    }

    /// Sets an integer socket option.
    ///
    /// The corresponding C function is `setsockopt`.
    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var v = value
        guard setsockopt(fileDescriptor, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .makeFailed("setsockopt")
        }
    }

    /// Disables Nagle's algorithm so small responses leave at once.
    public func setNoDelay() throws(SocketError) {
        try setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Sets the kernel receive timeout of a blocking socket (tests and tools).
    public func setReceiveTimeout(seconds: Double) throws(SocketError) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        guard setsockopt(fileDescriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw .makeFailed("setsockopt(SO_RCVTIMEO)")
        }
    }

    /// The local port this socket is bound to (after binding to port 0).
    ///
    /// The corresponding C function is `getsockname`.
    public func localPort() throws(SocketError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        guard rc == 0 else { throw .makeFailed("getsockname") }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// Shuts down the sending side (the peer reads end-of-file) while still reading.
    ///
    /// The corresponding C function is `shutdown`.
    public func shutdownWrite() {
        _ = Glibc.shutdown(fileDescriptor, Int32(SHUT_WR))
    }

    /// Closes the descriptor.
    ///
    /// The corresponding C function is `close`.
    public func close() {
        _ = Glibc.close(fileDescriptor)
    }
}

/// An epoll instance: the readiness notifier of one event loop.
public struct Poller: ~Copyable {
    /// Readiness flags, as the kernel reports them.
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: EPOLLIN.rawValue)
        public static let writable = Events(rawValue: EPOLLOUT.rawValue)
        public static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        public static let error = Events(rawValue: EPOLLERR.rawValue)
        /// Wake only one of the pollers waiting on a shared descriptor (for a shared listener).
        public static let exclusive = Events(rawValue: EPOLLEXCLUSIVE.rawValue)
    }

    /// A ready descriptor: the token it was registered with and its events.
    public struct Ready: Sendable {
        public let token: UInt64
        public let events: Events
    }

    private let fd: Int32
    private var buffer: UnsafeMutablePointer<epoll_event>
    private let capacity: Int

    /// Creates an epoll instance reporting at most `capacity` events per wait.
    ///
    /// The corresponding C function is `epoll_create1`.
    public init(capacity: Int = 256) throws(SocketError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw .makeFailed("epoll_create1") }
        self.fd = fd
        self.capacity = capacity
        self.buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        _ = Glibc.close(fd)
    }

    /// Registers `descriptor` for `events` (level-triggered), reported with `token`.
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_ADD`.
    public func add(_ descriptor: Int32, events: Events, token: UInt64) throws(SocketError) {
        try control(EPOLL_CTL_ADD, descriptor, events, token)
    }

    /// Changes the events of a registered descriptor.
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_MOD`.
    public func modify(_ descriptor: Int32, events: Events, token: UInt64) throws(SocketError) {
        try control(EPOLL_CTL_MOD, descriptor, events, token)
    }

    /// Stops watching a descriptor.
    ///
    /// The corresponding C function is `epoll_ctl` with `EPOLL_CTL_DEL`.
    public func remove(_ descriptor: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, &ev)
    }

    private func control(_ op: Int32, _ descriptor: Int32, _ events: Events, _ token: UInt64) throws(SocketError) {
        var ev = epoll_event()
        ev.events = events.rawValue
        ev.data.u64 = token
        guard epoll_ctl(fd, op, descriptor, &ev) == 0 else { throw .makeFailed("epoll_ctl") }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and calls `body` for each ready descriptor.
    ///
    /// The corresponding C function is `epoll_wait`.
    public func wait(timeoutMilliseconds: Int32, _ body: (Ready) -> Void) throws(SocketError) {
        let n = epoll_wait(fd, buffer, Int32(capacity), timeoutMilliseconds)
        if n < 0 {
            if errno == EINTR { return }
            throw .makeFailed("epoll_wait")
        }
        for i in 0..<Int(n) {
            let ev = buffer[i]
            body(Ready(token: ev.data.u64, events: Events(rawValue: ev.events)))
        }
    }
}

/// An eventfd: a counter another thread increments to wake an event loop.
public struct EventFD: Sendable {
    /// The raw descriptor to register with a ``Poller``.
    public let fileDescriptor: Int32

    /// Creates a non-blocking eventfd.
    ///
    /// The corresponding C function is `eventfd`.
    public init() throws(SocketError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw .makeFailed("eventfd") }
        fileDescriptor = fd
    }

    /// Wakes the loop watching this eventfd. Safe from any thread.
    ///
    /// The corresponding C function is `eventfd_write`.
    public func signal() {
        _ = eventfd_write(fileDescriptor, 1)
    }

    /// Resets the counter after a wake-up.
    ///
    /// The corresponding C function is `eventfd_read`.
    public func drain() {
        var value: eventfd_t = 0
        _ = eventfd_read(fileDescriptor, &value)
    }

    /// Closes the descriptor.
    public func close() { _ = Glibc.close(fileDescriptor) }
}

/// Process-wide limits the server adjusts at start.
public enum ProcessLimits {
    /// Raises the soft open-files limit to the hard limit; returns the new soft limit.
    ///
    /// The corresponding C functions are `getrlimit` and `setrlimit`.
    @discardableResult
    public static func raiseOpenFilesLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return UInt64(limit.rlim_cur)
    }

    /// Ignores `SIGPIPE` process-wide (writes use `MSG_NOSIGNAL`, this covers the rest).
    public static func ignoreSIGPIPE() {
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
    }
}

/// A monotonic clock in nanoseconds, for durations and deadlines (never wall-clock time).
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point.
    ///
    /// The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
