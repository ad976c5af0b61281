import SiskinAggregation
import SiskinStore
import SiskinWire
import Testing

/// Stores that ingest can build from odd but decodable pushes must snapshot
/// and restore like any other: a check stricter than ingest would turn one
/// odd push into a snapshot that cannot be loaded.
@Suite("Unusual but reachable states")
struct UnusualStateTests {
    static let start = Traffic.start

    static func push(_ sequence: UInt64, _ families: [SummaryFamily]) throws -> Event {
        let t = start + Int64(sequence) * 5_000
        let summary = PodSummary(pod: "p", namespace: "n", agentInstance: "a", sequence: sequence,
                                 timestampMilliseconds: t, families: families)
        return .push(summary: summary, body: try SummaryEncoder().encode(summary).bytes, receivedAt: t + 10)
    }

    static func counter(_ name: String, _ value: UInt64) -> SummaryFamily {
        SummaryFamily(name: name, kind: .counter, series: [
            SummarySeries(labels: [Label("pod", "p")], value: .counter(.integer(value))),
        ])
    }

    @Test("A push naming one series twice, as a counter and as a gauge, restores exactly")
    func seriesTwiceInOnePush() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var events = [try Self.push(1, [Self.counter("a", 1), Self.counter("b", 1)])]
        // "b" stays away until the stream forgets it, which leaves a free slot...
        for sequence in UInt64(2)...63 { events.append(try Self.push(sequence, [Self.counter("a", sequence)])) }
        // ...that "k" takes, twice over, in one push.
        events.append(try Self.push(64, [
            Self.counter("a", 64), Self.counter("k", 5),
            SummaryFamily(name: "k", kind: .gauge, series: [SummarySeries(labels: [Label("pod", "p")], value: .gauge(2))]),
        ]))
        events.append(try Self.push(65, [Self.counter("a", 70), Self.counter("k", 9)]))
        let now = Self.start + 66 * 5_000
        do {
            let database = try Database(dataDirectory: directory.path)
            database.apply(events)
            try database.snapshot(now: now)
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.restoredSnapshot != nil)
        #expect(restarted.persistence.recoveryNotes.isEmpty)
        #expect(StoreAnswers(restarted, now: now) == StoreAnswers(.reference(events), now: now))
    }

    @Test("A summary the wire format cannot carry is applied, not logged, and a snapshot restores it")
    func unencodableSummary() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A counter family holding a histogram reading: the encoder refuses it.
        let odd = PodSummary(
            pod: "p", namespace: "n", agentInstance: "a", sequence: 1, timestampMilliseconds: Self.start,
            families: [SummaryFamily(name: "h", kind: .counter, series: [
                SummarySeries(labels: [Label("pod", "p")], value: .histogram(HistogramValue(
                    bounds: [1, 2], bucketCounts: [.integer(1), .integer(2), .integer(3)], sum: 4, count: .integer(3)))),
            ])])
        let now = Self.start + 10_000
        let reference = Database()
        _ = reference.ingest(odd, now: Self.start + 10)
        do {
            let database = try Database(dataDirectory: directory.path)
            let outcome = database.ingest(odd, now: Self.start + 10)
            #expect(outcome == .applied(kind: .baseline, newSeries: 1, resets: 0))
            #expect(database.persistence.health == .degraded)
            #expect(database.persistence.recordsDropped == 1)
            try database.snapshot(now: now)
            #expect(database.persistence.health == .healthy)
        }
        let restarted = try Database(dataDirectory: directory.path)
        #expect(restarted.persistence.restoredSnapshot != nil)
        #expect(StoreAnswers(restarted, now: now) == StoreAnswers(reference, now: now))
    }
}
