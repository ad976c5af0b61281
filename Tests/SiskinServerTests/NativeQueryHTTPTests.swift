import Foundation
import SiskinQuery
import SiskinServer
import SiskinStore
import SiskinTesting
import SiskinWire
import Testing

/// The native query API and `siskin query`, fed synthetic pushes whose
/// answer is known.
@Suite("Native query API", .serialized)
struct NativeQueryHTTPTests {
    let headers = [("Content-Type", WireFormat.contentType)]

    func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTP.Reply) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: Data(reply.bytes))
    }

    @Test("request rate, success rate, quantiles and per-pod rates equal the pushed traffic")
    func workloadAnswer() async throws {
        let server = try await RunningServer.start()
        let end = (ServerClock.nowMilliseconds() / 5_000) * 5_000
        var pods = [
            SimulatedPod(pod: "podinfo-primary-7d9c8b6f5d-aaaaa", workload: "podinfo-primary", revision: "v1"),
            SimulatedPod(pod: "podinfo-primary-7d9c8b6f5d-bbbbb", workload: "podinfo-primary", revision: "v1"),
            SimulatedPod(pod: "podinfo-canary-5f6d7c8b9a-ccccc", workload: "podinfo-canary", revision: "v2"),
        ]
        for step in 0...24 {
            let t = end - 120_000 + Int64(step) * 5_000
            for i in pods.indices {
                if step > 0 {
                    if i < 2 {
                        // 10 req/s: 49 ok and 1 error per 5 s, all 20 ms.
                        pods[i].serve(49, milliseconds: 20)
                        pods[i].serve(1, code: "503", milliseconds: 20)
                    } else {
                        // 5 req/s: 20 ok and 5 errors per 5 s, all 400 ms.
                        pods[i].serve(20, milliseconds: 400)
                        pods[i].serve(5, code: "503", milliseconds: 400)
                    }
                }
                let reply = try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: try pods[i].body(at: t), headers: headers)
                #expect(reply.status == 202)
            }
        }
        let primary = try decode(WorkloadReport.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=podinfo-primary&window=1m&time=\(Double(end) / 1000)"))
        #expect(primary.requestRate == 20)
        #expect(primary.requests == 1200)
        #expect(primary.successRate == 0.98)
        // Every observation is in the (10, 25] bucket: p50 interpolates to its middle.
        #expect(primary.latencyMilliseconds?.p50 == 17.5)
        #expect(abs((primary.latencyMilliseconds?.p99 ?? 0) - (10 + 15 * 0.99)) < 1e-9)
        #expect(primary.pods.map(\.pod) == ["podinfo-primary-7d9c8b6f5d-aaaaa", "podinfo-primary-7d9c8b6f5d-bbbbb"])
        #expect(primary.pods.map(\.requestRate) == [10, 10])
        #expect(primary.pods.map(\.errorRate) == [0.02, 0.02])

        let canary = try decode(WorkloadReport.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=podinfo-canary&revision=v2&window=30s&time=\(Double(end) / 1000)"))
        #expect(canary.requestRate == 5)
        #expect(canary.successRate == 0.8)
        #expect(abs((canary.latencyMilliseconds?.p99 ?? 0) - (250 + 250 * 0.99)) < 1e-9)

        let nothing = try decode(WorkloadReport.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=podinfo-primary&revision=v9&time=\(Double(end) / 1000)"))
        #expect(nothing.requestRate == 0)
        #expect(nothing.successRate == nil)
        #expect(nothing.latencyMilliseconds == nil)

        let inventory = try decode(Inventory.self, try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workloads"))
        #expect(inventory.workloads.map(\.workload) == ["podinfo-canary", "podinfo-primary"])
        #expect(inventory.workloads.map(\.revisions) == [["v2"], ["v1"]])
        #expect(inventory.pods.count == 3)

        // `siskin query` prints the same numbers as a table.
        let base = server.baseURL
        let cli = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", [
                "query", "workload", "--server", base, "--namespace", "test", "--workload", "podinfo-primary",
            ])
        }
        #expect(cli.status == 0, "\(cli.stderr)\(cli.stdoutText)")
        #expect(cli.stdoutText.contains("success rate"))
        #expect(cli.stdoutText.contains("podinfo-primary-7d9c8b6f5d-aaaaa"))
        let listing = try await TestHTTP.offPool { try BuiltExecutable.run("siskin", ["query", "workloads", "--server", base, "--pods"]) }
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdoutText.contains("podinfo-canary"))
        await server.stop()
    }

    @Test("bad parameters get 400 with a reason")
    func badParameters() async throws {
        let server = try await RunningServer.start()
        let missing = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload?namespace=test")
        #expect(missing.status == 400)
        #expect(missing.body.contains("workload"))
        let window = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=w&window=soon")
        #expect(window.status == 400)
        #expect(window.body.contains("window"))
        let reporter = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload?namespace=test&workload=w&reporter=mesh")
        #expect(reporter.status == 400)
        await server.stop()
    }
}
