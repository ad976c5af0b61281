import SiskinAggregation
import SiskinIngest
import SiskinStore
import Testing

/// "After `kill -9` and a restart, queries answer as before." A test drops
/// its `Database` without a snapshot or a flush to stand for the kill: what
/// was written is in the page cache either way, which is all a killed
/// process leaves behind.
@Suite("Restart safety")
struct RestartTests {
    static let now = Traffic.start + 120 * 5_000

    @Test("A restart from snapshot and log answers exactly as the database before it")
    func snapshotAndLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120)
        let (early, late) = (events[..<150], events[150...])
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(early)
            try database.snapshot(now: early.last?.time ?? 0)
            database.apply(late)
            #expect(StoreAnswers(database, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
        }
        let restarted = try Database(dataDirectory: directory.path)
        let answers = StoreAnswers(restarted, now: Self.now)
        #expect(!answers.isEmpty)
        #expect(answers == StoreAnswers(.reference(events), now: Self.now))
        let status = restarted.persistence
        #expect(status.health == .healthy)
        #expect(status.restoredSnapshot != nil)
        #expect(status.recordsReplayed == Self.loggedRecords(late, after: early))
        #expect(status.tornBytesDiscarded == 0)
        #expect(status.recoveryNotes.isEmpty)
    }

    @Test("A log alone, with no snapshot yet, replays to the same state")
    func logOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
        }
        #expect(!directory.names().contains { $0.hasPrefix("snapshot-") })
        let restarted = try Database(dataDirectory: directory.path)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
        #expect(restarted.persistence.restoredSnapshot == nil)
        #expect(restarted.persistence.recordsReplayed == Self.loggedRecords(events))
    }

    @Test("Only applied pushes and expiry passes that dropped something are logged")
    func whatIsLogged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120)
        let database = try Database(dataDirectory: directory.path)
        database.apply(events)
        let status = database.persistence
        #expect(status.recordsWritten == Self.loggedRecords(events))
        #expect(status.recordsWritten < events.count)  // retries and idle expiry passes are not
        #expect(status.logBytes > 0)
    }

    @Test("A restart after a clean shutdown snapshot replays nothing and answers the same")
    func cleanShutdown() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 60)
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
            try database.snapshot(now: Self.now)
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.recordsReplayed == 0)
        #expect(restarted.persistence.lastSnapshotMilliseconds == Self.now)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    @Test("Restarts chain: each one continues the log and the next restores it all")
    func repeatedRestarts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 120)
        let parts = stride(from: 0, to: events.count, by: 90).map { events[$0..<min($0 + 90, events.count)] }
        for (index, part) in parts.enumerated() {
            let database = try Database(dataDirectory: directory.path)
            database.apply(part)
            if index % 2 == 1 { try database.snapshot(now: part.last?.time ?? 0) }
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
        // Snapshots retire old files: at most two snapshots stay.
        #expect(directory.names().filter { $0.hasPrefix("snapshot-") }.count <= 2)
    }

    @Test("Snapshots keep two generations and delete the log the older one covers")
    func retention() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 40)
        let database = try Database(dataDirectory: directory.path)
        for (index, chunk) in stride(from: 0, to: events.count, by: 20).enumerated() {
            database.apply(events[chunk..<min(chunk + 20, events.count)])
            try database.snapshot(now: Traffic.start + Int64(index))
        }
        let snapshots = directory.names().filter { $0.hasPrefix("snapshot-") }
        let segments = directory.names().filter { $0.hasPrefix("log-") }
        #expect(snapshots.count == 2)
        let oldest = snapshots.compactMap(TemporaryDirectory.sequence(of:)).min() ?? 0
        #expect(segments.allSatisfy { (TemporaryDirectory.sequence(of: $0) ?? 0) >= oldest })
        #expect(database.persistence.snapshotsWritten == (events.count + 19) / 20)
    }

    @Test("A second process cannot open a data directory in use")
    func exclusive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try Database(dataDirectory: directory.path)
        #expect(throws: PersistenceError.locked(directory: directory.path)) {
            _ = try Database(dataDirectory: directory.path)
        }
        _ = first
    }

    @Test("Without a data directory nothing is written and persistence reports disabled")
    func inMemory() throws {
        let database = try Database(dataDirectory: nil)
        database.apply(try Traffic.events(rounds: 10))
        try database.snapshot(now: Self.now)
        database.flush()
        #expect(database.persistence.health == .disabled)
        #expect(database.persistence.isHealthy)
    }

    @Test("The summary-only ingest logs a re-encoded push that replays the same")
    func reencoded() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 30)
        do {
            let database = try Database(dataDirectory: directory.path)
            for event in events {
                switch event {
                case .push(let summary, _, let receivedAt): _ = database.ingest(summary, now: receivedAt)
                case .expire(let now): database.expire(now: now)
                }
            }
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    @Test("Every sync policy survives a restart; flush syncs without changing answers",
          arguments: [LogSyncPolicy.everyRecord, .interval(milliseconds: 1_000)])
    func syncPolicies(policy: LogSyncPolicy) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let events = try Traffic.events(rounds: 30)
        do {
            let database = try Database(dataDirectory: directory.path, logSync: policy)
            database.apply(events[..<50])
            database.flush()
            database.apply(events[50...])
            #expect(database.persistence.health == .healthy)
        }
        let restarted = try Database(dataDirectory: directory.path, logSync: policy)
        #expect(StoreAnswers(restarted, now: Self.now) == StoreAnswers(.reference(events), now: Self.now))
    }

    /// Records `events` leave in the log after `earlier` ones: applied
    /// pushes, and expiry passes that dropped a pod or rollup.
    static func loggedRecords(_ events: some Sequence<Event>, after earlier: some Sequence<Event> = []) -> Int {
        let database = Database.reference(earlier)
        var count = 0
        for event in events {
            switch event {
            case .push(let summary, _, let receivedAt):
                if case .applied = database.ingest(summary, now: receivedAt) { count += 1 }
            case .expire(let now):
                let before = database.read { ($0.podCount, $0.rollupCount) }
                database.expire(now: now)
                if database.read({ ($0.podCount, $0.rollupCount) }) != before { count += 1 }
            }
        }
        return count
    }
}
