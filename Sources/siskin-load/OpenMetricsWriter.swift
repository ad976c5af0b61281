import SiskinAggregation

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the pushes the aggregator accepted as OpenMetrics text, so a real
/// Prometheus can be given exactly the same data (`promtool tsdb
/// create-blocks-from openmetrics FILE DIR`) and asked the same queries.
///
/// Every accepted push becomes one sample per series at the push's timestamp,
/// with the series' labels as in the summary (`pod` and `namespace`
/// included, which is what Prometheus' Kubernetes relabelling would give a
/// scrape of the pod): what Prometheus would hold had it scraped these values
/// at those instants. Counters keep their name (a counter named `x_total`
/// is family `x` of type counter, whose samples OpenMetrics names `x_total`;
/// any other counter is declared `unknown`, so its name is kept verbatim);
/// histograms are `_bucket{le}` (Envoy's bounds as Siskin's PromQL prints
/// them, then `+Inf`), `_count` and `_sum`. Timestamps are in seconds.
///
/// OpenMetrics wants a family's samples together and a series' samples in
/// time order, while pushes go pod by pod, round by round. Nothing is kept
/// during the run but which sequence numbers were accepted: the pods'
/// generators are deterministic (their seed is derived from `--seed` and the
/// pod), so the writer replays each pod's generator from the start, once per
/// family, and writes that pod's series of that family, sample after sample.
struct OpenMetricsWriter {
    struct Output: Codable, Sendable {
        var path: String
        /// Pushes written (the accepted ones).
        var pushes: Int
        /// Series as Prometheus counts them (every bucket is one).
        var series: Int
        var samples: Int
        var bytes: Int
        /// First and last sample timestamps, Unix milliseconds.
        var firstTimestampMilliseconds: Int64
        var lastTimestampMilliseconds: Int64
        /// The earliest of the pods' last timestamps: every pod has data up
        /// to here (a query at or before it sees every pod's whole window).
        var slowestPodLastTimestampMilliseconds: Int64
        var seconds: Double
    }

    private struct FamilyInfo {
        var name: String
        var kind: MetricKind
    }

    private let file: UnsafeMutablePointer<FILE>
    let path: String
    private var buffer: [UInt8] = []
    private var written = 0

    /// Creates (or truncates) `path` now, so a bad path fails before the run.
    init(path: String) throws {
        guard let file = fopen(path, "w") else {
            throw LoadError("cannot create --openmetrics-out \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        self.path = path
        buffer.reserveCapacity(Self.flushBytes + 64 << 10)
    }

    private static let flushBytes = 4 << 20

    /// Writes every family of `fleet` for the pushes in `accepted` (per pod,
    /// the accepted sequence numbers) and closes the file.
    mutating func write(fleet: SiskinLoad.PreparedFleet, firstTimestamp: Int64, accepted: [[UInt64]]) throws -> Output {
        let start = Monotonic.nanoseconds()
        defer { fclose(file) }
        let families = try Self.families(of: fleet.templates)
        var series = 0
        var samples = 0
        var earliest = Int64.max
        var latest = Int64.min
        var slowestLast = Int64.max
        let pushes = accepted.reduce(0) { $0 + $1.count }

        for family in families {
            // Sample names are the summary's family name (plus the histogram
            // suffixes); only the declared family name differs for counters.
            let sampleName = family.name
            let typeLine: String
            switch family.kind {
            case .counter where family.name.hasSuffix("_total") && family.name.count > "_total".count:
                typeLine = "# TYPE \(family.name.dropLast("_total".count)) counter\n"
            case .counter:
                typeLine = "# TYPE \(family.name) unknown\n"
            case .gauge:
                typeLine = "# TYPE \(family.name) gauge\n"
            case .histogram:
                typeLine = "# TYPE \(family.name) histogram\n"
            }
            buffer.append(contentsOf: typeLine.utf8)

            for pod in accepted.indices where !accepted[pod].isEmpty {
                let template = fleet.templates[fleet.templateOfPod[pod]]
                guard let range = template.families.first(where: { $0.name == family.name })?.series, !range.isEmpty
                else { continue }
                // The pod's values at each accepted push, replayed.
                let sequences = Set(accepted[pod]).sorted()
                var generator = fleet.generators(firstTimestamp: firstTimestamp, only: [pod])[0]
                var integers: [[UInt64]] = []
                var doubles: [[Double]] = []
                var stamps: [[UInt8]] = []
                integers.reserveCapacity(sequences.count)
                var next = 0
                while next < sequences.count {
                    generator.step()
                    guard generator.sequence == sequences[next] else { continue }
                    generator.withValues { integers.append($0); doubles.append($1) }
                    let timestamp = generator.timestampMilliseconds
                    stamps.append(Self.timestampText(milliseconds: timestamp))
                    earliest = min(earliest, timestamp)
                    latest = max(latest, timestamp)
                    next += 1
                }
                // The generator stopped at the pod's last accepted push.
                if !stamps.isEmpty { slowestLast = min(slowestLast, generator.timestampMilliseconds) }

                for index in range {
                    let prefix = Self.labelText(template: template, index: index, pod: generator.pod)
                    switch template.values[index] {
                    case .counter(let offset):
                        let head = Array(sampleName.utf8) + prefix.open + prefix.close
                        for push in stamps.indices {
                            sample(head, integer: integers[push][offset], stamp: stamps[push])
                        }
                        series += 1
                        samples += stamps.count
                    case .gauge(let slot):
                        let head = Array(sampleName.utf8) + prefix.open + prefix.close
                        for push in stamps.indices {
                            sample(head, double: doubles[push][slot], stamp: stamps[push])
                        }
                        series += 1
                        samples += stamps.count
                    case .histogram(let offset, let bounds, let sum):
                        var bucketHeads: [[UInt8]] = []
                        let separator = prefix.open.isEmpty ? Array("{le=\"".utf8) : Array(",le=\"".utf8)
                        for bucket in 0...bounds.count {
                            let le = bucket < bounds.count ? SampleValue.format(bounds[bucket]) : "+Inf"
                            bucketHeads.append(Array((sampleName + "_bucket").utf8) + prefix.open + separator
                                + Array(le.utf8) + Array("\"}".utf8))
                        }
                        let countHead = Array((sampleName + "_count").utf8) + prefix.open + prefix.close
                        let sumHead = Array((sampleName + "_sum").utf8) + prefix.open + prefix.close
                        for push in stamps.indices {
                            for bucket in 0...bounds.count {
                                sample(bucketHeads[bucket], integer: integers[push][offset + bucket], stamp: stamps[push])
                            }
                            sample(countHead, integer: integers[push][offset + bounds.count], stamp: stamps[push])
                            sample(sumHead, double: doubles[push][sum], stamp: stamps[push])
                        }
                        series += bounds.count + 3
                        samples += stamps.count * (bounds.count + 3)
                    }
                    if buffer.count >= Self.flushBytes { try flush() }
                }
            }
        }
        buffer.append(contentsOf: "# EOF\n".utf8)
        try flush()
        guard fflush(file) == 0 else { throw writeError() }
        return Output(
            path: path, pushes: pushes, series: series, samples: samples, bytes: written,
            firstTimestampMilliseconds: earliest == .max ? 0 : earliest,
            lastTimestampMilliseconds: latest == .min ? 0 : latest,
            slowestPodLastTimestampMilliseconds: slowestLast == .max ? 0 : slowestLast,
            seconds: Monotonic.seconds(from: start, to: Monotonic.nanoseconds()))
    }

    /// Family names and kinds over all templates, in first-seen order.
    private static func families(of templates: [PodTemplate]) throws -> [FamilyInfo] {
        var families: [FamilyInfo] = []
        var seen: [String: MetricKind] = [:]
        for template in templates {
            for family in template.families {
                if let kind = seen[family.name] {
                    guard kind == family.kind else {
                        throw LoadError("family \(family.name) is a \(kind) in one summary and a \(family.kind) in another")
                    }
                    continue
                }
                seen[family.name] = family.kind
                families.append(FamilyInfo(name: family.name, kind: family.kind))
            }
        }
        return families
    }

    /// `{name="value",...` (without the closing brace, so `le` can follow)
    /// and `}`; both empty for a series without labels.
    private static func labelText(template: PodTemplate, index: Int, pod: String) -> (open: [UInt8], close: [UInt8]) {
        var labels = template.labels[index]
        if let position = template.podLabelPositions[index] { labels[position].value = pod }
        guard !labels.isEmpty else { return ([], []) }
        var out = Array("{".utf8)
        for (number, label) in labels.enumerated() {
            if number > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: label.name.utf8)
            out.append(contentsOf: "=\"".utf8)
            for byte in label.value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        return (out, Array("}".utf8))
    }

    /// ` <seconds>.<millis>\n` that Prometheus reads back as exactly
    /// `milliseconds`: its parser truncates `seconds × 1000`, so where the
    /// three-decimal form would land one below (binary fractions), a fourth
    /// decimal lifts it.
    static func timestampText(milliseconds: Int64) -> [UInt8] {
        let seconds = milliseconds / 1000
        let millis = milliseconds % 1000
        func text(_ extra: String) -> String {
            let fraction = String(millis)
            return "\(seconds)." + String(repeating: "0", count: 3 - fraction.count) + fraction + extra
        }
        var candidate = text("")
        if let parsed = Double(candidate), Int64(parsed * 1000) != milliseconds {
            candidate = text("1")
        }
        return Array(" \(candidate)\n".utf8)
    }

    private mutating func sample(_ head: [UInt8], integer: UInt64, stamp: [UInt8]) {
        buffer.append(contentsOf: head)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: String(integer).utf8)
        buffer.append(contentsOf: stamp)
    }

    private mutating func sample(_ head: [UInt8], double: Double, stamp: [UInt8]) {
        buffer.append(contentsOf: head)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: SampleValue.format(double).utf8)
        buffer.append(contentsOf: stamp)
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let count = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard count == buffer.count else { throw writeError() }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeError() -> LoadError {
        LoadError("cannot write --openmetrics-out \(path): \(String(cString: strerror(errno)))")
    }
}
