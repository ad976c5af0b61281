import Foundation

/// Time in the fault-injection tests, scaled down from a real deployment's
/// so CI can run them in seconds. Every duration the tests and the processes
/// use (agent interval, timeout and backoff, `--stale-after`, the outage
/// itself) is divided by the same `factor`, so their ratios, which decide
/// what breaks, stay those of production.
///
/// `scripts/faults --long` sets `SISKIN_FAULTS_LONG=1`: factor 1 (a real
/// 10-minute outage at a 5 s interval) and more pods.
/// `SISKIN_FAULTS_FACTOR` and `SISKIN_FAULTS_PRIMARY_PODS` override either.
struct FaultScale: Sendable {
    var factor: Double
    /// Pods of the primary workload in the simulated mesh (plus one canary
    /// and the load generator).
    var primaryPods: Int

    static let current: FaultScale = {
        let environment = ProcessInfo.processInfo.environment
        let long = environment["SISKIN_FAULTS_LONG"] == "1"
        var scale = long ? FaultScale(factor: 1, primaryPods: 8) : FaultScale(factor: 25, primaryPods: 2)
        if let factor = environment["SISKIN_FAULTS_FACTOR"].flatMap(Double.init), factor >= 1 { scale.factor = factor }
        if let pods = environment["SISKIN_FAULTS_PRIMARY_PODS"].flatMap(Int.init), pods >= 1 { scale.primaryPods = pods }
        return scale
    }()

    /// A production duration (seconds) at this scale.
    func seconds(_ production: Double) -> Double { production / factor }

    /// `seconds` as a command-line duration (`123ms`).
    static func flag(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded()))ms" }

    /// The agents' interval (production: 5 s), not below 1 s: shorter, a
    /// loaded 2-core CI machine cannot start, scrape and push in time, and
    /// the test would measure the machine.
    var interval: Double { max(1, seconds(5)) }
    /// The agents' push and scrape timeout (production: 4 s), not below 0.8 s.
    var timeout: Double { max(0.8, seconds(4)) }
    /// The agents' longest backoff: `--max-backoff 60s`, longer than the default
    /// (two intervals), so the faults are survived with slow retries too.
    var maxBackoff: Double { seconds(60) }
    /// The aggregator's `--stale-after` (production: 5 min).
    var staleAfter: Double { seconds(300) }
    /// The aggregator's slot: the agents' interval.
    var slot: Double { interval }

    /// One line of figures for `scripts/faults` to show (and the README to quote).
    static func report(_ test: String, _ figures: String) {
        print("faults: \(test) [factor \(Int(current.factor)), \(current.primaryPods + 2) pods]: \(figures)")
    }

    /// Keep the tests' folders (logs of every process) for a look afterwards.
    static var keepFiles: Bool { ProcessInfo.processInfo.environment["SISKIN_FAULTS_KEEP"] == "1" }

    /// Removes a test's folder, unless `SISKIN_FAULTS_KEEP=1`.
    static func remove(_ directory: String) {
        if keepFiles {
            print("kept \(directory)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// `siskin serve` flags for this scale: slots, staleness, snapshots, and
    /// retention long enough that one window covers the whole run.
    var serveArguments: [String] { serveArguments() }

    /// `serveArguments`, with another `--stale-after` when given.
    func serveArguments(staleAfter: Double? = nil) -> [String] {
        ["--slot", Self.flag(slot), "--stale-after", Self.flag(staleAfter ?? self.staleAfter), "--snapshot-interval", Self.flag(seconds(60)),
         "--detail-retention", "40m", "--retention", "1h"]
    }

    /// How long to wait for the system to settle after a fault: a full
    /// backoff, a few intervals, and room for a loaded CI machine.
    var settle: Double { maxBackoff + 10 * interval + 30 }
}
