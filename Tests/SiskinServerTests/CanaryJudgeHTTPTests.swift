import Foundation
import SiskinCanary
import SiskinServer
import SiskinStore
import SiskinTesting
import SiskinWire
import Testing

/// The Flagger webhook, the plain judge endpoint, the history and
/// `siskin canary judge`, over synthetic pushes for three canaries in one
/// namespace: `healthy` (0.5 % 5xx, like its primary), `broken` (4 % 5xx
/// against 0.5 %) and `quiet` (10 requests per 5 s: too little to judge).
@Suite("Canary judge API", .serialized)
struct CanaryJudgeHTTPTests {
    let wireHeaders = [("Content-Type", WireFormat.contentType)]
    let jsonHeaders = [("Content-Type", "application/json")]

    /// A server holding two minutes of traffic that ends at `end` (ms, on a
    /// 5 s boundary), one push per pod every 5 s.
    func serverWithTraffic() async throws -> (server: RunningServer, end: Int64) {
        let server = try await RunningServer.start()
        let end = (ServerClock.nowMilliseconds() / 5_000) * 5_000
        // (pod, requests per 5 s, 5xx per 5 s on even steps, on odd steps)
        var plan: [(pod: SimulatedPod, requests: UInt64, errorsEven: UInt64, errorsOdd: UInt64)] = []
        for name in ["healthy", "broken", "quiet"] {
            for suffix in ["aaaaa", "bbbbb"] {
                // Primaries: 40 req/s per pod, 0.5 % 5xx.
                plan.append((SimulatedPod(pod: "\(name)-primary-7d9c8b6f5d-\(suffix)", workload: "\(name)-primary",
                                          revision: "v1"), 200, 1, 1))
            }
        }
        plan.append((SimulatedPod(pod: "healthy-5f6d7c8b9a-ccccc", workload: "healthy", revision: "v2"), 100, 1, 0))
        plan.append((SimulatedPod(pod: "broken-5f6d7c8b9a-ccccc", workload: "broken", revision: "v2"), 100, 4, 4))
        plan.append((SimulatedPod(pod: "quiet-5f6d7c8b9a-ccccc", workload: "quiet", revision: "v2"), 10, 0, 0))
        // The judge's window ends at the wall clock, so the feed must be
        // quick: the pods push side by side (each its own pushes in order),
        // not one after another, which on a loaded machine took long enough
        // for the last minute to slide past the data.
        let url = server.baseURL + WireFormat.ingestPath
        let headers = wireHeaders
        try await withThrowingTaskGroup(of: Void.self) { group in
            for entry in plan {
                group.addTask {
                    var pod = entry.pod
                    for step in 0...24 {
                        let t = end - 120_000 + Int64(step) * 5_000
                        if step > 0 {
                            let errors = step % 2 == 0 ? entry.errorsEven : entry.errorsOdd
                            Self.serve(&pod, ok: entry.requests - errors, errors: errors)
                        }
                        let reply = try await TestHTTP.post(url, body: try pod.body(at: t), headers: headers)
                        #expect(reply.status == 202)
                    }
                }
            }
            try await group.waitForAll()
        }
        return (server, end)
    }

    /// Successful requests spread 6 : 3 : 1 over 20, 40 and 200 ms (the same
    /// shape on every side); 5xx answer in 20 ms.
    static func serve(_ pod: inout SimulatedPod, ok: UInt64, errors: UInt64) {
        let fast = ok * 6 / 10, medium = ok * 3 / 10
        pod.serve(fast, milliseconds: 20)
        pod.serve(medium, milliseconds: 40)
        pod.serve(ok - fast - medium, milliseconds: 200)
        if errors > 0 { pod.serve(errors, code: "503", milliseconds: 20) }
    }

    func webhook(_ server: RunningServer, _ payload: String) async throws -> TestHTTP.Reply {
        try await TestHTTP.post(server.baseURL + "/api/v1/siskin/flagger/judge", body: Array(payload.utf8),
                                headers: jsonHeaders)
    }

    func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTP.Reply) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: Data(reply.bytes))
    }

    @Test("a healthy canary passes: 200 with the judgement")
    func healthyPasses() async throws {
        let (server, _) = try await serverWithTraffic()
        let reply = try await webhook(server, """
            {"name": "healthy", "namespace": "test", "phase": "Progressing", "checksum": "6d5f7c9b8",
             "metadata": {"window": "1m"}}
            """)
        #expect(reply.status == 200, "\(reply.body)")
        let judgement = try decode(CanaryJudgement.self, reply)
        #expect(judgement.verdict.outcome == .pass)
        #expect(judgement.verdict.score == 100)
        #expect(judgement.canary == "healthy")
        #expect(judgement.primary == "healthy-primary")
        #expect(judgement.windowSeconds == 60)
        // The window ends now; the store covers it up to the last push.
        #expect(judgement.verdict.canary.requests > 500)
        #expect(judgement.verdict.primary.requests > 4 * 500)

        // Flagger's older payloads carry no phase, checksum or metadata.
        let minimal = try await webhook(server, #"{"name": "healthy", "namespace": "test"}"#)
        #expect(minimal.status == 200, "\(minimal.body)")
        await server.stop()
    }

    @Test("4 % 5xx against 0.5 % fails: 412, the body's first line names errors")
    func errorsFail() async throws {
        let (server, _) = try await serverWithTraffic()
        let reply = try await webhook(server, """
            {"name": "broken", "namespace": "test", "phase": "Progressing", "checksum": "1a2b3c",
             "metadata": {"window": "1m"}}
            """)
        #expect(reply.status == 412)
        #expect(reply.status > 202)
        let lines = reply.body.split(separator: "\n", omittingEmptySubsequences: false)
        let first = String(lines.first ?? "")
        #expect(first.hasPrefix("siskin canary test/broken vs broken-primary (1m): fail (score 0): critical errors failed"),
                "\(first)")
        #expect(first.contains("5xx 4.00 %"))
        #expect(lines.count > 2 && lines[1].isEmpty)
        #expect(reply.body.contains("Canary verdict: FAIL"))
        #expect(reply.body.contains("errors: FAIL (critical)"))
        await server.stop()
    }

    @Test("too little traffic is inconclusive, and inconclusive does not pass")
    func quietIsInconclusive() async throws {
        let (server, _) = try await serverWithTraffic()
        let reply = try await webhook(server, #"{"name": "quiet", "namespace": "test", "phase": "Progressing"}"#)
        #expect(reply.status == 412)
        #expect(reply.body.hasPrefix("siskin canary test/quiet vs quiet-primary (1m): inconclusive"), "\(reply.body)")
        #expect(reply.body.contains("Canary verdict: INCONCLUSIVE"))

        // Lowering the minimum through the metadata decides it.
        let lowered = try await webhook(server, """
            {"name": "quiet", "namespace": "test", "metadata": {"minimumRequests": "10", "maxErrorPercent": "off"}}
            """)
        #expect(lowered.status == 200, "\(lowered.body)")
        let judgement = try decode(CanaryJudgement.self, lowered)
        #expect(judgement.configuration.errors.minimumRequests == 10)
        #expect(judgement.configuration.slo.maxErrorPercent == nil)
        await server.stop()
    }

    @Test("metadata chooses workloads, window and settings")
    func metadataOverrides() async throws {
        let (server, end) = try await serverWithTraffic()
        // The Canary resource is named differently from its workloads.
        let reply = try await webhook(server, """
            {"name": "podinfo", "namespace": "flagger-system", "phase": "Progressing",
             "metadata": {"namespace": "test", "canary": "broken", "primary": "healthy-primary", "window": "30s",
                          "time": "\(Double(end) / 1000)",
                          "config": "{\\"errors\\": {\\"allowedIncrease\\": 5}}"}}
            """)
        // 4 % against 0.5 % is within 5 points, and within the 5 % gate.
        #expect(reply.status == 200, "\(reply.body)")
        let judgement = try decode(CanaryJudgement.self, reply)
        #expect(judgement.canary == "broken")
        #expect(judgement.primary == "healthy-primary")
        #expect(judgement.windowSeconds == 30)
        #expect(judgement.verdict.canary.requests == 600)
        #expect(judgement.configuration.errors.allowedIncrease == 5)

        // A single setting overrides the same one in `config`.
        let strict = try await webhook(server, """
            {"name": "broken", "namespace": "test",
             "metadata": {"config": "{\\"slo\\": {\\"maxErrorPercent\\": 50}}", "maxErrorPercent": "2",
                          "errorAllowedIncrease": "10"}}
            """)
        #expect(strict.status == 412)
        #expect(strict.body.split(separator: "\n").first?.contains("critical slo.errorRate failed") == true, "\(strict.body)")
        await server.stop()
    }

    @Test("bad payloads get 400 with a reason")
    func badPayloads() async throws {
        let server = try await RunningServer.start()
        let malformed = try await webhook(server, #"{"name": "podinfo", "namespace": "#)
        #expect(malformed.status == 400)
        #expect(malformed.body.hasPrefix("invalid Flagger webhook payload"), "\(malformed.body)")

        let empty = try await webhook(server, "")
        #expect(empty.status == 400)

        let noName = try await webhook(server, #"{"namespace": "test"}"#)
        #expect(noName.status == 400)
        #expect(noName.body.contains("name"), "\(noName.body)")

        let numbers = try await webhook(server, #"{"name": "p", "namespace": "test", "metadata": {"window": 60}}"#)
        #expect(numbers.status == 400, "\(numbers.body)")

        let unknown = try await webhook(server, #"{"name": "p", "namespace": "test", "metadata": {"maxErrorPercentage": "1"}}"#)
        #expect(unknown.status == 400)
        #expect(unknown.body.contains("'maxErrorPercentage'"), "\(unknown.body)")

        let window = try await webhook(server, #"{"name": "p", "namespace": "test", "metadata": {"window": "soon"}}"#)
        #expect(window.status == 400)
        #expect(window.body.contains("window"))

        let config = try await webhook(server, #"{"name": "p", "namespace": "test", "metadata": {"config": "{\"errors\": 3}"}}"#)
        #expect(config.status == 400)
        #expect(config.body.contains("config"), "\(config.body)")

        let invalid = try await webhook(server, #"{"name": "p", "namespace": "test", "metadata": {"alpha": "0.9"}}"#)
        #expect(invalid.status == 400)
        #expect(invalid.body.contains("alpha must be in (0, 0.5]"), "\(invalid.body)")

        let missing = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/canary/judge?namespace=test")
        #expect(missing.status == 400)
        #expect(missing.body.contains("canary"))
        await server.stop()
    }

    @Test("the plain judge endpoint reads exactly the window's traffic, and every call is in the history")
    func judgeEndpointAndHistory() async throws {
        let (server, end) = try await serverWithTraffic()
        let time = Double(end) / 1000
        let reply = try await TestHTTP.get(server.baseURL
            + "/api/v1/siskin/canary/judge?namespace=test&canary=healthy&window=1m&time=\(time)")
        #expect(reply.status == 200, "\(reply.body)")
        let judgement = try decode(CanaryJudgement.self, reply)
        // 12 pushes of 5 s in (end − 60 s, end]; the canary errs on every other one.
        #expect(judgement.coveredFrom == end - 60_000)
        #expect(judgement.coveredTo == end)
        #expect(judgement.verdict.canary.requests == 1200)
        #expect(judgement.verdict.canary.errors == 6)
        #expect(judgement.verdict.canary.observations == 1200)
        #expect(judgement.verdict.primary.requests == 4800)
        #expect(judgement.verdict.primary.errors == 24)
        #expect(judgement.verdict.primary.observations == 4800)
        #expect(judgement.verdict.canary.p50Milliseconds == judgement.verdict.primary.p50Milliseconds)
        #expect(judgement.verdict.outcome == .pass)
        // The library call behind it gives the same verdict.
        let direct = server.database.read {
            CanaryJudge.judge(namespace: "test", canary: "healthy", primary: "healthy-primary", window: 60_000, at: end,
                              store: $0, now: ServerClock.nowMilliseconds())
        }
        #expect(direct == judgement.verdict)

        // A failing verdict is still a 200 here: this endpoint answers, it does not gate.
        let broken = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/canary/judge?namespace=test&canary=broken")
        #expect(broken.status == 200)
        #expect(try decode(CanaryJudgement.self, broken).verdict.outcome == .fail)

        _ = try await webhook(server, #"{"name": "broken", "namespace": "test", "phase": "Progressing", "checksum": "c1"}"#)
        _ = try await webhook(server, #"{"name": "healthy", "namespace": "test", "phase": "Progressing"}"#)

        let history = try decode(CanaryHistoryReport.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/canary/history?namespace=test&canary=broken"))
        #expect(history.canaries.map(\.canary) == ["broken"])
        let entries = history.canaries.first?.entries ?? []
        #expect(entries.map(\.source) == ["api", "flagger"])
        #expect(entries.map(\.status) == [200, 412])
        #expect(entries.last?.flagger?.phase == "Progressing")
        #expect(entries.last?.flagger?.checksum == "c1")
        #expect(entries.allSatisfy { $0.judgement.verdict.outcome == .fail })

        let all = try decode(CanaryHistoryReport.self, try await TestHTTP.get(server.baseURL + "/api/v1/siskin/canary/history"))
        #expect(all.canaries.map(\.canary) == ["broken", "healthy"])
        #expect(all.canaries.map(\.entries.count) == [2, 2])
        await server.stop()
    }

    @Test("the history keeps the last entries per canary and the most recently judged canaries")
    func historyIsBounded() {
        let history = CanaryHistory(perCanary: 3, canaries: 2)
        func entry(_ canary: String, at seconds: Double) -> CanaryHistoryEntry {
            let window = CanaryWindow(namespace: "test", canary: canary, primary: canary + "-primary",
                                      at: Int64(seconds * 1000))
            let empty = TrafficSample(requests: 0, errors: 0, latency: [])
            let samples = CanarySamples(canary: empty, primary: empty, level: .pod, coveredFrom: nil, coveredTo: nil)
            let judge = CanaryJudge()
            return CanaryHistoryEntry(
                judgedAt: seconds, source: "api", flagger: nil, status: 200,
                judgement: CanaryJudgement(window: window, samples: samples, configuration: judge.configuration,
                                           verdict: judge.judge(canary: empty, primary: empty)))
        }
        for i in 0..<5 { history.record(entry("a", at: Double(i))) }
        history.record(entry("b", at: 10))
        #expect(history.snapshot(canary: "a").canaries.first?.entries.map(\.judgedAt) == [2, 3, 4])
        // A third canary evicts the one judged least recently (a), not the one with the fewest entries.
        history.record(entry("a", at: 11))
        history.record(entry("c", at: 12))
        #expect(history.snapshot().canaries.map(\.canary) == ["a", "c"])
        #expect(history.snapshot(namespace: "other").canaries.isEmpty)
    }

    @Test("siskin canary judge prints the report and exits 0 pass, 1 fail, 2 inconclusive, 3 without a verdict")
    func commandLine() async throws {
        let (server, end) = try await serverWithTraffic()
        let base = server.baseURL
        // At the last push, so a slow machine cannot let the window slide past the data.
        let time = "\(Double(end) / 1000)"
        func judge(_ canary: String, _ extra: [String] = []) async throws -> BuiltExecutable.Output {
            try await TestHTTP.offPool {
                try BuiltExecutable.run("siskin", ["canary", "judge", "--server", base, "--namespace", "test",
                                                   "--canary", canary, "--window", "1m", "--time", time] + extra)
            }
        }
        let pass = try await judge("healthy", ["--primary", "healthy-primary"])
        #expect(pass.status == 0, "\(pass.stderr)\(pass.stdoutText)")
        #expect(pass.stdoutText.hasPrefix("test: canary healthy against primary healthy-primary, reporter destination, 1m window"),
                "\(pass.stdoutText)")
        #expect(pass.stdoutText.contains("Canary verdict: PASS"))

        let fail = try await judge("broken")
        #expect(fail.status == 1, "\(fail.stderr)")
        #expect(fail.stdoutText.contains("Canary verdict: FAIL"))
        #expect(fail.stdoutText.contains("errors: FAIL (critical)"))

        let quiet = try await judge("quiet")
        #expect(quiet.status == 2, "\(quiet.stderr)")
        #expect(quiet.stdoutText.contains("Canary verdict: INCONCLUSIVE"))

        let json = try await judge("broken", ["--json"])
        #expect(json.status == 1)
        let decoded = try JSONDecoder().decode(CanaryJudgement.self, from: Data(json.stdout))
        #expect(decoded.verdict.outcome == .fail)

        // A configuration file: a 5-point allowance passes the broken canary.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("siskin-judge-\(UUID().uuidString).json")
        try Data(#"{"errors": {"allowedIncrease": 5}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configured = try await judge("broken", ["--config", file.path])
        #expect(configured.status == 0, "\(configured.stderr)\(configured.stdoutText)")

        let badFile = file.deletingLastPathComponent().appendingPathComponent("siskin-judge-\(UUID().uuidString).json")
        try Data(#"{"errors": {"alpha": 2}}"#.utf8).write(to: badFile)
        defer { try? FileManager.default.removeItem(at: badFile) }
        let rejected = try await judge("broken", ["--config", badFile.path])
        #expect(rejected.status == 3)
        #expect(rejected.stderr.contains("alpha"), "\(rejected.stderr)")

        let badWindow = try await judge("broken", ["--window", "soon"])
        #expect(badWindow.status == 3)
        #expect(badWindow.stderr.contains("window"), "\(badWindow.stderr)")

        let unreachable = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["canary", "judge", "--server", "http://127.0.0.1:1", "--namespace", "test",
                                               "--canary", "healthy"])
        }
        #expect(unreachable.status == 3)
        await server.stop()
    }
}
