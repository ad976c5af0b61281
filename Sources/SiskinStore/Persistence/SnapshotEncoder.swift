import SiskinAggregation
import SiskinIngest

/// Where snapshot bytes go, in pieces of about a MiB.
protocol SnapshotSink {
    mutating func write(_ bytes: [UInt8]) throws(PersistenceError)
}

/// Writes a store in the snapshot format (`SnapshotFormat`), streaming: the
/// encoder hands its buffer to the sink whenever it passes a MiB, so the
/// snapshot of a large store never sits in memory whole.
struct SnapshotEncoder {
    private var writer = BinaryWriter(capacity: Self.chunkBytes + 64 << 10)
    private var strings: [String: Int] = [:]
    private var literals: [Double] = []
    private var crc = CRC32()

    static let chunkBytes = 1 << 20

    /// Encodes `store` as the state before log segment `sequence`.
    static func encode<Sink: SnapshotSink>(
        _ store: WindowedStore, sequence: UInt64, createdAt: Int64, into sink: inout Sink
    ) throws(PersistenceError) {
        var encoder = SnapshotEncoder()
        try encoder.run(store, sequence: sequence, createdAt: createdAt, into: &sink)
    }

    private mutating func run<Sink: SnapshotSink>(
        _ store: WindowedStore, sequence: UInt64, createdAt: Int64, into sink: inout Sink
    ) throws(PersistenceError) {
        writer.raw(SnapshotFormat.magic)
        writer.uint32(SnapshotFormat.version)
        writer.uint64(sequence)
        writer.zigzag(createdAt)
        writer.zigzag(store.configuration.slotMilliseconds)
        writer.zigzag(store.configuration.rollupSlotMilliseconds)
        writer.zigzag(store.dataSince)

        writer.varint(store.pods.count)
        for pod in store.pods {
            writer.bool(pod.live)
            if pod.live { self.pod(pod) }
            try flushIfFull(&sink)
        }
        indices(store.freePods)

        for (table, free) in [(store.series, store.freeSeries), (store.rollups, store.freeRollups)] {
            writer.varint(table.count)
            for stored in table {
                writer.bool(stored.live)
                if stored.live { series(stored) }
                try flushIfFull(&sink)
            }
            indices(free)
        }

        try flush(&sink)
        var trailer = BinaryWriter(capacity: 4)
        trailer.uint32(crc.value)
        try sink.write(trailer.drain())
    }

    private mutating func flushIfFull<Sink: SnapshotSink>(_ sink: inout Sink) throws(PersistenceError) {
        if writer.count >= Self.chunkBytes { try flush(&sink) }
    }

    private mutating func flush<Sink: SnapshotSink>(_ sink: inout Sink) throws(PersistenceError) {
        let chunk = writer.drain()
        chunk.withUnsafeBytes { crc.update($0) }
        try sink.write(chunk)
    }

    // MARK: Parts

    private mutating func pod(_ pod: PodRecord) {
        let state = pod.stream.state
        string(state.pod.namespace)
        string(state.pod.pod)
        string(state.agentInstance)
        writer.varint(state.sequence)
        writer.zigzag(state.timestampMilliseconds)
        writer.zigzag(state.sinceMilliseconds)
        labels(state.podLabels)
        labels(state.metadata)
        writer.varint(state.pushes)
        writer.varint(state.slots.count)
        for slot in state.slots {
            writer.bool(slot != nil)
            guard let slot else { continue }
            key(slot.key)
            writer.byte(slot.kind.rawValue)
            doubles(slot.bounds)
            doubles(slot.last)
            writer.varint(slot.absent)
        }
        indices(state.order)
        indices(state.freeSlots)

        writer.varint(pod.seriesOfSlot.count)
        for id in pod.seriesOfSlot { writer.zigzag(id) }
        writer.zigzag(pod.lastReceived)
        writer.zigzag(pod.intervalMilliseconds)
    }

    private mutating func series(_ stored: StoredSeries) {
        key(stored.key)
        writer.byte(stored.kind.rawValue)
        doubles(stored.bounds)
        ring(stored.ring)
        writer.zigzag(stored.lastWrite)
        writer.zigzag(stored.owner)
        writer.zigzag(stored.rollup)
    }

    /// A ring, oldest slot first, as runs of zeros and literal values.
    private mutating func ring(_ ring: SlotRing) {
        let head = ring.head
        writer.bool(head != .min)
        guard head != .min else { return }
        writer.zigzag(head)
        writer.varint(ring.capacity)
        var zeros = 0
        literals.removeAll(keepingCapacity: true)
        ring.withValuesOldestFirst { first, second in
            scan(first, zeros: &zeros)
            scan(second, zeros: &zeros)
        }
        if zeros > 0 || !literals.isEmpty { run(zeros: &zeros) }
    }

    /// Splits `values` into runs of +0 and literals. Rings are mostly zeros
    /// (quiet series, slots not reached yet), so eight values at a time are
    /// first tested as one vector: a snapshot reads every value of the store.
    private mutating func scan(_ values: UnsafeBufferPointer<Float>, zeros: inout Int) {
        guard let start = values.baseAddress else { return }
        let raw = UnsafeRawPointer(start), count = values.count
        var i = 0
        while i < count {
            if i + 8 <= count, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self) == .zero {
                if !literals.isEmpty { run(zeros: &zeros) }
                zeros += 8
                i += 8
                continue
            }
            let end = min(i + 8, count)
            while i < end {
                let value = values[i]
                if value.bitPattern == 0 {  // +0 only: -0 stays a literal, bit for bit
                    if !literals.isEmpty { run(zeros: &zeros) }
                    zeros += 1
                } else {
                    literals.append(Double(value))
                }
                i += 1
            }
        }
    }

    private mutating func run(zeros: inout Int) {
        writer.varint(zeros)
        writer.varint(literals.count)
        writer.doubles(literals)
        zeros = 0
        literals.removeAll(keepingCapacity: true)
    }

    private mutating func key(_ key: SeriesKey) {
        string(key.name)
        labels(key.labels)
    }

    private mutating func labels(_ labels: [Label]) {
        writer.varint(labels.count)
        for label in labels {
            string(label.name)
            string(label.value)
        }
    }

    private mutating func doubles(_ values: [Double]) {
        writer.varint(values.count)
        for value in values { writer.double(value) }
    }

    private mutating func indices(_ values: [Int]) {
        writer.varint(values.count)
        for value in values { writer.varint(value) }
    }

    /// First use: 0 and the string; later uses: its number + 1.
    private mutating func string(_ value: String) {
        if let known = strings[value] {
            writer.varint(known + 1)
            return
        }
        strings[value] = strings.count
        writer.varint(0)
        writer.string(value)
    }
}
