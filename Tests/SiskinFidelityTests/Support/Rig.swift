import Foundation
import SiskinSimulator
import SiskinTesting

/// Where the real Prometheus is, and whether its absence may skip the suite.
enum FidelityEnvironment {
    /// Debian's `prometheus` package (installed by `.ci/run`).
    static let prometheusPath = "/usr/bin/prometheus"

    static var prometheusInstalled: Bool { FileManager.default.isExecutableFile(atPath: prometheusPath) }

    /// Under CI a missing Prometheus is a failure, not a skip.
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// `SISKIN_FIDELITY_VERBOSE=1` prints the comparison tables even when everything passes.
    static var verbose: Bool { ProcessInfo.processInfo.environment["SISKIN_FIDELITY_VERBOSE"] == "1" }
}

struct RigFailure: Error, CustomStringConvertible {
    var description: String
}


/// Sleeps until the wall clock reaches `date` (no-op if it has passed).
func sleep(until date: Date) async throws {
    let seconds = date.timeIntervalSinceNow
    if seconds > 0 { try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
}

enum PrometheusRig {
    /// A `prometheus.yml` scraping every endpoint each second, as the Istio/Prometheus
    /// integration's `kubernetes-pods` job does: Envoy's merged metrics path, Kubernetes
    /// service-discovery metadata turned into `namespace` and `pod` labels by relabelling.
    /// Static targets stand in for the discovery, carrying the same `__meta_kubernetes_*`
    /// labels it would (dropped after relabelling, like every `__` label). Prometheus adds
    /// `job` and `instance` to every series; the series comparison ignores them.
    static func configuration(for endpoints: [FakeMesh.Endpoint]) -> String {
        var yaml = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1m
            scrape_configs:
              - job_name: kubernetes-pods
                honor_labels: true
                metrics_path: /stats/prometheus
                relabel_configs:
                  - action: replace
                    source_labels: [__meta_kubernetes_namespace]
                    target_label: namespace
                  - action: replace
                    source_labels: [__meta_kubernetes_pod_name]
                    target_label: pod
                static_configs:

            """
        for endpoint in endpoints {
            yaml += """
                      - targets: ['\(endpoint.address)']
                        labels:
                          __meta_kubernetes_namespace: '\(endpoint.namespace)'
                          __meta_kubernetes_pod_name: '\(endpoint.pod)'

                """
        }
        return yaml
    }

    /// Starts Prometheus on a free loopback port and waits for `/-/ready`; retries with
    /// another port if the one picked was taken in between.
    static func start(endpoints: [FakeMesh.Endpoint], directory: String, children: ChildProcesses) async throws -> PromServer {
        try await start(configuration: configuration(for: endpoints), name: "prometheus", directory: directory, children: children)
    }

    /// Prometheus scraping nothing, receiving remote write on `/api/v1/write`. With `port`
    /// and `storagePath`, a receiver started again where a stopped one was (same URL, same
    /// TSDB, which it replays).
    static func startReceiver(
        directory: String, children: ChildProcesses, port: Int? = nil, storagePath: String? = nil
    ) async throws -> PromServer {
        try await start(
            configuration: "global:\n  evaluation_interval: 1m\n", name: "prometheus-receiver", directory: directory,
            children: children, extraArguments: ["--web.enable-remote-write-receiver"], port: port, storagePath: storagePath)
    }

    static func start(
        configuration: String, name: String, directory: String, children: ChildProcesses, extraArguments: [String] = [],
        port fixedPort: Int? = nil, storagePath: String? = nil
    ) async throws -> PromServer {
        let configPath = directory + "/\(name).yml"
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        var lastLog = ""
        for attempt in 1...(fixedPort == nil ? 3 : 1) {
            let port = try fixedPort ?? freeLoopbackPort()
            let storage = storagePath ?? "\(directory)/\(name)-tsdb-\(attempt)"
            let child = try ChildProcess(
                name: name, executable: FidelityEnvironment.prometheusPath,
                arguments: [
                    "--config.file=\(configPath)", "--storage.tsdb.path=\(storage)",
                    "--web.listen-address=127.0.0.1:\(port)", "--log.level=info",
                ] + extraArguments,
                logPrefix: directory + "/\(name)-\(attempt)")
            children.add(child)
            let server = PromServer(name: "prometheus", baseURL: "http://127.0.0.1:\(port)", storagePath: storage)
            let ready = await waitUntilAsync(timeout: 30) {
                guard child.isRunning else { return true }
                return (try? await LoopbackHTTP.get(server.baseURL + "/-/ready", timeout: 2))?.status == 200
            }
            if ready && child.isRunning, await isOurs(server, storagePath: storage) { return server }
            lastLog = child.logTail(40)
            children.discard(child)
            if !lastLog.contains("address already in use") { break }
        }
        throw RigFailure(description: "\(name) did not become ready:\n\(lastLog)")
    }
}

extension PrometheusRig {
    /// Whether the Prometheus answering on `server` is the one started with `storagePath`
    /// (and not another run's that holds the port ours could not bind).
    static func isOurs(_ server: PromServer, storagePath: String) async -> Bool {
        guard let reply = try? await LoopbackHTTP.get(server.baseURL + "/api/v1/status/flags", timeout: 2),
            let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let flags = object["data"] as? [String: Any]
        else { return false }
        return flags["storage.tsdb.path"] as? String == storagePath
    }
}

enum SiskinRig {
    /// `siskin serve` on an ephemeral loopback port with 1 s slots (the agents' interval);
    /// returns once it logged its port and `/readyz` answers 200.
    /// A bearer token of this run, in `<directory>/token`: only this run's agents can push
    /// to this run's server, even with other runs of the suite on the machine.
    static func writeToken(directory: String) throws -> String {
        let path = directory + "/token"
        try (UUID().uuidString + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func startServer(
        directory: String, tokenFile: String, children: ChildProcesses, name: String = "siskin", port: Int = 0,
        extraArguments: [String] = []
    ) async throws -> PromServer {
        let child = try ChildProcess(
            name: "\(name) serve", executable: BuiltExecutable.productsDirectory + "/siskin",
            arguments: [
                "serve", "--listen", "127.0.0.1:\(port)", "--data-dir", directory + "/\(name)-data", "--slot", "1s",
                "--token-file", tokenFile,
            ] + extraArguments,
            logPrefix: directory + "/\(name)")
        children.add(child)
        var port: Int?
        _ = await waitUntilAsync(timeout: 30) {
            port = listeningPort(in: child.log)
            return port != nil || !child.isRunning
        }
        guard let port else { throw RigFailure(description: "siskin serve did not start:\n\(child.logTail(40))") }
        let server = PromServer(name: name, baseURL: "http://127.0.0.1:\(port)")
        let ready = await waitUntilAsync(timeout: 30) {
            (try? await LoopbackHTTP.get(server.baseURL + "/readyz", timeout: 2))?.status == 200
        }
        guard ready else { throw RigFailure(description: "siskin serve not ready:\n\(child.logTail(40))") }
        return server
    }

    /// The port in `siskin serve`'s `listening address=127.0.0.1:PORT` log line.
    static func listeningPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("listening") && $0.contains("address=") }),
            let range = line.range(of: "address=127.0.0.1:")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// One `siskin-agent run` per pod, scraping its fake Envoy and pushing every second.
    static func startAgents(
        for endpoints: [FakeMesh.Endpoint], server: PromServer, tokenFile: String, directory: String,
        children: ChildProcesses, alsoPushingTo others: [PromServer] = []
    ) throws {
        for (index, endpoint) in endpoints.enumerated() {
            children.add(try ChildProcess(
                name: "siskin-agent \(endpoint.pod)", executable: BuiltExecutable.productsDirectory + "/siskin-agent",
                arguments: [
                    "run", "--interval", "1s", "--scrape-url", endpoint.scrapeURL, "--push-url", server.baseURL,
                ] + others.flatMap { ["--push-url", $0.baseURL] } + [
                    "--pod", endpoint.pod, "--namespace", endpoint.namespace, "--token-file", tokenFile,
                    "--status-file", directory + "/agent-\(index).status",
                ],
                logPrefix: directory + "/agent-\(index)"))
        }
    }

    /// Pods `siskin serve` has a push from (`/api/v1/siskin/workloads`).
    static func knownPods(_ server: PromServer) async -> Set<String> {
        Set(await pushAges(server).keys)
    }

    /// Seconds since each pod's last accepted push (`/api/v1/siskin/workloads`); a
    /// restarted server knows its pods from its data, so "known" is not "heard from".
    static func pushAges(_ server: PromServer) async -> [String: Double] {
        guard let reply = try? await LoopbackHTTP.get(server.baseURL + "/api/v1/siskin/workloads", timeout: 2),
            reply.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let pods = object["pods"] as? [[String: Any]]
        else { return [:] }
        var ages: [String: Double] = [:]
        for pod in pods {
            if let name = pod["pod"] as? String, let age = (pod["lastPushAgeSeconds"] as? NSNumber)?.doubleValue { ages[name] = age }
        }
        return ages
    }

    /// Siskin's native answer for one workload (`/api/v1/siskin/workload`).
    struct NativeReport {
        var requestRate: Double
        var successRate: Double?
        var p99: Double?
    }

    static func nativeReport(_ server: PromServer, namespace: String, workload: String, window: String, at time: Double) async throws -> NativeReport {
        let url = server.baseURL + "/api/v1/siskin/workload?" + LoopbackHTTP.formEncoded([
            ("namespace", namespace), ("workload", workload), ("window", window), ("time", PromServer.format(time)),
        ])
        let reply = try await LoopbackHTTP.get(url)
        guard reply.status == 200, let object = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any] else {
            throw RigFailure(description: "native query answered \(reply.status): \(reply.text.prefix(300))")
        }
        func number(_ value: Any?) -> Double? {
            if let number = value as? NSNumber { return number.doubleValue }
            return (value as? String).flatMap(PromAnswer.number)
        }
        let latency = object["latencyMilliseconds"] as? [String: Any]
        return NativeReport(
            requestRate: number(object["requestRate"]) ?? .nan, successRate: number(object["successRate"]),
            p99: number(latency?["p99"]))
    }
}
