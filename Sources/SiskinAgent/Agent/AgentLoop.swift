import Logging
import SiskinAggregation
import SiskinExposition
import SiskinWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent: every interval, scrape Envoy, aggregate, encode, and push the
/// newest cumulative summary to every aggregator.
///
/// One thread, blocking libcurl calls bounded by timeouts, sleeping in between:
/// nothing spins, nothing grows. Because summaries are cumulative, each
/// aggregator only ever needs the newest one: a summary that could not be
/// pushed is replaced by the next (nothing is lost), and retries resend the
/// same bytes with the same sequence number (idempotent).
public final class AgentLoop {
    public let configuration: AgentConfiguration
    public let instance: String
    private var logger: Logger
    private var aggregator: PodAggregator
    private let scraper: EnvoyScraper
    private var targets: [PushTarget]
    private let encoder = SummaryEncoder()
    private let clock = ContinuousClock()
    private var sequence: UInt64 = 0
    public private(set) var telemetry = AgentTelemetry()
    private var envoyState: PeerState = .unknown
    private var lastErrorSignature: String?
    private var statusWriteFailure: String?
    private let stop: StopHandle

    public init(configuration: AgentConfiguration, logger: Logger, stop: StopHandle = StopHandle()) throws {
        self.stop = stop
        self.configuration = configuration
        self.logger = logger
        self.instance = AgentLoop.randomInstanceID()
        self.aggregator = PodAggregator(
            pod: configuration.pod, namespace: configuration.namespace, rules: configuration.rules,
            options: configuration.aggregatorOptions)
        self.scraper = try EnvoyScraper(
            url: configuration.scrapeURL, filter: configuration.scrapeFilter,
            usedOnly: configuration.scrapeUsedOnly, timeoutSeconds: configuration.timeoutSeconds)
        self.targets = try configuration.pushURLs.map { url in
            PushTarget(
                pusher: try SummaryPusher(baseURL: url, tokenFile: configuration.tokenFile, timeoutSeconds: configuration.timeoutSeconds,
                                          caFile: configuration.caFile),
                backoff: Backoff(base: min(1, configuration.intervalSeconds), maximum: configuration.effectiveMaxBackoffSeconds))
        }
        self.logger[metadataKey: "agent"] = .string(instance)
    }

    /// Runs until `StopSignal` is raised, then scrapes and pushes one last
    /// time within the shutdown grace period.
    public func run() {
        logger.info("siskin-agent starting", metadata: [
            "scrape": .string(scraper.url), "push": .array(targets.map { .string($0.pusher.url) }),
            "interval": .string("\(configuration.intervalSeconds)s"), "pod": .string("\(configuration.namespace)/\(configuration.pod)"),
        ])
        let interval = Duration.milliseconds(Int64(configuration.intervalSeconds * 1000))
        var nextTick = clock.now
        while !stop.isRequested {
            let now = clock.now
            if now >= nextTick {
                scrapeAndEncode()
                nextTick += interval
                if nextTick <= now { nextTick = now + interval }  // after a stall: no burst of catch-up scrapes
            }
            pushDue(deadline: nil)
            writeStatus()
            releaseCodePagesWhenWarm()
            var wake = nextTick
            for target in targets where target.pending != nil { wake = min(wake, target.nextAttempt) }
            sleep(until: wake)
        }
        shutdown()
    }

    /// One final scrape and push, bounded by the grace period.
    private func shutdown() {
        let deadline = clock.now + .milliseconds(Int64(configuration.shutdownGraceSeconds * 1000))
        logger.info("stopping: final scrape and push", metadata: ["grace": .string("\(configuration.shutdownGraceSeconds)s")])
        scraper.timeoutSeconds = min(configuration.timeoutSeconds, max(0.1, seconds(until: deadline) / 2))
        scrapeAndEncode()
        for target in targets { target.nextAttempt = clock.now }
        pushDue(deadline: deadline)
        writeStatus()
        let unsent = targets.filter { $0.pending != nil }.count
        logger.info("stopped", metadata: [
            "scrapes": .stringConvertible(telemetry.scrapes), "pushes": .stringConvertible(telemetry.pushes),
            "unsent": .stringConvertible(unsent),
        ])
    }

    // MARK: - Scrape

    private func scrapeAndEncode() {
        let start = clock.now
        do {
            // Parse as the body streams in: the dump is never held whole. A
            // scrape begins with its first bytes, so failed attempts (Envoy
            // away) do not age the cache: an Envoy that comes back without
            // restarting is not counted again.
            var begun = false
            let response: HTTPResponse
            do {
                response = try scraper.stream { piece in
                    if !begun {
                        aggregator.beginScrape()
                        begun = true
                    }
                    aggregator.feed(piece)
                }
            } catch {
                if begun { _ = aggregator.endScrape(complete: false) }
                throw error
            }
            if !begun { aggregator.beginScrape() }
            let report = aggregator.endScrape(complete: true)
            telemetry.lastScrapeBytes = response.bodyBytes
            telemetry.lastScrapeWireBytes = response.wireBytes
            telemetry.scrapes += 1
            telemetry.parseErrors += report.errorCount
            telemetry.envoyRestarts += report.envoyRestarts
            telemetry.lastScrapeSeconds = Self.seconds(clock.now - start)
            telemetry.lastScrapeOK = WallClock.milliseconds()
            // Logged when the picture changes, not every scrape (a broken line
            // usually stays broken).
            let errorSignature = report.errors.first.map { "\(report.errorCount) \($0.reason) \($0.line)" }
            if errorSignature != lastErrorSignature {
                if let first = report.errors.first {
                    logger.warning("malformed lines skipped", metadata: ["count": .stringConvertible(report.errorCount), "first": .string(first.description)])
                } else {
                    logger.notice("no malformed lines any more")
                }
                lastErrorSignature = errorSignature
            }
            if report.envoyRestarts > 0 { logger.notice("Envoy restarted; counting its counters from zero") }
            transition(&envoyState, to: .up, peer: "Envoy", url: scraper.url, detail: nil, failures: telemetry.consecutiveScrapeFailures)
            telemetry.consecutiveScrapeFailures = 0
        } catch {
            telemetry.scrapeFailures += 1
            telemetry.consecutiveScrapeFailures += 1
            telemetry.lastError = "\(error)"
            transition(&envoyState, to: .down, peer: "Envoy", url: scraper.url, detail: "\(error)", failures: telemetry.consecutiveScrapeFailures)
            return
        }
        sequence += 1
        let summary = aggregator.summary(
            agentInstance: instance, sequence: sequence, timestampMilliseconds: WallClock.milliseconds(),
            podLabels: configuration.podLabels, metadata: telemetry.metadata(rawSeries: aggregator.rawSeriesCount))
        do {
            let encoded = try encoder.encode(summary)
            for target in targets {
                if target.pending != nil { telemetry.superseded += 1 }
                target.pending = PendingSummary(bytes: encoded.bytes, sequence: sequence)
            }
            telemetry.lastSummaryBytes = encoded.bytes.count
        } catch {
            telemetry.lastError = "encode: \(error)"
            logger.error("cannot encode summary", metadata: ["error": .string("\(error)")])
        }
    }

    // MARK: - Push

    private func pushDue(deadline: ContinuousClock.Instant?) {
        for target in targets {
            guard let pending = target.pending, clock.now >= target.nextAttempt else { continue }
            if let deadline {
                let left = seconds(until: deadline)
                guard left > 0.05 else { break }
                target.pusher.timeoutSeconds = min(configuration.timeoutSeconds, left)
            }
            let outcome = target.pusher.push(pending.bytes, sequence: pending.sequence, agentInstance: instance)
            switch outcome {
            case .accepted:
                target.pending = nil
                target.backoff.reset()
                telemetry.pushes += 1
                telemetry.pushBytes += pending.bytes.count
                telemetry.lastPushOK = WallClock.milliseconds()
                transition(&target.state, to: .up, peer: "aggregator", url: target.pusher.url, detail: nil, failures: target.consecutiveFailures)
                target.consecutiveFailures = 0
            case .retry(_, let retryAfter, let message):
                fail(target, state: .down, detail: message, floor: retryAfter ?? 0)
            case .unauthorized(let status, let message):
                fail(target, state: .unauthorized,
                     detail: "HTTP \(status): the aggregator refused the token (check --token-file): \(message)",
                     floor: configuration.unauthorizedRetrySeconds)
            case .untrusted(let message):
                let trust = configuration.caFile.map { "--ca-file \($0)" } ?? "the system's CAs (no --ca-file)"
                fail(target, state: .untrusted,
                     detail: "TLS handshake failed: \(message); the aggregator's certificate must be valid for its host and chain to \(trust)",
                     floor: 0)
            case .rejected(let status, let message):
                // This body will never be accepted; the next summary replaces it.
                target.pending = nil
                telemetry.pushFailures += 1
                telemetry.lastError = "push rejected: HTTP \(status) \(message)"
                logger.error("aggregator rejected a summary; dropping it", metadata: [
                    "url": .string(target.pusher.url), "status": .stringConvertible(status), "message": .string(message),
                ])
            }
        }
    }

    private func fail(_ target: PushTarget, state: PeerState, detail: String, floor: Double) {
        telemetry.pushFailures += 1
        telemetry.lastError = detail
        target.consecutiveFailures += 1
        let delay = target.backoff.nextDelay(atLeast: floor)
        target.nextAttempt = clock.now + .milliseconds(Int64(delay * 1000))
        transition(&target.state, to: state, peer: "aggregator", url: target.pusher.url, detail: detail, failures: target.consecutiveFailures)
    }

    // MARK: - State changes, logged once each

    enum PeerState: Equatable { case unknown, up, down, unauthorized, untrusted }

    private func transition(_ state: inout PeerState, to new: PeerState, peer: String, url: String, detail: String?, failures: Int) {
        guard state != new else { return }
        let old = state
        state = new
        switch new {
        case .up:
            if old == .unknown {
                logger.info("\(peer) reachable", metadata: ["url": .string(url)])
            } else {
                logger.notice("\(peer) reachable again", metadata: ["url": .string(url), "failed_attempts": .stringConvertible(failures)])
            }
        case .down:
            logger.warning("\(peer) not reachable; retrying", metadata: ["url": .string(url), "error": .string(detail ?? "")])
        case .unauthorized:
            logger.error("\(peer) refused our credentials; retrying slowly", metadata: ["url": .string(url), "error": .string(detail ?? "")])
        case .untrusted:
            logger.error("\(peer) not trusted: TLS certificate refused; retrying", metadata: ["url": .string(url), "error": .string(detail ?? "")])
        case .unknown:
            break
        }
    }

    // MARK: - Time

    private func sleep(until wake: ContinuousClock.Instant) {
        // Short slices so SIGTERM is noticed within 100 ms; no busy waiting.
        while !stop.isRequested {
            let left = seconds(until: wake)
            guard left > 0 else { return }
            let slice = min(left, 0.1)
            var request = timespec(tv_sec: Int(slice), tv_nsec: Int((slice - Double(Int(slice))) * 1e9))
            var remaining = timespec()
            _ = nanosleep(&request, &remaining)
        }
    }

    private func seconds(until instant: ContinuousClock.Instant) -> Double {
        Self.seconds(instant - clock.now)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    static func randomInstanceID() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for _ in 0..<16 {
            let value = UInt8.random(in: 0...255, using: &generator)
            bytes.append(hex[Int(value >> 4)])
            bytes.append(hex[Int(value & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Footprint

    private var codePagesReleasedAt = 0

    /// After the third scrape (start-up and the first pushes are behind us),
    /// and again every 720 (an hour at 5 s: rare paths such as reconnects
    /// and error logs leave again), the code pages leave the resident set.
    private func releaseCodePagesWhenWarm() {
        guard configuration.releaseCodePages else { return }
        let scrapes = telemetry.scrapes
        guard scrapes != codePagesReleasedAt, scrapes == 3 || (scrapes > 3 && scrapes % 720 == 0) else { return }
        codePagesReleasedAt = scrapes
        let bytes = CodePages.releaseResident()
        logger.debug("code pages released from the resident set", metadata: ["bytes": .stringConvertible(bytes)])
    }

    // MARK: - Health

    private func writeStatus() {
        guard let path = configuration.statusFile else { return }
        let status = AgentStatus(
            heartbeatMilliseconds: WallClock.milliseconds(), lastScrapeOKMilliseconds: telemetry.lastScrapeOK,
            lastPushOKMilliseconds: telemetry.lastPushOK, envoyUp: envoyState == .up,
            pushesFailing: targets.contains { $0.state != .up && $0.state != .unknown }, lastError: telemetry.lastError)
        let failure = status.write(to: path)
        if (failure == nil) != (statusWriteFailure == nil) {
            if let failure {
                logger.error("cannot write the status file; `siskin-agent health` will fail", metadata: ["error": .string(failure)])
            } else {
                logger.notice("status file written again", metadata: ["path": .string(path)])
            }
        }
        statusWriteFailure = failure
    }
}

/// A summary waiting to be pushed to one aggregator.
struct PendingSummary {
    var bytes: [UInt8]
    var sequence: UInt64
}

/// One aggregator: its connection, its newest unsent summary, its backoff.
final class PushTarget {
    let pusher: SummaryPusher
    var backoff: Backoff
    var pending: PendingSummary?
    var nextAttempt = ContinuousClock.now
    var state: AgentLoop.PeerState = .unknown
    var consecutiveFailures = 0

    init(pusher: SummaryPusher, backoff: Backoff) {
        self.pusher = pusher
        self.backoff = backoff
    }
}
