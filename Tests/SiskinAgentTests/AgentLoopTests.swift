import Foundation
import Logging
import SiskinAgent
import SiskinAggregation
import SiskinSimulator
import SiskinSync
import SiskinTesting
import SiskinWire
import Synchronization
import Testing

/// Log lines an agent wrote, for "logged once per state change" checks.
final class CapturedLogs: Sendable {
    let lines = Mutex<[(Logger.Level, String)]>([])
    func count(_ level: Logger.Level, containing text: String) -> Int {
        lines.locked { $0.filter { $0.0 == level && $0.1.contains(text) }.count }
    }
}

struct CapturingLogHandler: LogHandler {
    let logs: CapturedLogs
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let extra = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        logs.lines.locked { $0.append((event.level, "\(event.message) \(extra)")) }
    }
}

/// An agent loop on its own thread, as `siskin-agent run` would run it.
final class RunningAgent: Sendable {
    let stop = StopHandle()
    let logs = CapturedLogs()
    private let finished = TelemetryBox()

    final class TelemetryBox: Sendable {
        let value = Mutex<AgentTelemetry?>(nil)
    }

    init(_ configuration: AgentConfiguration) {
        let logs = self.logs, stop = self.stop, finished = self.finished
        let thread = Thread {
            let logger = Logger(label: "agent-under-test") { _ in CapturingLogHandler(logs: logs) }
            let loop = try! AgentLoop(configuration: configuration, logger: logger, stop: stop)
            loop.run()
            let telemetry = loop.telemetry
            finished.value.locked { $0 = telemetry }
        }
        thread.start()
    }

    /// Stops the loop (it does its final scrape and push) and returns its telemetry.
    func finish(timeout: Double = 10) async -> AgentTelemetry? {
        stop.request()
        _ = await waitUntilAsync(timeout: timeout) { finished.value.locked { $0 != nil } }
        return finished.value.locked { $0 }
    }
}

/// Test-speed configuration: 100 ms interval, short timeouts and backoff.
func agentConfiguration(envoy: FakeEnvoy, receivers: [PushReceiver], tokenFile: String? = nil) -> AgentConfiguration {
    var configuration = AgentConfiguration()
    configuration.scrapeURL = envoy.scrapeURL
    configuration.pushURLs = receivers.map(\.baseURL)
    configuration.intervalSeconds = 0.1
    configuration.timeoutSeconds = 0.5
    configuration.maxBackoffSeconds = 0.3
    configuration.unauthorizedRetrySeconds = 0.5
    configuration.pod = envoy.podName
    configuration.namespace = "test"
    configuration.tokenFile = tokenFile
    configuration.statusFile = nil
    configuration.shutdownGraceSeconds = 2
    // The test process's code is not the agent's: `AgentProcessTests` covers the release.
    configuration.releaseCodePages = false
    return configuration
}

/// istio_requests_total summed over a summary's series.
func requestTotal(_ summary: PodSummary?) -> UInt64 {
    guard let family = summary?.families.first(where: { $0.name == "istio_requests_total" }) else { return 0 }
    return family.series.reduce(0) { total, series in
        if case .counter(let v) = series.value { return total + (v.integerValue ?? 0) }
        return total
    }
}

/// istio_requests_total per output series, keyed by labels.
func requestSeries(_ summary: PodSummary?) -> [[Label]: UInt64] {
    var result: [[Label]: UInt64] = [:]
    for series in summary?.families.first(where: { $0.name == "istio_requests_total" })?.series ?? [] {
        if case .counter(let v) = series.value { result[series.labels] = v.integerValue ?? 0 }
    }
    return result
}

/// The duration histograms' observation count summed over a summary.
func durationCount(_ summary: PodSummary?) -> UInt64 {
    guard let family = summary?.families.first(where: { $0.name == "istio_request_duration_milliseconds" }) else { return 0 }
    return family.series.reduce(0) { total, series in
        if case .histogram(let h) = series.value { return total + (h.count.integerValue ?? 0) }
        return total
    }
}

/// Waits until `count` more pushes than now have arrived: after that, at least
/// one scrape started after anything the test just changed.
@discardableResult
func awaitFreshPushes(_ receiver: PushReceiver, count: Int = 2, timeout: Double = 10) async -> Bool {
    let start = receiver.pushes.count
    return await waitUntilAsync(timeout: timeout) { receiver.pushes.count >= start + count }
}

/// A fake Envoy, a receiver and a running agent, started and waited for the
/// first push: `base` is that push, `fleetAtBase` the ground truth then.
struct AgentRig {
    let envoy: FakeEnvoy
    let receiver: PushReceiver
    let agent: RunningAgent
    let base: PodSummary
    let fleetAtBase: Fleet

    init(preset: Preset, seed: UInt64, configure: (inout AgentConfiguration) -> Void = { _ in }) async throws {
        let envoy = try FakeEnvoy(preset: preset, seed: seed)
        let receiver = try PushReceiver()
        var configuration = agentConfiguration(envoy: envoy, receivers: [receiver])
        configure(&configuration)
        agent = RunningAgent(configuration)
        let started = await waitUntilAsync { receiver.pushes.count >= 1 }
        #expect(started, "first push")
        base = started ? receiver.pushes[0].summary
            : PodSummary(pod: "", namespace: "", agentInstance: "", sequence: 0, timestampMilliseconds: 0, families: [])
        fleetAtBase = envoy.fleet
        self.envoy = envoy
        self.receiver = receiver
    }

    func stop() {
        envoy.stop()
        receiver.stop()
    }
}

@Suite("siskin-agent run, over loopback HTTP with libcurl", .serialized)
struct AgentLoopTests {
    @Test("pushes carry the pod's cumulative summary, the token, increasing sequence numbers and telemetry")
    func normalPushes() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 1)
        let receiver = try PushReceiver(expectedToken: "s3cret")
        defer { envoy.stop(); receiver.stop() }
        let dir = try BuiltExecutable.temporaryDirectory()
        try "s3cret\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        var configuration = agentConfiguration(envoy: envoy, receivers: [receiver], tokenFile: dir + "/token")
        configuration.podLabels = [Label("app", "podinfo"), Label("version", "v1")]
        let agent = RunningAgent(configuration)
        #expect(await waitUntilAsync { receiver.pushes.count >= 3 })
        let telemetry = await agent.finish()

        let pushes = receiver.pushes
        #expect(pushes.count >= 3)
        #expect(zip(pushes, pushes.dropFirst()).allSatisfy { $0.summary.sequence < $1.summary.sequence })
        #expect(Set(pushes.map(\.summary.agentInstance)).count == 1)
        let first = try #require(pushes.first)
        #expect(first.headers["content-type"] == WireFormat.contentType)
        #expect(first.headers["x-siskin-sequence"] == String(first.summary.sequence))
        #expect(first.summary.pod == envoy.podName && first.summary.namespace == "test")
        #expect(first.summary.podLabels == [Label("app", "podinfo"), Label("version", "v1")])
        #expect(first.summary.metadata.contains(Label("agent_version", AgentVersion.current)))
        #expect(first.bytes < 2000)
        // One kept-alive connection each for scraping and pushing.
        #expect(envoy.scrapeCount >= 3)
        #expect(envoy.connectionsAccepted == 1, "\(envoy.connectionsAccepted) connections for \(envoy.scrapeCount) scrapes")
        #expect(receiver.connectionsAccepted == 1, "\(receiver.connectionsAccepted) connections for \(pushes.count) pushes")
        // Nothing advanced: every summary shows the sidecar's whole traffic.
        #expect(pushes.allSatisfy { requestTotal($0.summary) == envoy.requests() })
        #expect(telemetry?.scrapeFailures == 0)
    }

    @Test("aggregator down for several intervals, then back: the increases add up to the truth exactly")
    func receiverOutage() async throws {
        let rig = try await AgentRig(preset: .medium, seed: 2)
        defer { rig.stop() }
        let (envoy, receiver, agent, base) = (rig.envoy, rig.receiver, rig.agent, rig.base)
        let truthBefore = rig.fleetAtBase.focus.requests()
        let countBefore = rig.fleetAtBase.focus.histogram().count
        #expect(requestTotal(base) == truthBefore)

        receiver.setMode(.unavailable)
        for _ in 0..<5 {
            envoy.advance(by: 15)
            try await Task.sleep(for: .milliseconds(150))
        }
        receiver.setMode(.accept)
        #expect(await awaitFreshPushes(receiver))
        let telemetry = await agent.finish()

        let last = receiver.lastSummary
        #expect(requestTotal(last) - requestTotal(base) == envoy.requests() - truthBefore)
        #expect(durationCount(last) - durationCount(base) == envoy.histogram().count - countBefore)
        #expect(envoy.requests() > truthBefore)
        #expect((telemetry?.superseded ?? 0) > 0, "unsent summaries were replaced, not queued")
        #expect((telemetry?.pushFailures ?? 0) > 0)
    }

    @Test("Envoy restarts: no negative and no doubled increase")
    func envoyRestart() async throws {
        let rig = try await AgentRig(preset: .medium, seed: 3)
        defer { rig.stop() }
        let (envoy, receiver, agent, base) = (rig.envoy, rig.receiver, rig.agent, rig.base)
        let truthBefore = rig.fleetAtBase.focus.requests()

        envoy.advance(by: 15)
        await awaitFreshPushes(receiver)
        envoy.restart()
        await awaitFreshPushes(receiver)  // scrapes of a freshly restarted Envoy
        envoy.advance(by: 15)
        await awaitFreshPushes(receiver)
        envoy.advance(by: 15)
        await awaitFreshPushes(receiver)
        let telemetry = await agent.finish()

        let totals = receiver.pushes.map { requestTotal($0.summary) }
        #expect(zip(totals, totals.dropFirst()).allSatisfy { $0 <= $1 }, "cumulative: never goes down")
        #expect(requestTotal(receiver.lastSummary) - requestTotal(base) == envoy.requests() - truthBefore)
        #expect(telemetry?.envoyRestarts == 1)
    }

    @Test("Envoy not up when the agent starts: it waits, logs once, and counts from the first scrape")
    func envoyLate() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 4)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        try envoy.setDown(true)
        let agent = RunningAgent(agentConfiguration(envoy: envoy, receivers: [receiver]))
        try await Task.sleep(for: .milliseconds(600))
        #expect(receiver.pushes.isEmpty)
        try envoy.setDown(false)
        #expect(await waitUntilAsync { receiver.pushes.count >= 2 })
        let telemetry = await agent.finish()

        #expect((telemetry?.scrapeFailures ?? 0) >= 1)
        #expect(agent.logs.count(.warning, containing: "Envoy not reachable") == 1)
        #expect(agent.logs.count(.notice, containing: "Envoy reachable again") == 1)
        #expect(requestTotal(receiver.lastSummary) == envoy.requests())
    }

    @Test("Envoy away for longer than the staleness window, back without restarting: nothing counted twice")
    func envoyAwayLong() async throws {
        let rig = try await AgentRig(preset: .medium, seed: 11) { $0.aggregatorOptions.staleAfterScrapes = 3 }
        defer { rig.stop() }
        let (envoy, receiver, agent, base, fleetAtBase) = (rig.envoy, rig.receiver, rig.agent, rig.base, rig.fleetAtBase)
        // An earlier restart makes the cumulative totals differ from what Envoy
        // prints, so forgetting and re-learning the series would show.
        envoy.advance(by: 15)
        await awaitFreshPushes(receiver)
        envoy.restart()
        envoy.advance(by: 15)
        await awaitFreshPushes(receiver)
        try envoy.setDown(true)
        try await Task.sleep(for: .milliseconds(1000))  // ten intervals, more than three scrapes' staleness
        envoy.advance(by: 15)
        try envoy.setDown(false)
        #expect(await awaitFreshPushes(receiver))
        _ = await agent.finish()
        // Series present in every push were never forgotten: each must have
        // grown by exactly the truth for its labels. (Sparse series absent
        // after the restart may be forgotten by the short staleness window;
        // that is staleness, not double counting, and they are left out.)
        let pushes = receiver.pushes
        var everywhere = Set(requestSeries(base).keys)
        for push in pushes { everywhere.formIntersection(requestSeries(push.summary).keys) }
        #expect(!everywhere.isEmpty)
        let last = requestSeries(receiver.lastSummary)
        let first = requestSeries(base)
        for labels in everywhere {
            var predicate: [String: String] = [:]
            for label in labels where label.name != "pod" && label.name != "namespace" { predicate[label.name] = label.value }
            let truth = Int64(envoy.requests(matching: predicate)) - Int64(fleetAtBase.focus.requests(matching: predicate))
            #expect(Int64(last[labels]!) - Int64(first[labels]!) == truth, "\(predicate)")
        }
    }

    @Test("Envoy hanging past the timeout: scrapes time out at the interval's pace, then resume")
    func envoyHangs() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 5)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        var configuration = agentConfiguration(envoy: envoy, receivers: [receiver])
        configuration.timeoutSeconds = 0.2
        envoy.hangSeconds = 3
        let start = ContinuousClock.now
        let agent = RunningAgent(configuration)
        try await Task.sleep(for: .milliseconds(1000))
        let scrapesWhileHung = envoy.scrapeCount
        #expect(receiver.pushes.isEmpty)
        envoy.hangSeconds = 0
        #expect(await waitUntilAsync { receiver.pushes.count >= 1 })
        let telemetry = await agent.finish()

        // At most one attempt per 200 ms timeout + 100 ms interval: no spinning.
        #expect(scrapesWhileHung >= 1 && scrapesWhileHung <= 8, "\(scrapesWhileHung) scrapes in 1 s")
        #expect((telemetry?.scrapeFailures ?? 0) >= 1)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("401 from the aggregator: logged clearly, retried slowly, fixed by the next token")
    func unauthorized() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 6)
        let receiver = try PushReceiver(expectedToken: "right")
        defer { envoy.stop(); receiver.stop() }
        let dir = try BuiltExecutable.temporaryDirectory()
        try "wrong".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let agent = RunningAgent(agentConfiguration(envoy: envoy, receivers: [receiver], tokenFile: dir + "/token"))
        try await Task.sleep(for: .milliseconds(1200))
        let attempts = receiver.attempts.count
        // The interval would allow 12 attempts; the 0.5 s floor allows about 3.
        #expect(attempts >= 1 && attempts <= 4, "\(attempts) attempts in 1.2 s")
        #expect(receiver.pushes.isEmpty)
        try "right".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        #expect(await waitUntilAsync { receiver.pushes.count >= 1 })
        _ = await agent.finish()
        #expect(agent.logs.count(.error, containing: "refused our credentials") == 1)
        #expect(agent.logs.count(.error, containing: "--token-file") == 1)
    }

    @Test("a status file that cannot be written is logged once, and the agent keeps working")
    func statusFileUnwritable() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 12)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        var configuration = agentConfiguration(envoy: envoy, receivers: [receiver])
        configuration.statusFile = "/nonexistent-dir/siskin-agent.status"
        let agent = RunningAgent(configuration)
        #expect(await waitUntilAsync { receiver.pushes.count >= 3 })
        _ = await agent.finish()
        #expect(agent.logs.count(.error, containing: "cannot write the status file") == 1)
    }

    @Test("429 with Retry-After: no retry before the server said")
    func retryAfter() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 7)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        receiver.setMode(.tooManyRequests(retryAfter: 1))
        let agent = RunningAgent(agentConfiguration(envoy: envoy, receivers: [receiver]))
        try #require(await waitUntilAsync { receiver.attempts.count >= 2 })
        let attempts = receiver.attempts
        receiver.setMode(.accept)
        #expect(await waitUntilAsync { receiver.pushes.count >= 1 })
        _ = await agent.finish()
        #expect(attempts[1] - attempts[0] >= .milliseconds(990))
    }

    @Test("gzip-compressed scrape: fewer bytes on the wire, the same counts")
    func gzipScrape() async throws {
        let envoy = try FakeEnvoy(preset: .medium, seed: 8, gzip: { try! Zlib.deflate($0, format: .gzip) })
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        let agent = RunningAgent(agentConfiguration(envoy: envoy, receivers: [receiver]))
        #expect(await waitUntilAsync { receiver.pushes.count >= 2 })
        let telemetry = try #require(await agent.finish())
        #expect(telemetry.lastScrapeWireBytes > 0)
        #expect(telemetry.lastScrapeWireBytes * 5 < telemetry.lastScrapeBytes, "\(telemetry.lastScrapeWireBytes) on the wire for \(telemetry.lastScrapeBytes)")
        #expect(requestTotal(receiver.lastSummary) == envoy.requests())
    }

    @Test("two aggregators: one being down does not hold up the other")
    func twoAggregators() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 9)
        let up = try PushReceiver(), down = try PushReceiver()
        defer { envoy.stop(); up.stop(); down.stop() }
        down.setMode(.unavailable)
        let agent = RunningAgent(agentConfiguration(envoy: envoy, receivers: [up, down]))
        #expect(await waitUntilAsync { up.pushes.count >= 5 })
        down.setMode(.accept)
        #expect(await waitUntilAsync { down.pushes.count >= 1 })
        _ = await agent.finish()
        #expect(requestTotal(down.lastSummary) == envoy.requests())
    }
}

@Suite("The built siskin-agent binary", .serialized)
struct AgentProcessTests {
    /// `siskin-agent run` scraping `envoy`, pushing to `receiver`, logging to `directory/err`.
    static func start(envoy: FakeEnvoy, receiver: PushReceiver, directory: String, _ extra: [String]) throws -> Process {
        try BuiltExecutable.start(
            "siskin-agent",
            ["run", "--scrape-url", envoy.scrapeURL, "--push-url", receiver.baseURL, "--pod", envoy.podName,
             "--namespace", "test", "--status-file", directory + "/status"] + extra,
            stdout: directory + "/out", stderr: directory + "/err")
    }

    @Test("SIGTERM: one final scrape and push, then exit 0")
    func sigtermFinalPush() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 10)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        let dir = try BuiltExecutable.temporaryDirectory()
        let agent = try Self.start(envoy: envoy, receiver: receiver, directory: dir, ["--interval", "10m", "--log-format", "json"])
        #expect(await waitUntilAsync { receiver.pushes.count >= 1 })
        envoy.advance(by: 15)
        kill(agent.processIdentifier, SIGTERM)
        let exited = await waitUntilAsync(timeout: 10) { !agent.isRunning }
        #expect(exited, "exits after SIGTERM")
        guard exited else {
            agent.terminate()
            return
        }
        #expect(agent.terminationStatus == 0)
        #expect(receiver.pushes.count == 2, "the first push and the final one")
        #expect(requestTotal(receiver.lastSummary) == envoy.requests())
        let log = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
        #expect(log.contains("\"msg\":\"stopping: final scrape and push\""))

        let health = try BuiltExecutable.run("siskin-agent", ["health", "--status-file", dir + "/status", "--max-age", "60s"])
        #expect(health.status == 0, "\(health.stdoutText)")
        let stale = try BuiltExecutable.run("siskin-agent", ["health", "--status-file", dir + "/status", "--max-age", "0s"])
        #expect(stale.status != 0)
    }

    @Test("after the third scrape the agent releases its read-only code pages once, and keeps scraping and pushing")
    func releasesCodePages() async throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 13)
        let receiver = try PushReceiver()
        defer { envoy.stop(); receiver.stop() }
        let dir = try BuiltExecutable.temporaryDirectory()
        let agent = try Self.start(envoy: envoy, receiver: receiver, directory: dir, ["--interval", "200ms", "--log-level", "debug"])
        defer { if agent.isRunning { agent.terminate() } }
        #expect(await waitUntilAsync { receiver.pushes.count >= 8 })
        envoy.advance(by: 15)
        #expect(await awaitFreshPushes(receiver))
        kill(agent.processIdentifier, SIGTERM)
        #expect(await waitUntilAsync(timeout: 10) { !agent.isRunning })
        let log = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
        let released = log.split(separator: "\n").filter { $0.contains("code pages released") }
        #expect(released.count == 1, "\(log)")
        let bytes = released.first.flatMap { $0.split(separator: "bytes=").last }.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        #expect(bytes > 1 << 20, "the whole read-only image, megabytes: \(bytes)")
        #expect(requestTotal(receiver.lastSummary) == envoy.requests())
    }

    @Test("options come from SISKIN_* environment variables too; a missing push URL is a clear error")
    func configuration() throws {
        let missing = try BuiltExecutable.run("siskin-agent", ["run", "--pod", "p"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--push-url"))
        let help = try BuiltExecutable.run("siskin-agent", ["run", "--help"])
        for env in ["SISKIN_SCRAPE_URL", "SISKIN_PUSH_URL", "SISKIN_INTERVAL", "SISKIN_TIMEOUT", "SISKIN_POD", "POD_NAME",
                    "SISKIN_POD_LABELS_FILE", "SISKIN_TOKEN_FILE", "SISKIN_RULES", "SISKIN_LOG_LEVEL", "SISKIN_LOG_FORMAT"] {
            #expect(help.stdoutText.contains(env), "\(env) documented")
        }
    }
}

@Suite("Agent building blocks")
struct AgentPartsTests {
    @Test("the downward API labels file: quoted values with escapes")
    func podLabels() {
        let labels = PodLabelsFile.parse("app=\"podinfo\"\npod-template-hash=\"7d9c\"\nnote=\"a \\\"quoted\\\" word\"\n")
        #expect(labels == [Label("app", "podinfo"), Label("note", "a \"quoted\" word"), Label("pod-template-hash", "7d9c")])
    }

    @Test("backoff grows exponentially with full jitter, capped, and honours a floor")
    func backoff() {
        var backoff = Backoff(base: 1, maximum: 8)
        var random = SeededRandom(seed: 1)
        var delays: [Double] = []
        for _ in 0..<6 { delays.append(backoff.nextDelay(using: &random)) }
        for (i, delay) in delays.enumerated() { #expect(delay >= 0 && delay <= min(8, Double(1 << i))) }
        #expect(backoff.nextDelay(atLeast: 30, using: &random) >= 30)
        backoff.reset()
        #expect(backoff.nextDelay(using: &random) <= 1)
    }

    @Test("the default backoff cap is two intervals, so agents reach a returning aggregator within two")
    func defaultBackoffCap() {
        var configuration = AgentConfiguration()
        #expect(configuration.effectiveMaxBackoffSeconds == 10)
        configuration.intervalSeconds = 1
        #expect(configuration.effectiveMaxBackoffSeconds == 2)
        configuration.maxBackoffSeconds = 60
        #expect(configuration.effectiveMaxBackoffSeconds == 60)
    }

    @Test("the Envoy filter derived from the rules keeps exactly their families and the restart signal")
    func envoyFilter() throws {
        let regex = try Regex(AgentConfiguration.envoyFilter(for: .lean))
        for kept in ["istio_requests_total", "istio_request_duration_milliseconds", "istio_request_duration_milliseconds_bucket", "envoy_server_uptime"] {
            #expect(kept.wholeMatch(of: regex) != nil, "\(kept)")
        }
        for dropped in ["istio_request_bytes", "envoy_cluster_upstream_rq_total", "istio_requests_total_x"] {
            #expect(dropped.wholeMatch(of: regex) == nil, "\(dropped)")
        }
    }
}
