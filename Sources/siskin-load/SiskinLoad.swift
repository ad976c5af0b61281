import ArgumentParser
import SiskinAgent
import SiskinAggregation
import SiskinSimulator
import SiskinSync
import SiskinWire
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RulesPreset: ExpressibleByArgument {}

/// `siskin-load`: many simulated agents pushing realistic summaries to a
/// running aggregator (`siskin serve`), to measure how many it ingests.
@main
struct SiskinLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siskin-load",
        abstract: "Simulate N siskin agents pushing realistic summaries to an aggregator and measure ingest.",
        discussion: """
            Builds a mesh of workloads (--pods-per-workload pods each, spread over --namespaces), runs \
            one pod per workload through the Envoy simulator and the agent's aggregator to get real \
            Istio summaries, and derives every pod's successive cumulative summaries from those. All \
            bodies are encoded before the measurement (up to --buffer-mb), so the run measures the \
            aggregator, not zlib. Every pod first sends one untimed baseline push (the aggregator \
            creates it); then the connections push for --duration seconds, each pod in turn, with \
            sequence numbers and timestamps advancing by --interval-ms per push. \
            Exits 1 if no push of the measured phase was accepted. See docs/load-tool.md.
            """
    )

    @Option(help: "Aggregator base URL; summaries go to <url>\(WireFormat.ingestPath).")
    var url = "http://127.0.0.1:9090"

    @Option(help: "Simulated pods (agents).")
    var pods = 1000

    @Option(help: "Namespaces the workloads are spread over.")
    var namespaces = 20

    @Option(help: "Pods per workload (replicas).")
    var podsPerWorkload = 5

    @Option(help: "Target pushes per second over all connections; 0 = as fast as possible.")
    var rate: Double = 0

    @Option(help: "Seconds to measure, after the baseline round.")
    var duration: Double = 30

    @Option(help: "Parallel keep-alive connections, each on its own thread.")
    var connections = 4

    @Option(help: "Approximate output series per summary; the mesh is shaped to match and the actual number printed.")
    var series = 100

    @Option(help: "Aggregation rules the simulated agents use: default or lean.")
    var rules: RulesPreset = .default

    @Option(help: "Bearer token sent with every push.")
    var token: String?

    @Option(help: "Simulated milliseconds between a pod's pushes (timestamps advance by this per push).")
    var intervalMs = 5000

    @Option(help: "Per-request timeout in seconds.")
    var timeout: Double = 10

    @Option(help: "Memory for pre-encoded bodies, in MiB.")
    var bufferMb = 512

    @Option(help: "Pushes per pod after the baseline (default: rate × duration / pods, or what fits --buffer-mb at --rate 0).")
    var maxRounds: Int?

    @Option(help: "Encoder threads (default: one per CPU).")
    var encoders: Int?

    @Option(help: "Seed of the simulated mesh and traffic.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp(
        "Also write every accepted push as OpenMetrics text to this file, for promtool tsdb create-blocks-from openmetrics.",
        valueName: "file"))
    var openmetricsOut: String?

    @Option(help: ArgumentHelp(
        "HTTP client: socket (a bare keep-alive socket, so the tool takes little of the CPU it shares with the server) "
            + "or curl (the agent's libcurl). Default: socket for http://, curl for https://.",
        valueName: "socket|curl"))
    var client: PushClient?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: "Check every fast-written frame against SummaryEncoder (diagnostic; slows set-up about threefold).")
    var verifyFrames = false

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must start with http:// or https://")
        }
        if client == .socket, url.hasPrefix("https://") {
            throw ValidationError("--client socket speaks plain HTTP only; use --client curl for https://")
        }
        guard pods >= 1 else { throw ValidationError("--pods must be at least 1") }
        guard namespaces >= 1 else { throw ValidationError("--namespaces must be at least 1") }
        guard podsPerWorkload >= 1 else { throw ValidationError("--pods-per-workload must be at least 1") }
        guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be 0 or positive") }
        guard duration > 0, duration <= 1e6 else { throw ValidationError("--duration must be positive, at most 1e6 seconds") }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard series >= 1 else { throw ValidationError("--series must be at least 1") }
        guard intervalMs >= 1 else { throw ValidationError("--interval-ms must be at least 1") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be positive") }
        guard bufferMb >= 1 else { throw ValidationError("--buffer-mb must be at least 1") }
        if let maxRounds, maxRounds < 1 { throw ValidationError("--max-rounds must be at least 1") }
        if let encoders, encoders < 1 { throw ValidationError("--encoders must be at least 1") }
        if let openmetricsOut, openmetricsOut.isEmpty { throw ValidationError("--openmetrics-out needs a file name") }
    }

    func run() throws {
        StopSignal.install()
        let setupStart = Monotonic.nanoseconds()
        // Created before anything else, so a bad path fails at once.
        var openMetrics = try openmetricsOut.map { try OpenMetricsWriter(path: $0) }
        let fleet = try prepareFleet()
        let budget = bufferMb << 20
        let rounds = try plannedRounds(budget: budget) {
            try Self.sampleBodyBytes(fleet.generators(firstTimestamp: 0, only: Self.sample(pods)))
        }
        // The last planned push is stamped one interval before now: no
        // timestamp is ever in the aggregator's future.
        let firstTimestamp = WallClock.milliseconds() - Int64(rounds + 1) * Int64(intervalMs)

        let encoderCount = min(encoders ?? fleet.cores, pods)
        let pool = BodyPool(pods: pods, encoders: encoderCount, budgetBytes: budget)
        let encoderThreads = try startEncoders(
            count: encoderCount, generators: fleet.generators(firstTimestamp: firstTimestamp), rounds: rounds + 1, pool: pool)
        defer {
            pool.stop()
            for thread in encoderThreads { thread.join() }
        }
        Self.progress("encoding up to \(Format.count((rounds + 1) * pods)) pushes (\(rounds) per pod after the baseline) "
            + "into \(bufferMb) MiB with \(Format.plural(encoderCount, "thread")) ...")
        let prefill = pool.waitUntilPrefilled(every: 5, shouldStop: { StopSignal.isRequested }) { progress in
            Self.progress("  \(Format.count(progress.encoded)) encoded (\(Format.bytes(Double(progress.bufferedBytes))) buffered)")
        }
        if let failure = prefill.failure { throw LoadError(failure) }
        if StopSignal.isRequested {
            Self.progress("interrupted before sending anything")
            throw ExitCode(130)
        }
        let setupSeconds = Monotonic.seconds(from: setupStart, to: Monotonic.nanoseconds())
        Self.progress("\(Format.count(prefill.encoded)) bodies ready (\(Format.bytes(Double(prefill.bufferedBytes)))) "
            + "after \(Format.fixed(setupSeconds, 1)) s; sending the baseline round")

        let plan = ConnectionPlan(
            url: Self.ingestURL(url), token: token, timeoutSeconds: timeout, rounds: rounds,
            durationNanoseconds: UInt64(duration * 1e9),
            pacingNanoseconds: rate > 0 ? UInt64(1e9 * Double(min(connections, pods)) / rate) : 0,
            agentInstances: fleet.instances, recordAccepted: openMetrics != nil,
            client: client ?? (url.hasPrefix("https://") ? .curl : .socket))
        Self.progress("pushing with the \(plan.client.rawValue) client")
        pool.beginSending()
        let sent = try send(plan: plan, pool: pool, firstTimestamp: firstTimestamp)
        let final = pool.snapshot

        var openMetricsOutput: OpenMetricsWriter.Output?
        if openMetrics != nil {
            Self.progress("writing the \(Format.count(sent.acceptedSequences.reduce(0) { $0 + $1.count })) accepted pushes "
                + "as OpenMetrics to \(openMetrics!.path) ...")
            openMetricsOutput = try openMetrics!.write(
                fleet: fleet, firstTimestamp: firstTimestamp, accepted: sent.acceptedSequences)
            openMetrics = nil
        }

        let seriesCounts = fleet.templateOfPod.map { fleet.templates[$0].seriesCount }
        let report = LoadReport(
            setup: .init(
                url: plan.url, pods: pods, workloads: fleet.mesh.workloads.count, namespaces: fleet.mesh.namespaceCount,
                connections: min(connections, pods), rules: rules.rawValue, responseCodes: fleet.mesh.shape.outcomeCodes,
                callsPerWorkload: fleet.mesh.shape.degree, targetRate: rate > 0 ? rate : nil,
                durationSeconds: duration, intervalMilliseconds: intervalMs, plannedPushesPerPod: rounds,
                firstTimestampSecondsAgo: Double(WallClock.milliseconds() - firstTimestamp) / 1000),
            summaries: .init(
                seriesMean: (Double(seriesCounts.reduce(0, +)) / Double(pods) * 10).rounded() / 10,
                seriesMin: seriesCounts.min() ?? 0, seriesMax: seriesCounts.max() ?? 0,
                meanBodyBytes: final.encoded > 0 ? (Double(final.encodedBytes) / Double(final.encoded)).rounded() : 0,
                meanUncompressedBytes: final.encoded > 0 ? (Double(final.uncompressedBytes) / Double(final.encoded)).rounded() : 0,
                encodedBeforeRun: sent.encodedBeforeRun, encodedDuringRun: final.encoded - sent.encodedBeforeRun,
                podsEncodedSlowly: final.slowPathPods,
                setupSeconds: (setupSeconds * 10).rounded() / 10, bufferMiB: bufferMb),
            baseline: .init(sent.baseline, seconds: sent.baselineSeconds),
            run: .init(sent.measured, seconds: sent.measuredSeconds),
            ended: sent.ended, openMetrics: openMetricsOutput)

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text(), terminator: "")
        }
        if let failure = final.failure { throw LoadError(failure) }
        if sent.measured.accepted == 0 {
            Self.progress("no push of the measured phase was accepted")
            throw ExitCode.failure
        }
    }

    /// The simulated fleet: mesh, one template per workload, and what each
    /// pod's generator needs.
    struct PreparedFleet {
        let mesh: LoadMesh
        let templates: [PodTemplate]
        /// Index into `templates` (= `mesh.workloads`) of every pod.
        let templateOfPod: [Int]
        let instances: [String]
        let cores: Int
        let intervalMilliseconds: Int64
        let seed: UInt64

        /// Generators of all pods (or of `selection`), first push at
        /// `firstTimestamp` plus a per-pod phase: agents do not scrape in
        /// lockstep.
        func generators(firstTimestamp: Int64, only selection: [Int]? = nil) -> [PodGenerator] {
            (selection ?? Array(templateOfPod.indices)).map { pod in
                let phase = Int64(SplitMix64.derive(seed, 0x9A5E, UInt64(pod)) % UInt64(intervalMilliseconds))
                return PodGenerator(
                    template: templates[templateOfPod[pod]], pod: mesh.pods[pod], workload: mesh.workloads[templateOfPod[pod]],
                    agentInstance: instances[pod], firstTimestamp: firstTimestamp + phase,
                    intervalMilliseconds: intervalMilliseconds, seed: SplitMix64.derive(seed, 0x90D, UInt64(pod)))
            }
        }
    }

    private func prepareFleet() throws -> PreparedFleet {
        let start = Monotonic.nanoseconds()
        let mesh = LoadMesh(
            pods: pods, namespaces: namespaces, podsPerWorkload: podsPerWorkload, series: series, rules: rules, seed: seed)
        Self.progress("simulating traffic of \(Format.plural(mesh.workloads.count, "workload")) "
            + "(\(Format.plural(pods, "pod")), \(Format.plural(mesh.namespaceCount, "namespace"))) ...")
        if mesh.shape.estimatedSeries * 2 < series || mesh.shape.estimatedSeries > series * 2 {
            Self.progress("note: \(Format.plural(mesh.workloads.count, "workload")) allow\(mesh.workloads.count == 1 ? "s" : "") about "
                + "\(mesh.shape.estimatedSeries) series per summary, not \(series); more pods or fewer --pods-per-workload give more")
        }
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let templates = try PodTemplate.build(
            mesh: mesh, rules: rules == .lean ? .lean : .default, intervalSeconds: Double(intervalMs) / 1000, seed: seed,
            threads: cores)
        Self.progress("templates ready after \(Format.fixed(Monotonic.seconds(from: start, to: Monotonic.nanoseconds()), 1)) s")
        var templateOfPod: [Int] = []
        templateOfPod.reserveCapacity(pods)
        for (index, workload) in mesh.workloads.enumerated() {
            templateOfPod += Array(repeating: index, count: workload.podCount)
        }
        return PreparedFleet(
            mesh: mesh, templates: templates, templateOfPod: templateOfPod,
            instances: (0..<pods).map { _ in PodGenerator.randomInstanceID() }, cores: cores,
            intervalMilliseconds: Int64(intervalMs), seed: seed)
    }

    /// Starts `count` encoder threads, each owning the pods `p % count`.
    private func startEncoders(count: Int, generators: [PodGenerator], rounds: Int, pool: BodyPool) throws -> [WorkerThread] {
        var threads: [WorkerThread] = []
        do {
            for index in 0..<count {
                let owned = Array(stride(from: index, to: generators.count, by: count))
                let job = EncoderJob(
                    index: index, pods: owned, generators: owned.map { generators[$0] }, rounds: rounds, verifyAll: verifyFrames)
                threads.append(try WorkerThread(name: "encoder-\(index)") { job.run(into: pool) })
            }
        } catch {
            pool.stop()
            for thread in threads { thread.join() }
            throw error
        }
        return threads
    }

    /// What the connections did.
    struct Sent {
        var baseline = PhaseStats()
        var baselineSeconds = 0.0
        var measured = PhaseStats()
        var measuredSeconds = 0.0
        var ended = EndReason.duration
        var encodedBeforeRun = 0
        /// Per pod, the sequence numbers answered 2xx (with `--openmetrics-out`).
        var acceptedSequences: [[UInt64]] = []
    }

    /// Runs the connections: the untimed baseline round, then (unless nothing
    /// answered at all) the measured phase.
    private func send(plan: ConnectionPlan, pool: BodyPool, firstTimestamp: Int64) throws -> Sent {
        let count = min(connections, pods)
        let gate = StartGate()
        let results = ResultsBox(count: count)
        let baselineStart = Monotonic.nanoseconds()
        var threads: [WorkerThread] = []
        for index in 0..<count {
            let connection = Connection(index: index, pods: Array(stride(from: index, to: pods, by: count)), plan: plan)
            do {
                threads.append(try WorkerThread(name: "connection-\(index)") {
                    connection.run(pool: pool, gate: gate, results: results)
                })
            } catch {
                gate.cancel()
                for thread in threads { thread.join() }
                throw error
            }
        }
        var start: UInt64?
        var unreachable: String?
        if gate.waitForAll(count: count, shouldStop: { StopSignal.isRequested }) {
            // Nothing got through at all (no aggregator listening, wrong
            // host): measuring connection errors at full speed says nothing.
            var baseline = PhaseStats()
            for result in results.all { baseline.merge(result.baseline) }
            if baseline.sent > 0 && baseline.transportErrors.values.reduce(0, +) == baseline.sent {
                unreachable = baseline.firstTransportError ?? "no answer"
                gate.cancel()
            } else {
                start = gate.open()
                // The next pushes carry the first measured round's stamp. At a
                // --rate a round goes out every interval, so the stamps keep
                // this distance to the wall clock: a client querying the data
                // as it arrives (scripts/measure-ingest's query probe) asks
                // for this much in the past.
                let behind = Double(WallClock.milliseconds() - firstTimestamp - Int64(intervalMs)) / 1000
                Self.progress("measuring for \(Format.fixed(duration, 0)) s (pushes stamped \(Format.fixed(behind, 3)) s behind the wall clock) ...")
            }
        } else {
            gate.cancel()
        }
        var sent = Sent()
        sent.encodedBeforeRun = pool.snapshot.encoded
        for thread in threads { thread.join() }
        if let unreachable {
            throw LoadError("no baseline push got an HTTP answer, so nothing was measured: \(unreachable)")
        }

        if plan.recordAccepted { sent.acceptedSequences = Array(repeating: [], count: pods) }
        for (index, result) in results.all.enumerated() {
            sent.baseline.merge(result.baseline)
            sent.measured.merge(result.measured)
            sent.ended = max(sent.ended, result.end)
            for (slot, sequences) in result.acceptedSequences.enumerated() {
                sent.acceptedSequences[index + slot * count] = sequences
            }
        }
        if StopSignal.isRequested || start == nil { sent.ended = max(sent.ended, .interrupted) }
        sent.baselineSeconds = Monotonic.seconds(from: baselineStart, to: max(sent.baseline.endNanoseconds, baselineStart))
        if let start { sent.measuredSeconds = Monotonic.seconds(from: start, to: max(sent.measured.endNanoseconds, start)) }
        return sent
    }

    /// Pushes per pod after the baseline.
    ///
    /// With a rate: what the rate needs for the duration. As fast as
    /// possible: what fits the buffer, so nothing is encoded while measuring;
    /// a run that sends it all ends early and says so.
    private func plannedRounds(budget: Int, sampleBodyBytes: () throws -> Double) throws -> Int {
        if let maxRounds { return maxRounds }
        // One round more than the rate needs, so the duration ends the run.
        if rate > 0 { return Int((rate * duration / Double(pods)).rounded(.up)) + 1 }
        let bodyBytes = try sampleBodyBytes()
        // 10 % headroom: counters grow, and so do their varints.
        let fitting = Int(0.9 * Double(budget) / (Double(pods) * max(bodyBytes, 1))) - 1
        guard fitting >= 1 else {
            throw LoadError("--buffer-mb \(bufferMb) holds less than two pushes per pod (about \(Format.bytes(bodyBytes)) each); raise it")
        }
        return fitting
    }

    /// Up to 32 pods spread over the fleet, to estimate the body size.
    private static func sample(_ pods: Int) -> [Int] {
        let step = max(1, pods / 32)
        return Array(stride(from: 0, to: pods, by: step).prefix(32))
    }

    /// Mean size of a steady-state (second) summary of `generators`.
    private static func sampleBodyBytes(_ generators: [PodGenerator]) throws -> Double {
        let encoder = SummaryEncoder()
        var total = 0
        for var generator in generators {
            generator.step()
            generator.step()
            total += try encoder.encode(generator.summary()).bytes.count
        }
        return Double(total) / Double(max(1, generators.count))
    }

    static func ingestURL(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + WireFormat.ingestPath
    }

    /// Progress goes to standard error so standard output is only the report.
    static func progress(_ message: String) {
        var stream = StandardError()
        print("siskin-load: \(message)", to: &stream)
    }
}

/// Each connection's result, written once by its thread, read after join.
final class ResultsBox: Sendable {
    private let results: Mutex<[Connection.Result]>

    init(count: Int) {
        results = Mutex(Array(repeating: Connection.Result(), count: count))
    }

    func store(_ result: Connection.Result, at index: Int) {
        results.locked { $0[index] = result }
    }

    var all: [Connection.Result] { results.locked { $0 } }
}

/// `print(..., to:)` target for standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(descriptor, pointer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, pointer, count)
    #else
    return Glibc.write(descriptor, pointer, count)
    #endif
}
