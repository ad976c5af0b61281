import Benchmark
import SiskinAggregation
import SiskinCanary
import SiskinIngest
import SiskinPromQL
import SiskinQuery
import SiskinSimulator
import SiskinStore
import SiskinWire
import Foundation

/// A store holding `pods` pods that pushed every 5 s for a minute: what the
/// workload query runs against.
final class LoadedStore: @unchecked Sendable {
    let store: WindowedStore
    let now: Int64 = 1_800_000_000_000
    let pods: Int
    let podsPerWorkload = 10
    let namespaces = 20

    init(pods: Int, mesh: MeshSummaries) {
        self.pods = pods
        var store = WindowedStore()
        for push in 0...12 {
            let t = now - 60_000 + Int64(push) * 5_000
            for i in 0..<pods {
                _ = store.ingest(mesh.summary(pod: i, push: push, podsPerWorkload: podsPerWorkload,
                                              namespaces: namespaces, timestampMilliseconds: t), now: t)
            }
        }
        self.store = store
    }

    /// The workload of pod `i`.
    func query(pod i: Int) -> WorkloadQuery {
        WorkloadQuery(namespace: MeshSummaries.namespaceName(i, namespaces: namespaces),
                      workload: MeshSummaries.workloadName(i, podsPerWorkload: podsPerWorkload),
                      windowMilliseconds: 60_000, at: now)
    }
}

/// One pod pushing again and again into a store: steady-state ingest.
final class PushFeeder: @unchecked Sendable {
    let mesh: MeshSummaries
    var store = WindowedStore()
    var push = 0
    var t: Int64 = 1_800_000_000_000
    let decoder = SummaryDecoder()
    var bodies: [[UInt8]] = []
    var nextBody = 0

    init(mesh: MeshSummaries, prepared: Int) {
        self.mesh = mesh
        for i in 0..<prepared {
            let summary = mesh.summary(pod: 0, push: i, podsPerWorkload: 1, namespaces: 1, timestampMilliseconds: t + Int64(i) * 5_000)
            bodies.append((try? SummaryEncoder().encode(summary).bytes) ?? [])
        }
        _ = store.ingest(try! decoder.decode(bodies[0]), now: t)
        nextBody = 1
    }

    /// Decodes and applies the next prepared push; starts over with a fresh
    /// store when they run out.
    func ingestNext() -> IngestOutcome {
        if nextBody == bodies.count {
            store = WindowedStore()
            _ = store.ingest(try! decoder.decode(bodies[0]), now: t)
            nextBody = 1
        }
        defer { nextBody += 1 }
        let summary = try! decoder.decode(bodies[nextBody])
        return store.ingest(summary, now: summary.timestampMilliseconds)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        maxDuration: .seconds(5),
        maxIterations: 20_000
    )

    // The simulator's medium sidecar (3 MB scrapes) through the default rules.
    let defaultMesh = MeshSummaries(preset: .medium, rules: .default)
    let feeder = PushFeeder(mesh: defaultMesh, prepared: 2_000)
    Benchmark("Ingest: decode + apply one push (\(defaultMesh.seriesCount) series)",
              configuration: .init(maxIterations: 1_900)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(feeder.ingestNext())
        }
    }

    // Workload queries with 10,000 pods registered (lean summaries keep set-up short).
    let leanMesh = MeshSummaries(preset: .small, rules: .lean)
    let loaded = LoadedStore(pods: 10_000, mesh: leanMesh)
    let querier = WorkloadQuerier()
    var next = 0
    Benchmark("Workload query, 1m window, 10,000 pods registered") { benchmark in
        for _ in benchmark.scaledIterations {
            next = (next + 7) % loaded.pods
            blackHole(querier.answer(loaded.query(pod: next), store: loaded.store, now: loaded.now))
        }
    }

    // Flagger's two builtin queries, verbatim, parsed and evaluated (what
    // one GET /api/v1/query costs minus HTTP), 10,000 pods registered.
    let engine = PromQLEngine()
    for (label, template) in [("success rate", FlaggerMetricTemplates.requestSuccessRate),
                              ("p99 latency", FlaggerMetricTemplates.requestDuration)] {
        var pick = 0
        Benchmark("Flagger \(label) query (parse + evaluate), 10,000 pods registered") { benchmark in
            for _ in benchmark.scaledIterations {
                pick = (pick + 7) % loaded.pods
                let q = loaded.query(pod: pick)
                let text = FlaggerMetricTemplates.render(template, namespace: q.namespace, target: q.workload, interval: "1m")
                let expr = try PromQLParser.parse(text)
                blackHole(try engine.instant(expr, at: loaded.now, store: loaded.store, now: loaded.now))
            }
        }
    }
}
