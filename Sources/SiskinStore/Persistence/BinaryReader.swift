/// Bounds-checked cursor over bytes read from disk.
///
/// Files in the data directory are checked like untrusted input: every read
/// checks what is left, and every count is checked against the bytes that
/// would have to back it before anything is allocated, so a damaged file
/// fails with a reason instead of trapping or allocating without bound.
public struct BinaryReader {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var offset: Int
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Reading stops at `end` (e.g. before a trailing checksum).
    public var end: Int = .max

    public var remaining: Int { min(end, bytes.count) - offset }
    public var isAtEnd: Bool { remaining == 0 }

    public func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: offset) }

    public mutating func byte(_ field: String) throws(Failure) -> UInt8 {
        guard remaining >= 1 else { throw failure("truncated \(field)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool(_ field: String) throws(Failure) -> Bool {
        switch try byte(field) {
        case 0: return false
        case 1: return true
        case let other: throw Failure(reason: "\(field) is \(other), not a flag", offset: offset - 1)
        }
    }

    public mutating func uint32(_ field: String) throws(Failure) -> UInt32 {
        guard remaining >= 4 else { throw failure("truncated \(field)") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    public mutating func uint64(_ field: String) throws(Failure) -> UInt64 {
        guard remaining >= 8 else { throw failure("truncated \(field)") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    public mutating func int64(_ field: String) throws(Failure) -> Int64 {
        Int64(bitPattern: try uint64(field))
    }

    public mutating func double(_ field: String) throws(Failure) -> Double {
        Double(bitPattern: try uint64(field))
    }

    /// Unsigned LEB128; more than 64 bits is an error.
    public mutating func varint(_ field: String) throws(Failure) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        let limit = min(end, bytes.count)
        while true {
            guard position < limit else { throw Failure(reason: "truncated \(field)", offset: start) }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw Failure(reason: "\(field) overflows 64 bits", offset: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                offset = position
                return result
            }
            shift += 7
        }
    }

    public mutating func zigzag(_ field: String) throws(Failure) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A count of items that take at least `minimumBytes` each: refused when
    /// the rest of the input could not hold them, before anyone allocates.
    public mutating func count(_ field: String, minimumBytes: Int = 1) throws(Failure) -> Int {
        let start = offset
        let value = try varint(field)
        guard value <= UInt64(remaining / max(minimumBytes, 1)) else {
            throw Failure(reason: "\(field) \(value) exceeds the \(remaining) bytes left", offset: start)
        }
        return Int(value)
    }

    /// Length-prefixed UTF-8; invalid UTF-8 is an error, not a repair.
    public mutating func string(_ field: String) throws(Failure) -> String {
        let length = try count("\(field) length")
        let slice = bytes[offset..<(offset + length)]
        guard let value = String(validating: slice, as: UTF8.self) else { throw failure("\(field) is not UTF-8") }
        offset += length
        return value
    }

    public mutating func skip(_ count: Int, _ field: String) throws(Failure) {
        guard count >= 0, count <= remaining else { throw failure("truncated \(field)") }
        offset += count
    }
}
