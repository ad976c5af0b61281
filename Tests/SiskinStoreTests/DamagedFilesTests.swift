import SiskinAggregation
import SiskinIngest
import SiskinStore
import Testing

/// Files damaged by a crash, the disk or a person: recovery keeps what is
/// intact, says what it dropped, and never traps.
@Suite("Damaged data directories")
struct DamagedFilesTests {
    static let now = RestartTests.now

    @Test("A torn last record loses that push only; the agent's re-send restores it and appending goes on")
    func tornTail() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 60)
        guard let lastPush = events.lastIndex(where: { if case .push = $0 { true } else { false } }) else {
            Issue.record("no push in the traffic")
            return
        }
        let upToLast = events[...lastPush]
        var segment = ""
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(upToLast)
            segment = database.persistence.logSegment ?? ""
        }
        try directory.chop(segment, bytes: 3)

        let lostOne = Array(upToLast.dropLast())
        do {
            let restarted = try Database(dataDirectory: directory.path)
            let status = restarted.persistence
            #expect(status.tornBytesDiscarded > 3)  // the whole record, not just the bytes chopped
            #expect(status.recoveryNotes.contains { $0.contains(segment) })
            #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(lostOne), now: Self.now))
            // The agent did not get an answer for the lost push, so it sends it again.
            restarted.apply([events[lastPush]])
            #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(upToLast), now: Self.now))
        }
        let again = try Database(dataDirectory: directory.path)
        #expect(again.persistence.tornBytesDiscarded == 0)  // the tail was cut off for good
        #expect(StoreAnswers(again, now: Self.now) == StoreAnswers(.reference(upToLast), now: Self.now))
    }

    @Test("A length field claiming gigabytes ends the segment without allocating it")
    func hostileLength() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 20)
        var segment = ""
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
            segment = database.persistence.logSegment ?? ""
        }
        try directory.append([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + Array(repeating: 0xAB, count: 100), to: segment)
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.tornBytesDiscarded == 108)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    @Test("A record with a flipped bit fails its checksum; the records before it are kept")
    func flippedRecord() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 20)
        var segment = ""
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
            segment = database.persistence.logSegment ?? ""
        }
        var bytes = try directory.bytes(segment)
        bytes[bytes.count - 10] ^= 0x10  // inside the last record's body
        try directory.write(bytes, to: segment)
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.recoveryNotes.contains { $0.contains("checksum") })
        let withoutLast = Array(events[..<(events.lastIndex { if case .push = $0 { true } else { false } } ?? 0)])
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(withoutLast), now: Self.now))
    }

    @Test("A corrupt newest snapshot falls back to the one before it and the log since")
    func corruptSnapshotFallsBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120)
        var older = "", newer = ""
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events[..<120])
            try database.snapshot(now: Traffic.start + 1)
            older = directory.names().filter { $0.hasPrefix("snapshot-") }.last ?? ""
            database.apply(events[120..<260])
            try database.snapshot(now: Traffic.start + 2)
            newer = directory.names().filter { $0.hasPrefix("snapshot-") }.last ?? ""
            database.apply(events[260...])
        }
        #expect(older != newer)
        var bytes = try directory.bytes(newer)
        bytes[bytes.count / 2] ^= 0xFF
        try directory.write(bytes, to: newer)

        let restarted = try Database(dataDirectory: directory.path)
        let status = restarted.persistence
        #expect(status.restoredSnapshot == older)
        #expect(status.lastSnapshotMilliseconds == Traffic.start + 1)
        #expect(status.recoveryNotes.contains { $0.contains(newer) && $0.contains("checksum") })
        #expect(status.health == .healthy)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    @Test("An empty or truncated snapshot file is skipped, not trusted")
    func truncatedSnapshot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 30)
        var name = ""
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
            try database.snapshot(now: Self.now)
            name = directory.names().filter { $0.hasPrefix("snapshot-") }.last ?? ""
        }
        for length in [0, 3, 11, 200] {
            let bytes = try directory.bytes(name)
            try directory.write(Array(bytes.prefix(length)), to: name)
            let restarted = try Database(dataDirectory: directory.path)
            #expect(restarted.persistence.restoredSnapshot == nil)
            #expect(restarted.persistence.recoveryNotes.contains { $0.contains(name) })
        }
    }

    /// Damage that keeps the checksum right (re-sealed) reaches the decoder
    /// itself: every variant must either load or be refused, never trap, and
    /// whatever loads must take pushes and answer queries.
    @Test("Snapshots damaged behind a valid checksum are refused or load, never trap")
    func damageBehindTheChecksum() throws {
        let source = try TemporaryDirectory()
        defer { source.remove() }
        let events = try Traffic.events(rounds: 40)
        var original: [UInt8] = []
        var name = ""
        do {
            let database = try Database(dataDirectory: source.path)
            database.apply(events)
            try database.snapshot(now: Self.now)
            name = source.names().filter { $0.hasPrefix("snapshot-") }.last ?? ""
            original = try source.bytes(name)
        }
        let body = original.dropLast(4)
        var variants: [[UInt8]] = []
        func damage(_ position: Int, _ replacement: UInt8) {
            var damaged = Array(body)
            damaged[position] = replacement
            variants.append(Checksum.sealed(damaged))
        }
        // Across the file (mostly ring values), a few ways each.
        for position in stride(from: 4, to: body.count, by: max(1, body.count / 80)) {
            for replacement: UInt8 in [0x00, 0xFF, body[position] ^ 0x01] { damage(position, replacement) }
        }
        // Every byte of the header and the first pods (structure: counts,
        // string references, slot lists), varint continuation bit flipped.
        for position in 4..<min(260, body.count) { damage(position, body[position] ^ 0x80) }
        for length in stride(from: 8, to: body.count, by: max(1, body.count / 40)) {
            variants.append(Checksum.sealed(body.prefix(length)))
        }
        let more = try Traffic.events(rounds: 45).suffix(10)
        var loaded = 0
        for variant in variants {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write(variant, to: name)
            let database = try Database(dataDirectory: directory.path)
            if database.persistence.restoredSnapshot != nil {
                loaded += 1
                database.apply(more)
                _ = StoreAnswers(database, now: Self.now)
            } else {
                #expect(database.persistence.recoveryNotes.contains { $0.contains(name) })
            }
        }
        // Most damage is caught; some (a value bit, a timestamp) is not damage the format can see.
        #expect(loaded < variants.count)
    }

    @Test("A snapshot taken with other retentions loads into rings of the configured size")
    func retentionChange() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120, outage: false)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events[..<200])
            try database.snapshot(now: Self.now)
            database.apply(events[200...])
        }
        for configuration in [
            StoreConfiguration(detailRetentionMilliseconds: 4 * 60_000, retentionMilliseconds: 7 * 60_000),
            StoreConfiguration(detailRetentionMilliseconds: 20 * 60_000, retentionMilliseconds: 2 * 3_600_000),
        ] {
            let restarted = try Database(configuration: configuration, dataDirectory: directory.path)
            #expect(restarted.persistence.restoredSnapshot != nil)
            #expect(StoreAnswers(restarted, now: Self.now)
                    == StoreAnswers(.reference(events, configuration: configuration), now: Self.now))
        }
    }

    @Test("A snapshot of another slot width is not used; the log left is replayed instead")
    func slotWidthChange() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 60)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events[..<100])
            try database.snapshot(now: Self.now)
            database.apply(events[100...])
        }
        let configuration = StoreConfiguration(slotMilliseconds: 10_000)
        let restarted = try Database(configuration: configuration, dataDirectory: directory.path)
        let status = restarted.persistence
        #expect(status.restoredSnapshot == nil)
        #expect(status.recoveryNotes.contains { $0.contains("10000 ms") })
        #expect(status.recordsReplayed > 0)
        #expect(restarted.read { $0.podCount } > 0)
    }
}
