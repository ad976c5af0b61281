/// Durations as Prometheus writes them (`5m`, `1m30s`, `250ms`, `1h`, `2d`,
/// `1w`, `1y`) or as plain (fractional) seconds, in milliseconds.
public enum DurationText {
    public static func milliseconds(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e12 {
            return Int64((seconds * 1000).rounded())
        }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
                                        ("d", 86_400_000), ("w", 604_800_000), ("y", 31_536_000_000)]
        var total: Int64 = 0
        var rest = Substring(text)
        var lastUnit = Int64.max
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits), n < 1 << 40 else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (suffix, scale) = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }),
                  scale < lastUnit
            else { return nil }
            rest = rest.dropFirst(suffix.count)
            let (product, overflow) = n.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            total += product
            lastUnit = scale
        }
        return total
    }

    /// The shortest PromQL duration for `milliseconds`: `90000` → `1m30s`,
    /// `1500` → `1s500ms`, `0` → `0s`. What `milliseconds(_:)` reads back,
    /// so one form serves range selectors, judge windows and reports.
    public static func text(milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "0s" }
        var rest = milliseconds
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// `text(milliseconds:)` for seconds, rounded to the millisecond.
    public static func text(seconds: Double) -> String {
        text(milliseconds: Int64((seconds * 1000).rounded()))
    }
}
