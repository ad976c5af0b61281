import SiskinExposition

/// Independent per-family sums of an exposition body, to check that
/// aggregation neither loses nor invents counts.
public enum ReferenceSums {
    /// Sum of every sample value per metric name (e.g. `x_bucket`, `x_sum`),
    /// optionally only for lines whose labels include `le`=`bucket`.
    public static func byMetricName(_ body: [UInt8]) -> [String: Double] {
        var sums: [String: Double] = [:]
        ExpositionParser.withParser(over: body) { parser in
            while let entry = parser.next() {
                guard case .sample = entry else { continue }
                sums[parser.metricNameString, default: 0] += parser.value
            }
        }
        return sums
    }

    /// Sum per metric name of `_bucket` lines with the given `le` value.
    public static func bucketSums(_ body: [UInt8], le: String) -> [String: Double] {
        var sums: [String: Double] = [:]
        ExpositionParser.withParser(over: body) { parser in
            while let entry = parser.next() {
                guard case .sample = entry, parser.role == .bucket else { continue }
                for label in parser.labels() where parser.bytes.string(label.name) == "le" {
                    if parser.bytes.string(label.value) == le {
                        sums[parser.metricNameString, default: 0] += parser.value
                    }
                }
            }
        }
        return sums
    }
}
