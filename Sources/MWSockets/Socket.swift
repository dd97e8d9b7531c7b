// SPDX-License-Identifier: Apache-2.0
// A non-blocking TCP socket descriptor and the operations the server needs.

/// A socket file descriptor. A plain value: closing is explicit (``close()``).
public struct Socket: Sendable, Hashable {
    /// The raw file descriptor.
    public let fileDescriptor: Int32

    /// Wraps an existing descriptor.
    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    /// The outcome of a non-blocking read.
    public enum ReadResult: Equatable, Sendable {
        /// `n` bytes were read (n > 0).
        case bytes(Int)
        /// Nothing to read now; wait for readability.
        case wouldBlock
        /// The peer closed its sending side.
        case endOfFile
    }

    /// The outcome of a non-blocking write.
    public enum WriteResult: Equatable, Sendable {
        /// `n` bytes were written (possibly fewer than offered).
        case wrote(Int)
        /// The send buffer is full; wait for writability.
        case wouldBlock
    }
}
