/// Bounds-checked cursor over a payload. Every read checks the remaining
/// length first and reports failures with the field name and offset, so the
/// decoder cannot read out of bounds whatever the input says.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var remaining: Int { buffer.count - offset }
    var isAtEnd: Bool { offset == buffer.count }

    mutating func byte(_ field: String) throws(WireError) -> UInt8 {
        guard offset < buffer.count else { throw .truncated(field: field, offset: offset) }
        defer { offset += 1 }
        return buffer[offset]
    }

    /// Unsigned LEB128. Rejects overlong forms (a last byte of zero after
    /// other bytes) and values wider than 64 bits, so every value has exactly
    /// one encoding.
    mutating func varint(_ field: String) throws(WireError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = offset
        while true {
            guard position < buffer.count else { throw .truncated(field: field, offset: start) }
            let byte = buffer[position]
            position += 1
            if shift == 63 && byte > 1 { throw .malformedVarint(field: field, offset: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                if byte == 0 && position - start > 1 { throw .malformedVarint(field: field, offset: start) }
                offset = position
                return result
            }
            shift += 7
        }
    }

    /// Zigzag-encoded signed varint.
    mutating func zigzag(_ field: String) throws(WireError) -> Int64 {
        let raw = try varint(field)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func double(_ field: String) throws(WireError) -> Double {
        guard remaining >= 8 else { throw .truncated(field: field, offset: offset) }
        let bits = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// A count of items that each take at least `minimumBytes` bytes: checked
    /// against `limit` and against the bytes left before anyone allocates.
    mutating func count(_ field: String, limit: Int, minimumBytes: Int) throws(WireError) -> Int {
        let start = offset
        let value = try varint(field)
        guard value <= UInt64(limit) else {
            throw .limitExceeded(field: field, count: value, limit: limit, offset: start)
        }
        let count = Int(value)
        guard count <= remaining / max(minimumBytes, 1) else {
            throw .countExceedsInput(field: field, count: value, remainingBytes: remaining, offset: start)
        }
        return count
    }

    /// An index into a table of `tableSize` entries.
    @inline(__always)
    mutating func index(_ field: String, tableSize: Int) throws(WireError) -> Int {
        let start = offset
        let value = try varint(field)
        guard value < UInt64(tableSize) else {
            throw .indexOutOfRange(field: field, index: value, tableSize: tableSize, offset: start)
        }
        return Int(value)
    }

    /// The next `count` bytes (the caller checked `count <= remaining`).
    mutating func bytes(_ count: Int, _ field: String) throws(WireError) -> UnsafeRawBufferPointer {
        guard count <= remaining else { throw .truncated(field: field, offset: offset) }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }
}
