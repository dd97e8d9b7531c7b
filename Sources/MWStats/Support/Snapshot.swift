// SPDX-License-Identifier: Apache-2.0
// A compact binary form of the statistics for snapshots: what each type writes and reads back.

/// Why snapshot bytes could not be read back.
public enum SnapshotError: Error, Equatable, CustomStringConvertible {
    /// The bytes end before the value does.
    case truncated
    /// A value that cannot be (an unknown enum tag, a negative count, a size past the limits).
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated: return "the snapshot ends in the middle of a value"
        case .invalid(let what): return "the snapshot holds an impossible value: \(what)"
        }
    }
}

/// Appends values in a fixed little-endian layout. No field names, no tags beyond those a type
/// writes itself: the reader reads the same fields in the same order (the snapshot file's
/// format version says which order).
public struct SnapshotWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func double(_ value: Double) { integer(value.bitPattern) }
    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func int(_ value: Int) { integer(Int64(value)) }
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            integer(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
    public mutating func raw(_ data: [UInt8]) {
        integer(UInt32(data.count))
        bytes.append(contentsOf: data)
    }
    public mutating func doubles(_ values: [Double]) {
        integer(UInt32(values.count))
        for v in values { double(v) }
    }
    public mutating func counts(_ values: [UInt64]) {
        integer(UInt32(values.count))
        for v in values { integer(v) }
    }
    public mutating func optional<T>(_ value: T?, _ write: (inout SnapshotWriter, T) -> Void) {
        bool(value != nil)
        if let value { write(&self, value) }
    }
    public mutating func array<T>(_ values: [T], _ write: (inout SnapshotWriter, T) -> Void) {
        integer(UInt32(values.count))
        for v in values { write(&self, v) }
    }
    public mutating func value<T: Snapshotted>(_ value: T) { value.write(to: &self) }
}

/// Reads what a ``SnapshotWriter`` wrote, checking every length against the bytes left.
public struct SnapshotReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int
    /// The ``ModelState/snapshotLayout`` the bytes were written with: readers of fields added
    /// in a later layout read them only from snapshots that have them.
    public let layout: UInt32

    public init(_ bytes: [UInt8], offset: Int = 0, layout: UInt32 = ModelState.snapshotLayout) {
        self.bytes = bytes
        self.offset = offset
        self.layout = layout
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func integer<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw .truncated }
        var value = T.zero
        bytes.withUnsafeBytes { raw in
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])) }
        }
        offset += size
        return T(littleEndian: value)
    }
    public mutating func double() throws(SnapshotError) -> Double { Double(bitPattern: try integer(UInt64.self)) }
    public mutating func bool() throws(SnapshotError) -> Bool {
        let b: UInt8 = try integer()
        guard b <= 1 else { throw .invalid("boolean \(b)") }
        return b == 1
    }
    public mutating func int() throws(SnapshotError) -> Int { Int(try integer(Int64.self)) }
    /// A count of things each at least `minimumBytes` long (so a corrupt count cannot make the
    /// reader allocate more than the bytes could hold).
    public mutating func count(minimumBytes: Int = 1) throws(SnapshotError) -> Int {
        let n = Int(try integer(UInt32.self))
        guard n * max(1, minimumBytes) <= bytes.count - offset else { throw .truncated }
        return n
    }
    public mutating func string() throws(SnapshotError) -> String {
        let n = try count()
        let s = String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
        offset += n
        return s
    }
    public mutating func raw() throws(SnapshotError) -> [UInt8] {
        let n = try count()
        let out = Array(bytes[offset..<(offset + n)])
        offset += n
        return out
    }
    public mutating func doubles() throws(SnapshotError) -> [Double] {
        let n = try count(minimumBytes: 8)
        var out = [Double]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try double()) }
        return out
    }
    public mutating func counts() throws(SnapshotError) -> [UInt64] {
        let n = try count(minimumBytes: 8)
        var out = [UInt64]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try integer(UInt64.self)) }
        return out
    }
    public mutating func optional<T>(_ read: (inout SnapshotReader) throws(SnapshotError) -> T) throws(SnapshotError) -> T? {
        try bool() ? try read(&self) : nil
    }
    public mutating func array<T>(_ read: (inout SnapshotReader) throws(SnapshotError) -> T) throws(SnapshotError) -> [T] {
        let n = try count()
        var out = [T]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }
    public mutating func value<T: Snapshotted>(_ type: T.Type = T.self) throws(SnapshotError) -> T { try T(from: &self) }
}

/// A value with a snapshot form: what must be kept to rebuild it, and nothing derived (caches
/// and lookup tables are rebuilt by ``init(from:)``).
public protocol Snapshotted {
    func write(to writer: inout SnapshotWriter)
    init(from reader: inout SnapshotReader) throws(SnapshotError)
}
