/// A fixed ring of time slots, each holding `width` values: the increases
/// (or, for gauges, the latest values) that fell into that slot.
///
/// Memory is fixed at creation (`capacity × width` values), whatever the
/// traffic: old slots are overwritten as time moves on. Values are 32-bit
/// floats, half the memory of doubles: whole increases up to 16.7 million
/// per slot stay exact, larger or fractional ones keep 7 significant digits,
/// far inside what a rate needs. Sums over slots are taken in doubles.
public struct SlotRing: Sendable {
    /// Absolute index (`timestamp / slotWidth`) of the newest slot written;
    /// `Int64.min` while empty.
    public private(set) var head: Int64 = .min
    public let capacity: Int
    public let width: Int
    private var storage: [Float]

    public init(capacity: Int, width: Int) {
        precondition(capacity > 0 && width > 0)
        self.capacity = capacity
        self.width = width
        storage = []
    }

    /// Oldest absolute slot still held.
    public var oldest: Int64 { head == .min ? .min : head - Int64(capacity) + 1 }

    public var byteCount: Int { storage.capacity * MemoryLayout<Float>.stride }

    /// Moves the head to `slot`, clearing the slots skipped over.
    /// Writes go through one buffer pointer per call: element by element,
    /// each store would check the array's uniqueness again, and a push
    /// clears a slot of every series it touches.
    private mutating func advance(to slot: Int64) {
        if storage.isEmpty { storage = [Float](repeating: 0, count: capacity * width) }
        if head == .min || slot - head >= Int64(capacity) {
            storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            head = slot
            return
        }
        let first = head + 1, capacity = capacity, width = width
        storage.withUnsafeMutableBufferPointer { buffer in
            var s = first
            while s <= slot {
                let base = Self.position(s, capacity: capacity, width: width)
                buffer[base..<(base + width)].update(repeating: 0)
                s += 1
            }
        }
        head = slot
    }

    private func position(_ slot: Int64) -> Int {
        Self.position(slot, capacity: capacity, width: width)
    }

    private static func position(_ slot: Int64, capacity: Int, width: Int) -> Int {
        Int(((slot % Int64(capacity)) + Int64(capacity)) % Int64(capacity)) * width
    }

    /// Adds `values × fraction` to each `(slot, fraction)` of `shares`: one
    /// push's increase spread over the slots its interval covers. Slots older
    /// than the ring are dropped. All shares go through one buffer pointer
    /// (one uniqueness check of the storage, however many slots).
    public mutating func add(_ values: ArraySlice<Double>, shares: [(Int64, Double)]) {
        guard let newest = shares.lazy.map(\.0).max() else { return }
        if head == .min || newest > head { advance(to: newest) }
        let oldest = oldest, capacity = capacity, width = width, count = min(width, values.count)
        storage.withUnsafeMutableBufferPointer { buffer in
            values.withUnsafeBufferPointer { values in
                for (slot, fraction) in shares where slot >= oldest {
                    let base = Self.position(slot, capacity: capacity, width: width)
                    for i in 0..<count { buffer[base + i] = Float(Double(buffer[base + i]) + values[i] * fraction) }
                }
            }
        }
    }

    /// Replaces the values of `slot` (gauges keep their latest value).
    @discardableResult
    public mutating func set(_ values: ArraySlice<Double>, at slot: Int64) -> Bool {
        if head == .min || slot > head { advance(to: slot) }
        guard slot >= oldest else { return false }
        let base = position(slot), count = min(width, values.count)
        storage.withUnsafeMutableBufferPointer { buffer in
            values.withUnsafeBufferPointer { values in
                for i in 0..<count { buffer[base + i] = Float(values[i]) }
            }
        }
        return true
    }

    /// Adds `fraction ×` the values of `slot` into `into` (no-op outside the
    /// ring).
    @inline(__always)
    public func accumulate(slot: Int64, fraction: Double, into: inout [Double]) {
        guard head != .min, slot <= head, slot >= oldest else { return }
        let base = position(slot)
        storage.withUnsafeBufferPointer { buffer in
            into.withUnsafeMutableBufferPointer { sums in
                for i in 0..<min(width, sums.count) { sums[i] += Double(buffer[base + i]) * fraction }
            }
        }
    }

    /// The values of one slot, or nil outside the ring.
    public func values(at slot: Int64) -> [Double]? {
        guard head != .min, slot <= head, slot >= oldest else { return nil }
        let base = position(slot)
        return storage[base..<(base + width)].map { Double($0) }
    }

    /// Calls `body` with every value from the oldest slot to the head, slot
    /// after slot, in at most two contiguous pieces (where the ring wraps):
    /// what a snapshot writes, without an array per slot.
    public func withValuesOldestFirst<R>(
        _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeBufferPointer { all in
            guard head != .min, !all.isEmpty else { return try body(UnsafeBufferPointer(rebasing: all[0..<0]), UnsafeBufferPointer(rebasing: all[0..<0])) }
            let start = position(oldest)
            return try body(UnsafeBufferPointer(rebasing: all[start...]), UnsafeBufferPointer(rebasing: all[..<start]))
        }
    }

    /// Restores a ring from a snapshot (values as doubles, slot-major in ring
    /// order).
    public init(capacity: Int, width: Int, head: Int64, storage: [Double]) {
        precondition(storage.isEmpty || storage.count == capacity * width)
        self.capacity = capacity
        self.width = width
        self.head = head
        self.storage = storage.map { Float($0) }
    }
}
