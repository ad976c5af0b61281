/// Everything a run measured, printed as text or JSON (`--json`).
struct LoadReport: Codable, Sendable {
    struct Setup: Codable, Sendable {
        var url: String
        var pods: Int
        var workloads: Int
        var namespaces: Int
        var connections: Int
        var rules: String
        /// Response codes per call edge, e.g. "200/404/503".
        var responseCodes: String
        /// Workloads each workload calls (and is called by).
        var callsPerWorkload: Int
        /// Pushes per second asked for; nil = as fast as possible.
        var targetRate: Double?
        var durationSeconds: Double
        var intervalMilliseconds: Int
        /// Pushes per pod planned after the baseline round.
        var plannedPushesPerPod: Int
        /// How far in the past the first summaries are stamped.
        var firstTimestampSecondsAgo: Double
    }

    struct Summaries: Codable, Sendable {
        var seriesMean: Double
        var seriesMin: Int
        var seriesMax: Int
        /// Mean frame size as POSTed (zlib-compressed).
        var meanBodyBytes: Double
        /// Mean frame size before compression.
        var meanUncompressedBytes: Double
        var encodedBeforeRun: Int
        /// Bodies encoded while the measurement ran (on idle CPU only).
        var encodedDuringRun: Int
        /// Pods whose frames `SummaryEncoder` wrote because the fast writer
        /// did not reproduce them (0 normally; same bytes, slower set-up).
        var podsEncodedSlowly: Int
        var setupSeconds: Double
        var bufferMiB: Int
    }

    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var max: Double
        var mean: Double
    }

    struct Phase: Codable, Sendable {
        var pushes: Int
        var accepted: Int
        /// 2xx answers by status code (`siskin serve`: 202 applied, 200
        /// ignored as duplicate or out of order).
        var acceptedByStatus: [String: Int]
        /// Non-2xx answers by status code.
        var rejected: [String: Int]
        var transportErrors: [String: Int]
        var seconds: Double
        var pushesPerSecond: Double
        var acceptedPerSecond: Double
        /// Request bodies only (headers not counted).
        var bodyBytes: Int
        var bodyMegabytesPerSecond: Double
        /// Client-side, per POST that got an HTTP answer; milliseconds.
        var latencyMilliseconds: Latency?
        /// Connection-seconds spent waiting for an encoder.
        var waitingForBodiesSeconds: Double
        var firstRejection: String?
        var firstTransportError: String?

        init(_ stats: PhaseStats, seconds: Double) {
            pushes = stats.sent
            accepted = stats.accepted
            acceptedByStatus = Dictionary(uniqueKeysWithValues: stats.acceptedByStatus.map { (String($0.key), $0.value) })
            rejected = Dictionary(uniqueKeysWithValues: stats.rejected.map { (String($0.key), $0.value) })
            transportErrors = stats.transportErrors
            self.seconds = round3(seconds)
            pushesPerSecond = seconds > 0 ? round3(Double(stats.sent) / seconds) : 0
            acceptedPerSecond = seconds > 0 ? round3(Double(stats.accepted) / seconds) : 0
            bodyBytes = stats.bodyBytes
            bodyMegabytesPerSecond = seconds > 0 ? round3(Double(stats.bodyBytes) / 1e6 / seconds) : 0
            let h = stats.latency
            if let p50 = h.quantile(0.5), let p90 = h.quantile(0.9), let p99 = h.quantile(0.99), let mean = h.meanMicroseconds {
                latencyMilliseconds = Latency(
                    p50: round3(Double(p50) / 1000), p90: round3(Double(p90) / 1000), p99: round3(Double(p99) / 1000),
                    max: round3(Double(h.maxMicroseconds) / 1000), mean: round3(mean / 1000))
            }
            waitingForBodiesSeconds = round3(Double(stats.waitedNanoseconds) / 1e9)
            firstRejection = stats.firstRejection
            firstTransportError = stats.firstTransportError
        }
    }

    var setup: Setup
    var summaries: Summaries
    /// Every pod's first push (the aggregator's baseline), not timed.
    var baseline: Phase
    /// The measured phase.
    var run: Phase
    var ended: EndReason
    /// What `--openmetrics-out` wrote; absent without it.
    var openMetrics: OpenMetricsWriter.Output?

    // MARK: Text

    func text() -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        let rate = setup.targetRate.map { "\(Format.fixed($0, 1)) pushes/s" } ?? "as fast as possible"
        line("siskin-load: \(setup.url)")
        let calls = setup.callsPerWorkload == 0 ? "called by the ingress gateway"
            : "each workload calls \(Format.plural(setup.callsPerWorkload, "other"))"
        line("mesh:       \(Format.plural(setup.pods, "pod")) in \(Format.plural(setup.workloads, "workload")), "
            + "\(Format.plural(setup.namespaces, "namespace")); \(calls), responses \(setup.responseCodes); rules \(setup.rules)")
        line("summaries:  \(Format.fixed(summaries.seriesMean, 1)) series each (min \(summaries.seriesMin), max \(summaries.seriesMax)); "
            + "\(Format.bytes(summaries.meanBodyBytes)) per push (\(Format.bytes(summaries.meanUncompressedBytes)) before zlib)")
        line("plan:       1 baseline push per pod, then up to \(Format.count(setup.plannedPushesPerPod)) per pod "
            + "(\(Format.count(setup.plannedPushesPerPod * setup.pods))); \(setup.intervalMilliseconds) ms simulated between a pod's pushes, "
            + "first stamped \(Format.duration(setup.firstTimestampSecondsAgo)) ago")
        line("encoding:   \(Format.count(summaries.encodedBeforeRun)) bodies before the run (setup \(Format.fixed(summaries.setupSeconds, 1)) s, "
            + "buffer \(summaries.bufferMiB) MiB), \(Format.count(summaries.encodedDuringRun)) during it"
            + (summaries.podsEncodedSlowly > 0 ? "; \(summaries.podsEncodedSlowly) pods via SummaryEncoder (fast writer mismatch)" : ""))
        line("baseline:   \(Format.plural(baseline.pushes, "push", "pushes")), \(Format.count(baseline.accepted)) accepted in "
            + "\(Format.fixed(baseline.seconds, 2)) s (\(Format.fixed(baseline.pushesPerSecond, 1))/s)"
            + (baseline.latencyMilliseconds.map { ", p50 \(Format.fixed($0.p50, 2)) ms" } ?? ""))
        line()
        line("run: \(Format.fixed(run.seconds, 2)) s, \(setup.connections) connection\(setup.connections == 1 ? "" : "s"), target \(rate); ended: \(ended.rawValue)")
        line("  pushes sent        \(Format.padded(run.pushes))   \(Format.fixed(run.pushesPerSecond, 1))/s")
        line("  accepted (2xx)     \(Format.padded(run.accepted))   \(Format.fixed(run.acceptedPerSecond, 1))/s"
            + Self.breakdown(run.acceptedByStatus, prefix: "HTTP "))
        let rejected = run.rejected.values.reduce(0, +)
        line("  rejected           \(Format.padded(rejected))" + Self.breakdown(run.rejected, prefix: "HTTP "))
        let failed = run.transportErrors.values.reduce(0, +)
        line("  transport errors   \(Format.padded(failed))" + Self.breakdown(run.transportErrors, prefix: ""))
        if let latency = run.latencyMilliseconds {
            line("  latency ms         p50 \(Format.fixed(latency.p50, 2))  p90 \(Format.fixed(latency.p90, 2))  "
                + "p99 \(Format.fixed(latency.p99, 2))  max \(Format.fixed(latency.max, 2))  (mean \(Format.fixed(latency.mean, 2)))")
        } else {
            line("  latency ms         -")
        }
        line("  bytes sent         \(Format.padded(run.bodyBytes))   \(Format.fixed(run.bodyMegabytesPerSecond, 2)) MB/s (bodies)")
        if run.waitingForBodiesSeconds > 0.0005 {
            line("  waited for encoder \(Format.fixed(run.waitingForBodiesSeconds, 3)) s (summed over connections: "
                + "the client, not the server, limited this run)")
        }
        if let first = run.firstRejection ?? baseline.firstRejection { line("  first rejection:   \(first)") }
        if let first = run.firstTransportError ?? baseline.firstTransportError { line("  first error:       \(first)") }
        if let om = openMetrics {
            line()
            line("openmetrics: \(om.path): \(Format.count(om.pushes)) accepted pushes, \(Format.count(om.series)) series, "
                + "\(Format.count(om.samples)) samples, \(Format.bytes(Double(om.bytes))) in \(Format.fixed(om.seconds, 1)) s")
            line("  timestamps ms      first \(om.firstTimestampMilliseconds)  last \(om.lastTimestampMilliseconds)  "
                + "slowest pod's last \(om.slowestPodLastTimestampMilliseconds)")
        }
        return out
    }

    private static func breakdown(_ counts: [String: Int], prefix: String) -> String {
        guard !counts.isEmpty else { return "" }
        let parts = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\(prefix)\($0.key): \(Format.count($0.value))" }
        return "   (" + parts.joined(separator: ", ") + ")"
    }
}

private func round3(_ value: Double) -> Double {
    (value * 1000).rounded() / 1000
}

/// Number formatting without Foundation.
enum Format {
    /// `value` with exactly `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let integer = UInt64(scaled)
        let factor = UInt64(scale)
        var text = String(integer / factor)
        if digits > 0 {
            let fraction = String(integer % factor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return (value < 0 && scaled > 0 ? "-" : "") + text
    }

    /// 1234567 → "1,234,567".
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// "1 pod", "2 pods", "1,000 pods".
    static func plural(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count(value)) " + (value == 1 ? singular : plural ?? singular + "s")
    }

    /// A count right-aligned in 12 columns.
    static func padded(_ value: Int) -> String {
        let text = count(value)
        return String(repeating: " ", count: max(0, 12 - text.count)) + text
    }

    static func bytes(_ value: Double) -> String {
        if value >= 1_048_576 { return fixed(value / 1_048_576, 1) + " MiB" }
        if value >= 1024 { return fixed(value / 1024, 1) + " KiB" }
        return fixed(value, 0) + " B"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600 { return fixed(seconds / 3600, 1) + " h" }
        if seconds >= 60 { return fixed(seconds / 60, 1) + " min" }
        return fixed(seconds, 0) + " s"
    }
}
