import SiskinAggregation
import SiskinIngest
import SiskinStore
import SiskinTesting
import Testing

/// "Aggregator down for 10 minutes → afterwards, total increases equal the
/// ground truth exactly": the time the aggregator was down is not its pods'
/// silence, so a restart after an outage longer than `--stale-after` keeps
/// every pod's stream, and the next push counts the whole outage.
@Suite("Resume after an outage")
struct ResumeTests {
    static let t0: Int64 = 1_800_000_000_000
    static let staleAfter: Int64 = 5 * 60_000

    func requests(_ database: Database, now: Int64) -> Double {
        database.read { store in
            store.select(.rollup, name: requestsTotal, matching: [])
                .map { store.total(.rollup, $0, from: Self.t0 - 60_000, to: now + 60_000)[0] }.reduce(0, +)
        }
    }

    @Test("a pod silent through a 10-minute outage is not dropped at restart, and its next push counts the outage")
    func outageLongerThanStaleAfter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = StoreConfiguration(staleAfterMilliseconds: Self.staleAfter)
        var pod = IstioPod(pod: "web-1", workload: "web")
        do {
            let database = try Database(configuration: configuration, dataDirectory: directory.path)
            _ = database.ingest(pod.push(at: Self.t0), now: Self.t0)
            pod.serve(50)
            _ = database.ingest(pod.push(at: Self.t0 + 5_000), now: Self.t0 + 5_000)
        }
        // Ten minutes later the aggregator starts again; maintenance runs at once.
        let restart = Self.t0 + 5_000 + 600_000
        do {
            let database = try Database(configuration: configuration, dataDirectory: directory.path)
            database.resume(now: restart)
            #expect(database.expire(now: restart + 1_000) == 0)
            pod.serve(1_000)  // served during the outage
            guard case .applied(.increase, _, _) = database.ingest(pod.push(at: restart + 2_000), now: restart + 2_000) else {
                Issue.record("the push after the outage was not an increase")
                return
            }
            #expect(abs(requests(database, now: restart + 2_000) - 1_050) < 0.01)  // 32-bit slots
        }

        // Replay repeats the resume: a kill -9 now restores the same pod.
        let replayed = try Database(configuration: configuration, dataDirectory: directory.path)
        #expect(replayed.read { $0.podCount } == 1)
        #expect(abs(requests(replayed, now: restart + 2_000) - 1_050) < 0.01)
        // A pod that stays silent for --stale-after after the restart still goes.
        #expect(replayed.expire(now: restart + 2_000 + Self.staleAfter + 1) == 1)
    }

    @Test("without a resume, the same outage drops the pod: what the resume is for")
    func withoutResume() throws {
        var store = WindowedStore(configuration: StoreConfiguration(staleAfterMilliseconds: Self.staleAfter))
        var pod = IstioPod(pod: "web-1", workload: "web")
        _ = store.ingest(pod.push(at: Self.t0), now: Self.t0)
        #expect(store.expire(now: Self.t0 + 600_000) == 1)
        var resumed = WindowedStore(configuration: StoreConfiguration(staleAfterMilliseconds: Self.staleAfter))
        _ = resumed.ingest(pod.push(at: Self.t0), now: Self.t0)
        resumed.resume(now: Self.t0 + 600_000)
        #expect(resumed.expire(now: Self.t0 + 600_000) == 0)
    }
}
