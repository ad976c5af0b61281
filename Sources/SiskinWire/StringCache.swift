import SiskinSync
import Synchronization

/// Strings of earlier payloads, handed out again by their bytes.
///
/// Every push of a pod carries the same dictionary: its pod and workload
/// names, Istio's label values, the agent's metadata keys. Decoding creates a
/// `String` per entry, which for anything over 15 bytes is an allocation and a
/// UTF-8 validation, dozens per push at thousands of pushes a second. With a
/// cache a known entry costs a hash and a `memcmp`, and every pod's labels
/// share one storage per distinct value, so later equality checks on them
/// (series keys, label matching) hit `String`'s identical-storage fast path.
///
/// Bounded: strings longer than `maxStringBytes` are not cached, and when the
/// table holds `maxEntries` (a flood of new values) it starts over empty.
/// Thread-safe; one lock per payload dictionary, not per string.
public final class StringCache: Sendable {
    public let maxEntries: Int
    public let maxStringBytes: Int
    private let table: Mutex<Table>

    public init(maxEntries: Int = 1 << 18, maxStringBytes: Int = 256) {
        precondition(maxEntries > 0)
        self.maxEntries = maxEntries
        self.maxStringBytes = maxStringBytes
        table = Mutex(Table(capacity: maxEntries))
    }

    /// Entries held now.
    public var count: Int { table.locked { $0.count } }

    /// Resolves `pieces` (views into a payload) to strings: cached ones as
    /// they are, new ones validated as UTF-8 and remembered. Returns the index
    /// of the first piece that is not valid UTF-8 instead, if any.
    func strings(_ pieces: [UnsafeRawBufferPointer], into out: inout [String]) -> Int? {
        let maxStringBytes = self.maxStringBytes
        let maxEntries = self.maxEntries
        return table.locked { table -> Int? in
            for (position, piece) in pieces.enumerated() {
                // Small strings live inline: nothing to save.
                guard piece.count > 15, piece.count <= maxStringBytes else {
                    guard let string = String(validating: piece, as: UTF8.self) else { return position }
                    out.append(string)
                    continue
                }
                let hash = Table.hash(piece)
                if let known = table.find(piece, hash: hash) {
                    out.append(known)
                    continue
                }
                guard let string = String(validating: piece, as: UTF8.self) else { return position }
                if table.count >= maxEntries { table.removeAll() }
                table.insert(string, hash: hash)
                out.append(string)
            }
            return nil
        }
    }

    /// Open addressing with linear probing, at most half full.
    struct Table: ~Copyable {
        private var hashes: [UInt64]
        private var strings: [String]
        private(set) var count = 0

        init(capacity: Int) {
            var slots = 16
            while slots < capacity * 2 { slots <<= 1 }
            hashes = [UInt64](repeating: 0, count: slots)
            strings = [String](repeating: "", count: slots)
        }

        /// FNV-1a, with 0 kept for empty slots.
        static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            return h == 0 ? 1 : h
        }

        func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> String? {
            let mask = hashes.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while hashes[slot] != 0 {
                if hashes[slot] == hash {
                    var candidate = strings[slot]
                    let same = candidate.withUTF8 { utf8 in UnsafeRawBufferPointer(utf8).elementsEqual(bytes) }
                    if same { return candidate }
                }
                slot = (slot + 1) & mask
            }
            return nil
        }

        mutating func insert(_ string: String, hash: UInt64) {
            let mask = hashes.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = hash
            strings[slot] = string
            count += 1
        }

        mutating func removeAll() {
            for i in hashes.indices {
                hashes[i] = 0
                strings[i] = ""
            }
            count = 0
        }
    }
}
