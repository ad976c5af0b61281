/// A cumulative value that stays exact while it is an integer.
///
/// Envoy counters are 64-bit integers; a `Double` loses exactness past 2^53,
/// and a counter that silently rounds makes increases wrong. Values that were
/// never fractional stay `.integer`; anything else is carried as `.float`.
public enum SampleValue: Sendable, Hashable, CustomStringConvertible {
    case integer(UInt64)
    case float(Double)

    /// The value as a double (lossy past 2^53 for integers, by definition).
    public var doubleValue: Double {
        switch self {
        case .integer(let v): return Double(v)
        case .float(let v): return v
        }
    }

    /// Exact integer value if there is one.
    public var integerValue: UInt64? {
        if case .integer(let v) = self { return v }
        return nil
    }

    /// Prometheus text-format rendering (integers without exponent).
    public var description: String {
        switch self {
        case .integer(let v): return String(v)
        case .float(let v): return SampleValue.format(v)
        }
    }

    /// Formats a double the way Prometheus' text format does for the cases that
    /// matter here: `NaN`, `+Inf`, `-Inf`, integral values without a fraction.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
