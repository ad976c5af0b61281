import SiskinAggregation
import SiskinIngest
@testable import SiskinStore
import SiskinTesting
import Testing

/// The snapshot writes rings as runs of zeros and literals, testing eight
/// values at a time for zero first. Whatever the runs' lengths and where they
/// start, a ring must come back bit for bit.
@Suite("Snapshot rings")
struct SnapshotRingTests {
    private struct Sink: SnapshotSink {
        var bytes: [UInt8] = []
        mutating func write(_ chunk: [UInt8]) throws(PersistenceError) { bytes += chunk }
    }

    /// A ring's worth of values: zero runs of 0–40 (so runs start and end at
    /// every offset of an eight-value block) between literals, among them
    /// -0, which must stay a literal, and denormals.
    static func pattern(count: Int, seed: UInt64) -> [Double] {
        var generator = SeededRandom(seed: seed)
        var values: [Double] = []
        let literals: [Double] = [1, -0.0, 0.5, 3e-40, 1e30, 7, -2.25]
        while values.count < count {
            values += Array(repeating: 0, count: Int(generator.next() % 41))
            for _ in 0..<Int(generator.next() % 4) {
                values.append(literals[Int(generator.next() % UInt64(literals.count))])
            }
        }
        return Array(values.prefix(count))
    }

    /// A ring's values, oldest slot first, as bit patterns (so -0 ≠ +0).
    static func bits(_ ring: SlotRing) -> [UInt32] {
        ring.withValuesOldestFirst { first, second in (Array(first) + Array(second)).map(\.bitPattern) }
    }

    @Test("Counter and histogram rings with every zero-run alignment restore bit for bit")
    func ringsRoundTrip() throws {
        let configuration = StoreConfiguration.default
        var store = WindowedStore(configuration: configuration)
        let bounds: [Double] = [0.5, 1, 5]
        var expected: [[UInt32]] = []
        for n in 0..<24 {
            let histogram = n % 3 == 0
            let width = histogram ? bounds.count + 3 : 1
            let values = Self.pattern(count: configuration.detailSlots * width, seed: UInt64(n))
            let ring = SlotRing(capacity: configuration.detailSlots, width: width, head: 10_000 + Int64(n), storage: values)
            store.series.append(StoredSeries(
                key: SeriesKey(name: "s\(n)", labels: [Label("pod", "p")]), kind: histogram ? .histogram : .counter,
                bounds: histogram ? bounds : [], ring: ring, lastWrite: 0, owner: -1, rollup: -1, live: true))
            expected.append(Self.bits(ring))
        }
        var sink = Sink()
        try SnapshotEncoder.encode(store, sequence: 1, createdAt: 0, into: &sink)
        let (_, restored) = try SnapshotDecoder.decode(sink.bytes, configuration: configuration)

        #expect(restored.series.count == expected.count)
        for (n, stored) in restored.series.enumerated() {
            #expect(Self.bits(stored.ring) == expected[n], "series \(n)")
            #expect(stored.ring.head == 10_000 + Int64(n))
        }
    }

    @Test("Adding a push's shares writes each slot once and drops those the ring no longer holds")
    func sharesLandInTheirSlots() {
        var ring = SlotRing(capacity: 4, width: 2)
        ring.add([2, 4][...], shares: [(10, 0.25), (11, 0.75)])
        #expect(ring.head == 11)
        #expect(ring.values(at: 10) == [0.5, 1])
        #expect(ring.values(at: 11) == [1.5, 3])
        // The head moves to 14; slot 10 falls out, and a share for it is dropped.
        ring.add([8, 8][...], shares: [(10, 0.5), (14, 0.5)])
        #expect(ring.head == 14)
        #expect(ring.values(at: 10) == nil)
        #expect(ring.values(at: 11) == [1.5, 3])
        #expect(ring.values(at: 12) == [0, 0])
        #expect(ring.values(at: 14) == [4, 4])
        // No shares (a baseline push): nothing moves.
        ring.add([1, 1][...], shares: [])
        #expect(ring.head == 14)
    }
}
