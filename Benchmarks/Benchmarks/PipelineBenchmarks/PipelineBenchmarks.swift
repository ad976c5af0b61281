import Benchmark
import SiskinAggregation
import SiskinExposition
import SiskinSimulator
import SiskinWire

/// Successive scrapes of one simulated sidecar: same series, new values.
struct Scrapes: Sendable {
    let bodies: [[UInt8]]
    var bytes: Int { bodies[0].count }

    init(preset: Preset, count: Int) {
        var fleet = Fleet(preset: preset, seed: 42)
        var bodies: [[UInt8]] = []
        for _ in 0..<count {
            bodies.append(fleet.focus.render())
            fleet.advance(by: 15)
        }
        self.bodies = bodies
    }
}

/// Feeds steady-state scrapes in order; when they run out, starts a fresh
/// aggregator warmed on the first scrape (outside the measurement).
struct SteadyFeeder {
    let scrapes: Scrapes
    var aggregator: PodAggregator
    var next = 1

    init(_ scrapes: Scrapes) {
        self.scrapes = scrapes
        aggregator = PodAggregator(pod: "bench", namespace: "bench")
        _ = try? aggregator.ingest(scrapes.bodies[0])
    }

    mutating func rewindIfNeeded() {
        guard next == scrapes.bodies.count else { return }
        self = SteadyFeeder(scrapes)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        maxDuration: .seconds(5),
        maxIterations: 400
    )

    for preset in [Preset.medium, .large] {
        let scrapes = Scrapes(preset: preset, count: 40)
        let size = "\(preset.rawValue), \(scrapes.bytes / 1000) kB"

        Benchmark("Parse only (\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                var samples = 0
                ExpositionParser.withParser(over: scrapes.bodies[0]) { parser in
                    while let entry = parser.next() {
                        if case .sample = entry { samples += 1 }
                    }
                }
                blackHole(samples)
            }
        }

        Benchmark("Parse + aggregate, cold (\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                var aggregator = PodAggregator(pod: "bench", namespace: "bench")
                blackHole(try aggregator.ingest(scrapes.bodies[0]))
            }
        }

        Benchmark("Parse + aggregate, steady state (\(size))") { benchmark in
            var feeder = SteadyFeeder(scrapes)
            for _ in benchmark.scaledIterations {
                benchmark.stopMeasurement()
                feeder.rewindIfNeeded()
                let body = scrapes.bodies[feeder.next]
                feeder.next += 1
                benchmark.startMeasurement()
                blackHole(try feeder.aggregator.ingest(body))
            }
        }

        Benchmark("Summary + encode + compress (\(size))") { benchmark in
            var aggregator = PodAggregator(pod: "bench", namespace: "bench")
            for body in scrapes.bodies.prefix(3) { _ = try aggregator.ingest(body) }
            let encoder = SummaryEncoder()
            var sequence: UInt64 = 0
            for _ in benchmark.scaledIterations {
                sequence += 1
                let summary = aggregator.summary(agentInstance: "bench", sequence: sequence, timestampMilliseconds: 0)
                blackHole(try encoder.encode(summary))
            }
        }
    }
}
