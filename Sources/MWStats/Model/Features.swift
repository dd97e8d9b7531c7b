// SPDX-License-Identifier: Apache-2.0
// An event's features as the decoder leaves them: shared names, values packed in 8 bytes.

/// The names of an event's features, in order. The events of one body that list the same
/// names in the same order share one instance, so a model maps names to columns once per
/// instance (``FeatureColumnMap``) instead of once per value.
public final class FeatureNames: Sendable {
    public let names: [String]

    public init(_ names: [String]) { self.names = names }
}

/// The category strings of one body's events, which hold indices into it. Appended to only
/// while the body is decoded, by the decoding thread; read-only once the events are handed
/// over (the handover orders the accesses), hence `@unchecked Sendable`.
public final class CategoryStrings: @unchecked Sendable {
    public private(set) var strings: [String] = []

    public init() {}

    /// Adds `string` and returns its index.
    public func append(_ string: String) -> Int {
        strings.append(string)
        return strings.count - 1
    }
}

/// A feature value in 8 bytes: a finite number as itself; `null` and a category (an index into
/// the event's ``CategoryStrings``) as NaN payloads, which no accepted number has. An array of
/// them needs no per-element release and a third of the memory of ``FeatureValue``s.
public struct PackedValue: Sendable, Equatable {
    public let bits: UInt64

    static let missingBits: UInt64 = 0xFFF8_0000_0000_0000
    static let categoryTag: UInt64 = 0xFFF9_0000_0000_0000
    static let tagMask: UInt64 = 0xFFFF_0000_0000_0000

    /// - Precondition: `x` is finite.
    @inline(__always) public init(number x: Double) { bits = x.bitPattern }
    @inline(__always) public init(category index: Int) { bits = Self.categoryTag | UInt64(index) }
    public static let missing = PackedValue(bits: missingBits)

    private init(bits: UInt64) { self.bits = bits }

    /// The number, when the value is one.
    @inline(__always) public var number: Double? {
        let x = Double(bitPattern: bits)
        return x.isFinite ? x : nil
    }

    /// The category's index, when the value is one.
    @inline(__always) public var categoryIndex: Int? {
        bits & Self.tagMask == Self.categoryTag ? Int(bits & ~Self.tagMask) : nil
    }

    @inline(__always) public var isMissing: Bool { bits == Self.missingBits }
}

/// The features of one event: its names (shared, see ``FeatureNames``) and the value at each
/// position, packed (see ``PackedValue``). Reads as a collection of ``Feature``.
public struct Features: Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public let names: FeatureNames
    public let packed: [PackedValue]
    public let categories: CategoryStrings

    /// - Precondition: one value per name, category indices into `categories`.
    public init(names: FeatureNames, packed: [PackedValue], categories: CategoryStrings) {
        precondition(names.names.count == packed.count, "one value per feature name")
        self.names = names
        self.packed = packed
        self.categories = categories
    }

    public init(names: FeatureNames, values: [FeatureValue]) {
        let categories = CategoryStrings()
        self.init(names: names, packed: values.map { value in
            switch value {
            case .number(let x): PackedValue(number: x)
            case .category(let s): PackedValue(category: categories.append(s))
            case .missing: .missing
            }
        }, categories: categories)
    }

    public init(_ features: [Feature]) {
        self.init(names: FeatureNames(features.map(\.name)), values: features.map(\.value))
    }

    public init(arrayLiteral features: Feature...) { self.init(features) }

    public init() { self.init(names: Self.noNames, packed: [], categories: CategoryStrings()) }

    private static let noNames = FeatureNames([])

    /// The value at `position`, unpacked.
    @inline(__always)
    public func value(at position: Int) -> FeatureValue { Self.unpack(packed[position], categories) }

    /// The packed value at `position`, which must be below ``count``: no bounds check, for the
    /// column-by-column reads of events that share one name list (so one count).
    @inline(__always)
    func packedValue(unchecked position: Int) -> PackedValue {
        packed.withUnsafeBufferPointer { $0[position] }
    }

    @inline(__always)
    static func unpack(_ v: PackedValue, _ categories: CategoryStrings) -> FeatureValue {
        if let x = v.number { return .number(x) }
        if let i = v.categoryIndex { return .category(categories.strings[i]) }
        return .missing
    }

    /// Every value, unpacked.
    public var values: [FeatureValue] { packed.map { Self.unpack($0, categories) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { packed.count }
    public subscript(position: Int) -> Feature { Feature(name: names.names[position], value: value(at: position)) }

    public static func == (a: Features, b: Features) -> Bool {
        (a.names === b.names || a.names.names == b.names.names) && a.values == b.values
    }
}
