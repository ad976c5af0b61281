/// Growable output buffer for the encoder's hot loops: varints and doubles
/// are stored straight into reserved memory (one capacity check per value,
/// not per byte) and the buffer is handed to zlib without copying.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 256)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(minimumExtra: extra) }
    }

    private mutating func grow(minimumExtra extra: Int) {
        var newCapacity = capacity * 2
        while newCapacity - count < extra { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        reserve(1)
        base[count] = value
        count += 1
    }

    /// Unsigned LEB128: 7 bits per byte, low group first, high bit set on
    /// every byte but the last; 1–10 bytes.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        reserve(10)
        var value = value
        var cursor = base + count
        while value >= 0x80 {
            cursor.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            cursor += 1
            value >>= 7
        }
        cursor.pointee = UInt8(truncatingIfNeeded: value)
        count = cursor - base + 1
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        varint(UInt64(value))
    }

    @inline(__always)
    mutating func varint(_ value: UInt32) {
        varint(UInt64(value))
    }

    /// Zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …) then varint.
    mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// IEEE-754 binary64, little-endian, bit for bit (NaN payloads and the
    /// sign of zero survive).
    @inline(__always)
    mutating func double(_ value: Double) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        count += 8
    }

    mutating func bytes(_ source: UnsafeRawBufferPointer) {
        guard let sourceBase = source.baseAddress, !source.isEmpty else { return }
        reserve(source.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: sourceBase, byteCount: source.count)
        count += source.count
    }

    /// The string's UTF-8 bytes, without a length.
    mutating func utf8(_ string: String) {
        var string = string
        string.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Lends the written bytes.
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
