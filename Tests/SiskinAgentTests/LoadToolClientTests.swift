import Foundation
import SiskinAggregation
import SiskinTesting
import Testing

/// `siskin-load`'s two HTTP clients against a stand-in aggregator over
/// loopback: every push the tool counts as accepted arrived, decoded, with
/// the agent's headers; a refusal is counted as one.
@Suite("siskin-load clients")
struct LoadToolClientTests {
    struct Report {
        var accepted: Int
        var pushes: Int
        var rejected: [String: Int]
        var transportErrors: [String: Int]
    }

    func run(_ client: String, against receiver: PushReceiver, extra: [String] = []) throws -> Report {
        let output = try BuiltExecutable.run("siskin-load", [
            "--url", receiver.baseURL, "--client", client, "--pods", "6", "--connections", "2",
            "--max-rounds", "3", "--duration", "30", "--encoders", "1", "--buffer-mb", "8", "--json",
        ] + extra)
        #expect(output.status == 0, "\(output.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout)) as? [String: Any])
        func phase(_ name: String) throws -> [String: Any] { try #require(json[name] as? [String: Any]) }
        let baseline = try phase("baseline"), measured = try phase("run")
        func int(_ phase: [String: Any], _ key: String) -> Int { phase[key] as? Int ?? -1 }
        func counts(_ key: String) -> [String: Int] {
            var total: [String: Int] = [:]
            for p in [baseline, measured] {
                for (k, v) in p[key] as? [String: Int] ?? [:] { total[k, default: 0] += v }
            }
            return total
        }
        return Report(accepted: int(baseline, "accepted") + int(measured, "accepted"),
                      pushes: int(baseline, "pushes") + int(measured, "pushes"),
                      rejected: counts("rejected"), transportErrors: counts("transportErrors"))
    }

    @Test("socket and curl: every accepted push arrived, decoded, with sequence and agent instance",
          arguments: ["socket", "curl"])
    func everyAcceptedPushArrives(client: String) throws {
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        let report = try run(client, against: receiver)
        let pushes = receiver.pushes
        // 6 pods: a baseline push each, then up to 3 more.
        #expect(report.accepted == pushes.count && pushes.count >= 6, "\(report)")
        #expect(report.pushes == report.accepted && report.transportErrors.isEmpty, "\(report)")
        #expect(Set(pushes.map(\.summary.pod)).count == 6)
        for push in pushes {
            #expect(push.summary.seriesCount > 0)
            #expect(push.headers["x-siskin-sequence"].flatMap(UInt64.init) == push.summary.sequence)
            #expect(push.headers["x-siskin-agent-instance"] == push.summary.agentInstance)
        }
        // Over keep-alive connections: at most one per tool connection (and the baseline's).
        #expect(receiver.connectionsAccepted <= 4, "\(receiver.connectionsAccepted) connections")
    }

    @Test("a 401 is counted as a rejection, not a transport error", arguments: ["socket", "curl"])
    func refusalsAreCounted(client: String) throws {
        let receiver = try PushReceiver()
        defer { receiver.stop() }
        receiver.setMode(.unauthorized)
        let output = try BuiltExecutable.run("siskin-load", [
            "--url", receiver.baseURL, "--client", client, "--pods", "2", "--connections", "1",
            "--max-rounds", "1", "--duration", "30", "--encoders", "1", "--buffer-mb", "8",
        ])
        // Nothing accepted: the tool says so and exits non-zero, naming the answer.
        #expect(output.stdoutText.contains("HTTP 401") || output.stderr.contains("HTTP 401"), "\(output.stdoutText)\n\(output.stderr)")
        #expect(receiver.pushes.isEmpty && receiver.attempts.count == 2 + 2)
    }
}
