// SPDX-License-Identifier: Apache-2.0
// The size limits the request parser enforces.

/// Hard limits for one request. Exceeding one is an error with its own status (414, 431, 413).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (method, target, version) in bytes; beyond: 414.
    public var maxRequestLineBytes: Int
    /// Largest header section (request line and fields) in bytes; beyond: 431.
    public var maxHeaderBytes: Int
    /// Most header fields; beyond: 431.
    public var maxHeaderCount: Int
    /// Largest body (after de-chunking, before inflation) in bytes; beyond: 413.
    public var maxBodyBytes: Int

    public init(maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024,
                maxHeaderCount: Int = 128, maxBodyBytes: Int = 16 * 1024 * 1024) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
