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

/// Feeds steady-state scrapes in order to one warmed aggregator. The
/// framework calls a benchmark's closure once per sample, so this state lives
/// outside it, created once; only ingesting the next scrape is measured.
final class SteadyFeeder: @unchecked Sendable {
    let scrapes: Scrapes
    var aggregator: PodAggregator
    var next = 1

    init(_ scrapes: Scrapes) {
        self.scrapes = scrapes
        aggregator = PodAggregator(pod: "bench", namespace: "bench")
        _ = try? aggregator.ingest(scrapes.bodies[0])
    }

    /// The next scrape; after the last one, starts over with a fresh warmed
    /// aggregator (maxIterations keeps runs from getting there).
    func nextBody() -> [UInt8] {
        if next == scrapes.bodies.count {
            aggregator = PodAggregator(pod: "bench", namespace: "bench")
            _ = try? aggregator.ingest(scrapes.bodies[0])
            next = 1
        }
        defer { next += 1 }
        return scrapes.bodies[next]
    }
}

/// An aggregator holding three scrapes' worth of state, for encoding.
final class EncodeState: @unchecked Sendable {
    var aggregator: PodAggregator
    let encoder = SummaryEncoder()
    var sequence: UInt64 = 0

    init(_ scrapes: Scrapes) {
        aggregator = PodAggregator(pod: "bench", namespace: "bench")
        for body in scrapes.bodies.prefix(3) { _ = try? aggregator.ingest(body) }
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
        let scrapes = Scrapes(preset: preset, count: 64)
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

        // One sample per prepared scrape, each a true steady-state ingest.
        let feeder = SteadyFeeder(scrapes)
        Benchmark(
            "Parse + aggregate, steady state (\(size))",
            configuration: .init(maxIterations: scrapes.bodies.count - 8)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                // nextBody() hands out a prepared array (no copy, no work).
                blackHole(try feeder.aggregator.ingest(feeder.nextBody()))
            }
        }

        // What the agent does: the body arrives in 16 KiB pieces from libcurl.
        let streamFeeder = SteadyFeeder(scrapes)
        Benchmark(
            "Parse + aggregate, steady state, streamed in 16 KiB pieces (\(size))",
            configuration: .init(maxIterations: scrapes.bodies.count - 8)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                let body = streamFeeder.nextBody()
                streamFeeder.aggregator.beginScrape()
                body.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let end = min(bytes.count, offset + 16_384)
                        streamFeeder.aggregator.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                        offset = end
                    }
                }
                blackHole(streamFeeder.aggregator.endScrape())
            }
        }

        let encoding = EncodeState(scrapes)
        Benchmark("Summary + encode + compress (\(size))") { benchmark in
            for _ in benchmark.scaledIterations {
                encoding.sequence += 1
                let summary = encoding.aggregator.summary(
                    agentInstance: "bench", sequence: encoding.sequence, timestampMilliseconds: 0)
                blackHole(try encoding.encoder.encode(summary))
            }
        }
    }
}
