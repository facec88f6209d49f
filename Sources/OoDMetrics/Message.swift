/// Little-endian bytes of the values one process sends another: the partial results of an
/// evaluation split over processes (``AnomalyEvaluation/serialized()``, the evaluator's
/// per-rank results). Read back, in the same order, by ``MessageReader``.
public struct MessageWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    /// Appends an integer.
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// Appends a double (its bit pattern).
    public mutating func write(_ value: Double) { write(value.bitPattern) }

    /// Appends a float (its bit pattern).
    public mutating func write(_ value: Float) { write(value.bitPattern) }

    /// Appends a count and the floats.
    public mutating func write(_ values: [Float]) {
        write(Int64(values.count))
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for value in values { write(value.bitPattern) }
    }

    /// Appends a count and the bytes.
    public mutating func write(_ values: [UInt8]) {
        write(Int64(values.count))
        bytes += values
    }

    /// Appends a string (UTF-8, counted).
    public mutating func write(_ text: String) { write(Array(text.utf8)) }
}

/// Reads what a ``MessageWriter`` wrote, value by value.
public struct MessageReader: Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte was read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// The next integer.
    /// - Throws: ``MetricsError/malformedMessage(_:)`` past the end.
    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw MetricsError.malformedMessage("ends at byte \(bytes.count), a value was expected") }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    /// The next double.
    public mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }

    /// The next float.
    public mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }

    /// A count, checked against the bytes left for `bytesEach` bytes per element.
    public mutating func readCount(bytesEach: Int) throws -> Int {
        let count = try read(Int64.self)
        guard count >= 0, count <= Int64((bytes.count - offset) / max(1, bytesEach)) else {
            throw MetricsError.malformedMessage("a count of \(count) at byte \(offset - 8) exceeds the message")
        }
        return Int(count)
    }

    /// The next counted floats.
    public mutating func readFloats() throws -> [Float] {
        let count = try readCount(bytesEach: 4)
        return try (0..<count).map { _ in try readFloat() }
    }

    /// The next counted bytes.
    public mutating func readBytes() throws -> [UInt8] {
        let count = try readCount(bytesEach: 1)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// The next string.
    public mutating func readString() throws -> String { String(decoding: try readBytes(), as: UTF8.self) }
}
