#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Growable byte storage with a stable owner, for the keys of `ByteKeyTable`.
final class ByteArena {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count: Int = 0

    init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 16)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends `bytes`; returns their offset. May move `base`.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let needed = count + bytes.count
        if needed > capacity {
            var newCapacity = capacity * 2
            while newCapacity < needed { newCapacity *= 2 }
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.update(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }
        let offset = count
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base + offset).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        count = needed
        return offset
    }

    func removeAll() { count = 0 }

    /// Grows to at least `minimum` bytes now, so a large first scrape does
    /// not copy its keys over and over while the arena doubles.
    func reserve(_ minimum: Int) {
        guard minimum > capacity else { return }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: minimum)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = minimum
    }
}

/// A hash table from byte strings to dense integer ids.
///
/// The scrape caches key series by their bytes, as Prometheus' scrape cache
/// does. The index is open addressing with linear probing; ids are stable
/// until removed and are then reused.
///
/// Two ways to hold keys:
/// - `.bytes`: a copy of every key in one arena, compared byte for byte;
/// - `.fingerprint`: no copy, only the key's length and a second, independent
///   64-bit hash beside the first. The raw-series cache of a sidecar holds
///   thousands of ~900-byte keys, megabytes the agent would otherwise keep
///   resident for nothing but comparisons. Two different keys of the same
///   length would have to collide on 128 bits of hash to be confused: at
///   10^5 keys the chance is about 10^-29 per scrape.
struct ByteKeyTable {
    enum Storage { case bytes, fingerprint }

    struct Entry {
        var offset: Int
        var length: Int32
        var live: Bool
        var hash: UInt64
        /// `.fingerprint`: the second hash (`checkHash`); unused otherwise.
        var check: UInt64
    }

    let storage: Storage
    private(set) var arena: ByteArena
    private(set) var entries: [Entry] = []
    private var index: [Int32]
    private var mask: Int
    private var freeIDs: [Int32] = []
    private(set) var liveCount = 0
    private var deadBytes = 0

    init(capacity: Int = 1024, storage: Storage = .bytes) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = Array(repeating: -1, count: size)
        mask = size - 1
        self.storage = storage
        arena = ByteArena(capacity: storage == .bytes ? 64 * 1024 : 16)
    }

    /// The second hash of `.fingerprint` keys: another seed, so it is
    /// independent of the first.
    @inline(__always)
    static func checkHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        FastHash.hash(key, seed: 0xD6E8_FEB8_6659_FD93)
    }

    /// Pointer to an entry's key bytes (`.bytes` tables only). Invalidated by
    /// the next insert.
    @inline(__always)
    func key(_ id: Int32) -> UnsafeRawBufferPointer {
        let e = entries[Int(id)]
        return UnsafeRawBufferPointer(start: arena.base + e.offset, count: Int(e.length))
    }

    /// Length of an entry's key.
    @inline(__always)
    func keyLength(_ id: Int32) -> Int { Int(entries[Int(id)].length) }

    /// Whether `key` is the key of entry `id`.
    @inline(__always)
    func keyEquals(_ id: Int32, _ key: UnsafeRawBufferPointer) -> Bool {
        matches(entries[Int(id)], key, hash: nil)
    }

    @inline(__always)
    private func matches(_ e: Entry, _ key: UnsafeRawBufferPointer, hash: UInt64?) -> Bool {
        guard Int(e.length) == key.count else { return false }
        switch storage {
        case .bytes:
            if let hash, e.hash != hash { return false }
            return key.count == 0 || memcmp(arena.base + e.offset, key.baseAddress!, key.count) == 0
        case .fingerprint:
            return e.hash == (hash ?? FastHash.hash(key)) && e.check == Self.checkHash(key)
        }
    }

    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = index[slot]
            if id < 0 { return nil }
            let e = entries[Int(id)]
            if e.hash == hash, matches(e, key, hash: hash) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// Sizes the table for about `keys` keys of `bytes` bytes in total.
    mutating func reserve(keys: Int, bytes: Int) {
        if storage == .bytes { arena.reserve(bytes) }
        entries.reserveCapacity(keys)
        if keys * 2 > index.count {
            var size = index.count
            while size < keys * 2 { size <<= 1 }
            index = Array(repeating: -1, count: size)
            mask = size - 1
            for (i, e) in entries.enumerated() where e.live { place(Int32(i), hash: e.hash) }
        }
    }

    /// Inserts a key known to be absent; returns its id.
    mutating func insert(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int32 {
        if (liveCount + 1) * 2 > index.count { grow() }
        let entry = switch storage {
        case .bytes: Entry(offset: arena.append(key), length: Int32(key.count), live: true, hash: hash, check: 0)
        case .fingerprint: Entry(offset: 0, length: Int32(key.count), live: true, hash: hash, check: Self.checkHash(key))
        }
        let id: Int32
        if let reused = freeIDs.popLast() {
            id = reused
            entries[Int(id)] = entry
        } else {
            id = Int32(entries.count)
            entries.append(entry)
        }
        place(id, hash: hash)
        liveCount += 1
        return id
    }

    /// Removes an id (backward-shift deletion keeps probe chains intact).
    mutating func remove(_ id: Int32) {
        guard entries[Int(id)].live else { return }
        var slot = Int(truncatingIfNeeded: entries[Int(id)].hash) & mask
        while index[slot] != id { slot = (slot + 1) & mask }
        index[slot] = -1
        var next = (slot + 1) & mask
        while index[next] >= 0 {
            let moving = index[next]
            let home = Int(truncatingIfNeeded: entries[Int(moving)].hash) & mask
            // Move `moving` into the hole if its home is not in (slot, next].
            let distanceToHole = (slot - home) & mask
            let distanceToNext = (next - home) & mask
            if distanceToHole < distanceToNext {
                index[slot] = moving
                index[next] = -1
                slot = next
            }
            next = (next + 1) & mask
        }
        entries[Int(id)].live = false
        freeIDs.append(id)
        liveCount -= 1
        guard storage == .bytes else { return }
        deadBytes += Int(entries[Int(id)].length)
        if deadBytes > 1 << 20, deadBytes > arena.count / 2 { compactArena() }
    }

    private mutating func place(_ id: Int32, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while index[slot] >= 0 { slot = (slot + 1) & mask }
        index[slot] = id
    }

    private mutating func grow() {
        let size = index.count * 2
        index = Array(repeating: -1, count: size)
        mask = size - 1
        for (i, e) in entries.enumerated() where e.live {
            place(Int32(i), hash: e.hash)
        }
    }

    /// Copies live keys into a fresh arena so removed keys stop costing memory.
    private mutating func compactArena() {
        let fresh = ByteArena(capacity: max(arena.count - deadBytes, 1024))
        for i in entries.indices where entries[i].live {
            let e = entries[i]
            entries[i].offset = fresh.append(UnsafeRawBufferPointer(start: arena.base + e.offset, count: Int(e.length)))
        }
        arena = fresh
        deadBytes = 0
    }

    /// Approximate heap bytes held, for self-telemetry and limits.
    var memoryFootprint: Int {
        arena.capacity + entries.capacity * MemoryLayout<Entry>.stride + index.count * 4
    }
}
