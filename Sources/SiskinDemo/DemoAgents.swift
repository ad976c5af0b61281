import Foundation
import Logging
import SiskinAgent
import SiskinAggregation
import Synchronization

/// One real `siskin-agent` loop per simulated pod, each on its own thread as
/// the sidecar process would run it: libcurl scrapes of the pod's fake Envoy,
/// libcurl pushes to the in-process `siskin serve`.
final class DemoAgents: Sendable {
    private let stops: [StopHandle]
    private let finished = Finished()
    let count: Int

    /// Agents whose loop has returned.
    private final class Finished: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Starts an agent per configuration.
    init(_ configurations: [AgentConfiguration], logLevel: Logger.Level) {
        let stops = configurations.map { _ in StopHandle() }
        self.stops = stops
        self.count = configurations.count
        let finished = self.finished
        for (configuration, stop) in zip(configurations, stops) {
            let thread = Thread {
                var logger = Logger(label: "siskin-agent[\(configuration.pod)]")
                logger.logLevel = logLevel
                do {
                    let loop = try AgentLoop(configuration: configuration, logger: logger, stop: stop)
                    loop.run()
                } catch {
                    logger.error("agent did not start", metadata: ["error": "\(error)"])
                }
                finished.count.add(1, ordering: .releasing)
            }
            thread.name = "agent-\(configuration.pod)"
            thread.start()
        }
    }

    /// Asks every agent to stop (each does a final scrape and push) and waits
    /// up to `timeout` seconds for them.
    func stop(timeout: Double) {
        for stop in stops { stop.request() }
        let deadline = Date().addingTimeInterval(timeout)
        while finished.count.load(ordering: .acquiring) < count, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The configuration an agent of the demo runs with: the real defaults
    /// (default rules, keep-alive, timeouts) at the demo's interval.
    static func configuration(
        pod: String, namespace: String, scrapeURL: String, pushURL: String, tokenFile: String,
        podLabels: [Label], intervalSeconds: Double
    ) -> AgentConfiguration {
        var configuration = AgentConfiguration()
        configuration.scrapeURL = scrapeURL
        configuration.pushURLs = [pushURL]
        configuration.intervalSeconds = intervalSeconds
        configuration.timeoutSeconds = max(0.5, min(4, intervalSeconds * 0.8))
        configuration.maxBackoffSeconds = max(1, intervalSeconds * 2)
        configuration.pod = pod
        configuration.namespace = namespace
        configuration.podLabels = podLabels
        configuration.tokenFile = tokenFile
        configuration.statusFile = nil
        configuration.shutdownGraceSeconds = 2
        // These agents are threads of `siskin demo`: its code pages are the server's too.
        configuration.releaseCodePages = false
        return configuration
    }
}
