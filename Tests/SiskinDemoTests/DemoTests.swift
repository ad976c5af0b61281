import Foundation
import SiskinCanary
import SiskinDemo
import SiskinSync
import SiskinTesting
import Synchronization
import Testing

/// `siskin demo` end to end: in-process `siskin serve`, fake Envoys, real agents
/// over loopback, Flagger's checks and Siskin's judge over HTTP. The embedded
/// defaults, with only the traffic's behaviour changed by the scenario.
@Suite struct DemoTests {
    /// Lines the live view printed.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.locked { $0.append(line) } }
        var text: String { lines.locked { $0.joined(separator: "\n") } }
    }

    func run(_ scenario: DemoScenario.Name) async throws -> (DemoResult, String, Double) {
        let lines = Lines()
        let started = Date()
        let result = try await Demo.run(DemoOptions(scenario: scenario)) { lines.append($0) }
        return (result, lines.text, Date().timeIntervalSince(started))
    }

    @Test(.scaledTimeLimit(minutes: 2))
    func healthyCanaryIsPromoted() async throws {
        let (result, text, seconds) = try await run(.healthy)
        #expect(result.outcome == .promoted, "\(text)")
        #expect(result.peakWeight == 50)
        #expect(result.analyses.count == RolloutPlan().analysesToPromotion + result.failedChecks)
        // Every analysis saw both sides' traffic through the Prometheus API.
        for report in result.analyses {
            #expect(report.primary.requestsPerSecond != nil && report.canary.requestsPerSecond != nil, "\(text)")
        }
        // The last analysis ran at 50 %: the canary gets about half of 2,000 req/s.
        let last = try #require(result.analyses.last)
        let canaryRate = try #require(last.canary.requestsPerSecond)
        #expect(abs(canaryRate - 1_000) < 150, "canary rate \(canaryRate) at 50 %")
        #expect(last.judge?.outcome == .pass)
        #expect(text.contains("PROMOTED"))
        #expect(seconds < RolloutPlan().intervalSeconds * 12, "took \(seconds)s")
    }

    @Test(.scaledTimeLimit(minutes: 2))
    func canaryFailingRequestsIsRolledBack() async throws {
        let (result, text, seconds) = try await run(.errors)
        #expect(result.outcome == .rolledBack, "\(text)")
        #expect(result.peakWeight == 10, "\(text)")
        #expect(result.failedChecks == RolloutPlan().threshold)
        // Both Flagger's builtin check and Siskin's judge see it.
        #expect(result.reasons.contains { $0.hasPrefix("request-success-rate") }, "\(result.reasons)")
        #expect(result.reasons.contains { $0.hasPrefix("judge fail") && $0.contains("errors") }, "\(result.reasons)")
        for report in result.analyses {
            let canary = try #require(report.canary.successRate)
            let primary = try #require(report.primary.successRate)
            #expect(abs(canary - 96) < 1.5 && abs(primary - 99.5) < 0.5, "canary \(canary) %, primary \(primary) %")
        }
        #expect(text.contains("ROLLED BACK"))
        #expect(seconds < RolloutPlan().intervalSeconds * 8, "took \(seconds)s")
    }

    @Test(.scaledTimeLimit(minutes: 2))
    func slowCanaryIsRolledBack() async throws {
        let (result, text, seconds) = try await run(.slow)
        #expect(result.outcome == .rolledBack, "\(text)")
        #expect(result.peakWeight == 10, "\(text)")
        #expect(result.reasons.contains { $0.hasPrefix("judge fail") && $0.contains("latency") }, "\(result.reasons)")
        for report in result.analyses {
            let canary = try #require(report.canary.p99Milliseconds)
            let primary = try #require(report.primary.p99Milliseconds)
            #expect(canary > 2 * primary, "canary p99 \(canary) ms, primary \(primary) ms")
        }
        #expect(seconds < RolloutPlan().intervalSeconds * 8, "took \(seconds)s")
    }

    @Test(.scaledTimeLimit(minutes: 1))
    func interruptionRollsBackAndRemovesTheTemporaryData() async throws {
        var options = DemoOptions()
        let deadline = Date().addingTimeInterval(4)
        options.interrupted = { Date() > deadline }
        let lines = Lines()
        let result = try await Demo.run(options) { lines.append($0) }
        #expect(result.interrupted)
        #expect(result.outcome == .rolledBack)
        #expect(lines.text.contains("INTERRUPTED"))
        let serveLine = try #require(lines.lines.locked { $0.first { $0.contains("data in ") } })
        let directory = try #require(serveLine.split(separator: "data in ").last?.split(separator: ",").first)
        #expect(!FileManager.default.fileExists(atPath: String(directory)), "\(directory) left behind")
    }

    @Test func optionsThatCannotRunAreRefusedBeforeAnythingStarts() async {
        var options = DemoOptions()
        options.agentIntervalSeconds = 4
        await #expect(throws: Demo.Failure.self) {
            _ = try await Demo.run(options) { _ in }
        }
    }
}
