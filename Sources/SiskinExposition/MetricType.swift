/// The type a `# TYPE` line declares for a family.
public enum MetricType: UInt8, Sendable, Hashable, CustomStringConvertible {
    case counter
    case gauge
    case histogram
    case summary
    case untyped
    /// OpenMetrics' spelling of untyped.
    case unknown
    case gaugeHistogram
    case info
    case stateSet

    /// Parses the type word of a `# TYPE` line (as Prometheus spells it).
    init?(word: UnsafeRawBufferPointer) {
        func equals(_ literal: StaticString) -> Bool {
            guard word.count == literal.utf8CodeUnitCount else { return false }
            return memcmp(word.baseAddress!, literal.utf8Start, word.count) == 0
        }
        guard word.count > 0 else { return nil }
        if equals("counter") { self = .counter }
        else if equals("gauge") { self = .gauge }
        else if equals("histogram") { self = .histogram }
        else if equals("summary") { self = .summary }
        else if equals("untyped") { self = .untyped }
        else if equals("unknown") { self = .unknown }
        else if equals("gaugehistogram") { self = .gaugeHistogram }
        else if equals("info") { self = .info }
        else if equals("stateset") { self = .stateSet }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        case .summary: "summary"
        case .untyped: "untyped"
        case .unknown: "unknown"
        case .gaugeHistogram: "gaugehistogram"
        case .info: "info"
        case .stateSet: "stateset"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
