@testable import SiskinAggregation
import Testing

/// The agent's raw-series cache keeps fingerprints, not key bytes: it must
/// answer exactly as the byte-keeping table does.
@Suite("Byte key table")
struct ByteKeyTableTests {
    /// Istio-like series keys, ~900 bytes, differing in one label value.
    static func key(_ i: Int) -> [UInt8] {
        let labels = (0..<24).map { "label_\($0)=\"value-of-label-\($0)-for-a-typical-istio-series\"" }.joined(separator: ",")
        return Array("istio_requests_total{\(labels),pod=\"p-\(i)\"}".utf8)
    }

    @Test("Fingerprint and byte tables agree over inserts, lookups, removals and reuse", arguments: [ByteKeyTable.Storage.fingerprint, .bytes])
    func agree(storage: ByteKeyTable.Storage) {
        var table = ByteKeyTable(capacity: 4, storage: storage)
        var model: [[UInt8]: Int32] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<4_000 {
            let k = Self.key(Int.random(in: 0..<300, using: &rng))
            let found = k.withUnsafeBytes { table.find($0, hash: FastHash.hash($0)) }
            #expect(found == model[k], "step \(step)")
            if let id = found {
                #expect(k.withUnsafeBytes { table.keyEquals(id, $0) })
                #expect(table.keyLength(id) == k.count)
                if Bool.random(using: &rng) {
                    table.remove(id)
                    model[k] = nil
                }
            } else {
                let id = k.withUnsafeBytes { table.insert($0, hash: FastHash.hash($0)) }
                model[k] = id
            }
            #expect(table.liveCount == model.count)
        }
    }

    @Test("A key of the same length differing in one byte is not taken for another")
    func oneByteApart() {
        var table = ByteKeyTable(storage: .fingerprint)
        let a = Self.key(1), b = Self.key(2)
        #expect(a.count == b.count)
        let id = a.withUnsafeBytes { table.insert($0, hash: FastHash.hash($0)) }
        #expect(b.withUnsafeBytes { !table.keyEquals(id, $0) })
        #expect(b.withUnsafeBytes { table.find($0, hash: FastHash.hash($0)) } == nil)
        // Same first hash (forced), different bytes: the second hash tells them apart.
        #expect(b.withUnsafeBytes { table.find($0, hash: a.withUnsafeBytes { FastHash.hash($0) }) } == nil)
    }

    @Test("A fingerprint table keeps no copy of its keys")
    func noCopies() {
        var table = ByteKeyTable(storage: .fingerprint)
        for i in 0..<1_000 {
            let k = Self.key(i)
            _ = k.withUnsafeBytes { table.insert($0, hash: FastHash.hash($0)) }
        }
        #expect(table.arena.count == 0)
        #expect(table.arena.capacity < 1024)
    }
}
