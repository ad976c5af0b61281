import SiskinAggregation
import SiskinIngest

/// Reads a snapshot back into a store, trusting nothing in it.
///
/// The checksum is verified before anything is parsed; then every count is
/// checked against the bytes left, every id against its table, and the
/// restored store against the invariants its code relies on (a slot map
/// pointing at a dead series, a rollup owner count that is off...), so a
/// damaged or foreign file is an error, never a trap or a store that
/// misbehaves later. Rings are rebuilt at the configured capacity whatever
/// the file's, so retention changes between runs are honoured and the memory
/// a ring takes is the configuration's, not the file's say.
struct SnapshotDecoder {
    struct Header: Sendable, Equatable {
        var sequence: UInt64
        var createdAt: Int64
        var slotMilliseconds: Int64
    }

    /// Why a snapshot was refused.
    enum Failure: Error {
        case corrupt(String)
        case incompatible(String)
    }

    private var reader: BinaryReader
    private let configuration: StoreConfiguration
    private var strings: [String] = []

    private init(_ bytes: [UInt8], configuration: StoreConfiguration) {
        reader = BinaryReader(bytes)
        self.configuration = configuration
    }

    /// Verifies and decodes a whole snapshot file.
    static func decode(_ bytes: [UInt8], configuration: StoreConfiguration) throws(Failure) -> (Header, WindowedStore) {
        let minimum = SnapshotFormat.headerBytes + SnapshotFormat.trailerBytes
        guard bytes.count >= minimum else { throw .corrupt("\(bytes.count) bytes, shorter than header and checksum") }
        guard Array(bytes[0..<4]) == SnapshotFormat.magic else { throw .corrupt("not a siskin snapshot") }
        let bodyEnd = bytes.count - SnapshotFormat.trailerBytes
        var trailer = BinaryReader(bytes, offset: bodyEnd)
        let stored = (try? trailer.uint32("checksum")) ?? 0
        let computed = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[..<bodyEnd])) }
        guard stored == computed else { throw .corrupt("checksum mismatch") }

        var decoder = SnapshotDecoder(bytes, configuration: configuration)
        decoder.reader.end = bodyEnd
        do {
            try decoder.reader.skip(4, "magic")
            let version = try decoder.reader.uint32("version")
            guard version == SnapshotFormat.version else {
                throw Failure.incompatible("snapshot format version \(version), this build reads \(SnapshotFormat.version)")
            }
            return try decoder.body()
        } catch let failure as Failure {
            throw failure
        } catch let failure as BinaryReader.Failure {
            throw .corrupt(failure.description)
        } catch let failure as PodStream.InvalidState {
            throw .corrupt(failure.description)
        } catch {
            throw .corrupt("\(error)")
        }
    }

    // MARK: Body

    private mutating func body() throws -> (Header, WindowedStore) {
        let header = Header(
            sequence: try reader.uint64("log sequence"),
            createdAt: try time("created at"),
            slotMilliseconds: try reader.zigzag("slot width"))
        let rollupSlot = try reader.zigzag("rollup slot width")
        guard header.slotMilliseconds == configuration.slotMilliseconds,
              rollupSlot == configuration.rollupSlotMilliseconds
        else {
            throw Failure.incompatible(
                "written with \(header.slotMilliseconds) ms slots (rollups \(rollupSlot) ms), configured for "
                    + "\(configuration.slotMilliseconds) ms (rollups \(configuration.rollupSlotMilliseconds) ms)")
        }
        var store = WindowedStore(configuration: configuration)
        store.dataSince = try time("data since", sentinel: .max)

        let podCount = try reader.count("pods")
        var pods: [PodRecord] = []
        pods.reserveCapacity(podCount)
        for _ in 0..<podCount {
            pods.append(try reader.bool("pod live") ? try pod() : Self.deadPod)
        }
        store.pods = pods
        store.rebuildPodClocks()
        store.freePods = try indices("free pods")

        store.series = try table(level: .pod)
        store.freeSeries = try indices("free series")
        store.rollups = try table(level: .rollup)
        store.freeRollups = try indices("free rollups")
        guard reader.isAtEnd else { throw reader.failure("\(reader.remaining) bytes after the store") }

        try SnapshotLinker.link(&store)
        return (header, store)
    }

    private mutating func table(level: SeriesLevel) throws -> [StoredSeries] {
        let count = try reader.count(level == .pod ? "series" : "rollups")
        var out: [StoredSeries] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            out.append(try reader.bool("series live") ? try series(level: level) : Self.deadSeries)
        }
        return out
    }

    private mutating func pod() throws -> PodRecord {
        let namespace = try string("namespace")
        let name = try string("pod")
        let agentInstance = try string("agent instance")
        let sequence = try reader.varint("sequence")
        let timestamp = try time("timestamp")
        let since = try time("since")
        let podLabels = try labels("pod labels")
        let metadata = try labels("metadata")
        let pushes = try count("pushes")
        let slotCount = try reader.count("stream slots")
        var slots: [PodStream.TrackedSeries?] = []
        slots.reserveCapacity(slotCount)
        for _ in 0..<slotCount {
            guard try reader.bool("slot used") else {
                slots.append(nil)
                continue
            }
            let key = try key()
            let kind = try kind()
            let bounds = try bounds()
            let valueCount = try reader.count("last values", minimumBytes: 8)
            guard valueCount <= bounds.count + 3 else {
                throw reader.failure("\(valueCount) last values for \(bounds.count) bounds")
            }
            var last: [Double] = []
            last.reserveCapacity(valueCount)
            for _ in 0..<valueCount { last.append(try reader.double("last value")) }
            let absent = try count("absent")
            slots.append(PodStream.TrackedSeries(key: key, kind: kind, bounds: bounds, last: last, absent: absent))
        }
        let order = try indices("slot order")
        let freeSlots = try indices("free slots")
        let stream = try PodStream(restoring: PodStream.State(
            pod: PodKey(namespace: namespace, pod: name), agentInstance: agentInstance, sequence: sequence,
            timestampMilliseconds: timestamp, sinceMilliseconds: since, podLabels: podLabels, metadata: metadata,
            pushes: pushes, slots: slots, order: order, freeSlots: freeSlots))

        let mapCount = try reader.count("slot map")
        var seriesOfSlot: [Int] = []
        seriesOfSlot.reserveCapacity(mapCount)
        for _ in 0..<mapCount { seriesOfSlot.append(try id("slot map entry")) }
        let lastReceived = try time("last received")
        let interval = try time("interval")
        guard interval >= 0 else { throw reader.failure("negative push interval \(interval)") }
        return PodRecord(stream: stream, seriesOfSlot: seriesOfSlot, lastReceived: lastReceived,
                         intervalMilliseconds: interval, live: true)
    }

    private mutating func series(level: SeriesLevel) throws -> StoredSeries {
        let key = try key()
        let kind = try kind()
        let bounds = try bounds()
        let width = kind == .histogram ? bounds.count + 3 : 1
        let capacity = level == .pod ? configuration.detailSlots : configuration.rollupSlots
        let ring = try ring(capacity: capacity, width: width)
        return StoredSeries(key: key, kind: kind, bounds: bounds, ring: ring, lastWrite: try time("last write", sentinel: .min),
                            owner: try id("owner"), rollup: try id("rollup"), live: true)
    }

    /// A ring rebuilt at `capacity`: of the file's slots, the newest
    /// `capacity` are kept (all of them unless retention shrank). Zero runs
    /// are skipped arithmetically, so a file claiming a vast ring costs
    /// nothing beyond its own bytes.
    private mutating func ring(capacity: Int, width: Int) throws -> SlotRing {
        guard try reader.bool("ring written") else { return SlotRing(capacity: capacity, width: width) }
        let head = try reader.zigzag("ring head")
        guard head.magnitude <= SnapshotFormat.maxSlotMagnitude.magnitude else {
            throw reader.failure("ring head \(head) out of range")
        }
        let written = try reader.varint("ring capacity")
        guard written > 0, written <= UInt64(Int.max) else { throw reader.failure("ring capacity \(written)") }
        let (total, overflow) = Int(written).multipliedReportingOverflow(by: width)
        guard !overflow else { throw reader.failure("ring of \(written) × \(width) values") }

        var storage = [Double](repeating: 0, count: capacity * width)
        // Slots before `firstKept` (counted from the oldest written) fall out.
        let firstKept = max(0, Int(written) - capacity)
        var position = 0
        while position < total {
            let zeros = try reader.varint("zero run")
            guard zeros <= UInt64(total - position) else { throw reader.failure("zero run past the ring's end") }
            position += Int(zeros)
            let count = try reader.count("literal run", minimumBytes: 8)
            guard count <= total - position else { throw reader.failure("literal run past the ring's end") }
            guard zeros > 0 || count > 0 else { throw reader.failure("empty run") }
            for _ in 0..<count {
                let value = try reader.double("ring value")
                let index = position / width
                if index >= firstKept {
                    // Slot number head - back, placed as SlotRing places it.
                    let back = Int64(Int(written) - 1 - index)
                    let slot = head - back
                    let row = Int(((slot % Int64(capacity)) + Int64(capacity)) % Int64(capacity))
                    storage[row * width + position % width] = value
                }
                position += 1
            }
        }
        return SlotRing(capacity: capacity, width: width, head: head, storage: storage)
    }

    // MARK: Primitives

    private mutating func key() throws -> SeriesKey {
        SeriesKey(name: try string("series name"), labels: try labels("series labels"))
    }

    private mutating func labels(_ field: String) throws -> [Label] {
        let count = try reader.count(field, minimumBytes: 2)
        var out: [Label] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(Label(try string("label name"), try string("label value"))) }
        return out
    }

    private mutating func kind() throws -> MetricKind {
        let raw = try reader.byte("kind")
        guard let kind = MetricKind(rawValue: raw) else { throw reader.failure("unknown metric kind \(raw)") }
        return kind
    }

    private mutating func bounds() throws -> [Double] {
        let count = try reader.count("bounds", minimumBytes: 8)
        guard count <= SnapshotFormat.maxBounds else { throw reader.failure("\(count) histogram bounds") }
        var out: [Double] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try reader.double("bound")) }
        return out
    }

    private mutating func indices(_ field: String) throws -> [Int] {
        let count = try reader.count(field)
        var out: [Int] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try int(field)) }
        return out
    }

    /// A time in ms within `SnapshotFormat.maxTimeMagnitude` of the epoch,
    /// or the `sentinel` meaning "none".
    private mutating func time(_ field: String, sentinel: Int64? = nil) throws -> Int64 {
        let value = try reader.zigzag(field)
        guard value == sentinel || value.magnitude <= SnapshotFormat.maxTimeMagnitude.magnitude else {
            throw reader.failure("\(field) \(value) out of range")
        }
        return value
    }

    /// A count that is incremented later, kept well away from overflow.
    private mutating func count(_ field: String) throws -> Int {
        let value = try int(field)
        guard Int64(value) <= SnapshotFormat.maxTimeMagnitude else { throw reader.failure("\(field) \(value) too large") }
        return value
    }

    private mutating func int(_ field: String) throws -> Int {
        let value = try reader.varint(field)
        guard value <= UInt64(Int.max) else { throw reader.failure("\(field) \(value) too large") }
        return Int(value)
    }

    /// An id or -1; checked against its table when the store is linked.
    private mutating func id(_ field: String) throws -> Int {
        let value = try reader.zigzag(field)
        guard value >= -1, value <= Int64(Int32.max) else { throw reader.failure("\(field) \(value) out of range") }
        return Int(value)
    }

    private mutating func string(_ field: String) throws -> String {
        let reference = try reader.varint(field)
        if reference == 0 {
            let value = try reader.string(field)
            strings.append(value)
            return value
        }
        guard reference <= UInt64(strings.count) else {
            throw reader.failure("\(field) refers to string \(reference - 1) of \(strings.count)")
        }
        return strings[Int(reference - 1)]
    }

    // MARK: Placeholders

    /// What a freed pod or series slot holds: nothing reads it but reuse.
    private static let deadPod = PodRecord(
        stream: PodStream(first: PodSummary(pod: "", namespace: "", agentInstance: "", sequence: 0,
                                            timestampMilliseconds: 0, families: [])),
        seriesOfSlot: [], lastReceived: 0, intervalMilliseconds: 0, live: false)

    private static let deadSeries = StoredSeries(
        key: SeriesKey(name: "", labels: []), kind: .counter, bounds: [], ring: SlotRing(capacity: 1, width: 1),
        lastWrite: .min, owner: -1, rollup: -1, live: false)
}
