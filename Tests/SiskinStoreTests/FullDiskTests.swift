import SiskinAggregation
import SiskinStore
import Testing

/// "What a full disk does: keep serving from memory, report not ready for
/// persistence, never crash." Writes are sent to `/dev/full` through
/// symbolic links, where every write fails with ENOSPC, for root too.
@Suite("Full disk")
struct FullDiskTests {
    static let now = RestartTests.now

    @Test("Log writes failing with ENOSPC degrade persistence, keep every push in memory, and a snapshot heals it")
    func logOnFullDisk() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 90)
        let (before, during, after) = (events[..<100], events[100..<200], events[200...])

        let database = try Database(dataDirectory: directory.path)
        database.apply(before)
        #expect(database.persistence.health == .healthy)

        // The disk fills up: the next segment and the snapshot both land on /dev/full.
        let current = try #require(database.persistence.logSegment.flatMap(TemporaryDirectory.sequence(of:)))
        let full = TemporaryDirectory.segmentName(current + 1)
        try directory.linkToFullDevice(full)
        try directory.linkToFullDevice("snapshot.tmp")
        #expect {
            try database.snapshot(now: Self.now)
        } throws: { error in
            (error as? PersistenceError)?.isDiskFull == true
        }
        #expect(database.persistence.health == .degraded)
        #expect(!database.persistence.isHealthy)

        // Pushes keep being applied and answered from memory; their records are dropped.
        let written = database.persistence.recordsWritten
        for event in during {
            if case .push(let summary, let body, let receivedAt) = event {
                let outcome = database.ingest(summary, body: body, now: receivedAt)
                if case .rejected = outcome { Issue.record("push rejected on a full disk: \(outcome)") }
            } else {
                database.apply([event])
            }
        }
        let degraded = database.persistence
        #expect(degraded.health == .degraded)
        #expect(degraded.recordsWritten == written)
        #expect(degraded.recordsDropped > 0)
        #expect(degraded.lastError?.contains("No space left on device") == true)
        #expect(degraded.summary.contains("degraded"))
        database.flush()  // nothing to sync, nothing to trap on
        #expect(StoreAnswers(database, now: Self.now) == StoreAnswers(.reference(events[..<200]), now: Self.now))

        // Space is freed: the next snapshot captures memory and starts a good segment.
        try directory.removeFile(full)
        try database.snapshot(now: Self.now)
        #expect(database.persistence.health == .healthy)
        database.apply(after)
        #expect(database.persistence.health == .healthy)

        // And a kill -9 now loses nothing.
        let all = StoreAnswers(.reference(events), now: Self.now)
        #expect(StoreAnswers(database, now: Self.now) == all)
        _ = consume database
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.health == .healthy)
        #expect(StoreAnswers(restarted, now: Self.now) == all)
    }

    @Test("A kill -9 while the disk is full recovers everything logged before it filled")
    func killedWhileDegraded() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 60)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events[..<100])
            let current = try #require(database.persistence.logSegment.flatMap(TemporaryDirectory.sequence(of:)))
            try directory.linkToFullDevice(TemporaryDirectory.segmentName(current + 1))
            try directory.linkToFullDevice("snapshot.tmp")
            #expect(throws: PersistenceError.self) { try database.snapshot(now: Self.now) }
            database.apply(events[100...])
            #expect(database.persistence.health == .degraded)
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events[..<100]), now: Self.now))
    }

    @Test("A snapshot that cannot be written leaves the log in use and healthy data on disk")
    func snapshotOnFullDisk() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 60)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events[..<100])
            try directory.linkToFullDevice("snapshot.tmp")
            #expect(throws: PersistenceError.self) { try database.snapshot(now: Self.now) }
            #expect(database.persistence.health == .degraded)
            #expect(!directory.names().contains("snapshot.tmp"))  // cleaned up after the failure
            // The new segment works, so nothing after the failed snapshot is lost either.
            database.apply(events[100...])
            #expect(database.persistence.recordsDropped == 0)
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.restoredSnapshot == nil)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    @Test("A data directory that is a file, or cannot be created, is an error at start-up")
    func unusableDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write([1, 2, 3], to: "plain-file")
        #expect(throws: PersistenceError.self) { _ = try Database(dataDirectory: directory.file("plain-file")) }
        #expect(throws: PersistenceError.self) { _ = try Database(dataDirectory: directory.file("plain-file/sub")) }
    }
}
