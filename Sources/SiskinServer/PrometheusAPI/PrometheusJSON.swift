import SiskinAggregation
import SiskinExposition
import SiskinQuery

/// JSON exactly as Prometheus' HTTP API writes it: timestamps as seconds
/// with millisecond fractions, sample values as strings (`"NaN"`, `"+Inf"`),
/// labels as objects, keys in label order.
enum PrometheusJSON {
    static func success(_ data: String) -> String {
        "{\"status\":\"success\",\"data\":" + data + "}"
    }

    static func error(_ type: String, _ message: String) -> String {
        "{\"status\":\"error\",\"errorType\":" + string(type) + ",\"error\":" + string(message) + "}"
    }

    static func result(_ value: PromValue, at time: Int64) -> String {
        switch value {
        case .scalar(let v):
            return "{\"resultType\":\"scalar\",\"result\":" + point(time, v) + "}"
        case .string(let s):
            return "{\"resultType\":\"string\",\"result\":[" + timestamp(time) + "," + string(s) + "]}"
        case .vector(let samples):
            return "{\"resultType\":\"vector\",\"result\":[" + samples.map {
                "{\"metric\":" + labels($0.labels) + ",\"value\":" + point(time, $0.value) + "}"
            }.joined(separator: ",") + "]}"
        case .matrix(let series):
            return "{\"resultType\":\"matrix\",\"result\":[" + series.map { s in
                "{\"metric\":" + labels(s.labels) + ",\"values\":[" + s.points.map { point($0.0, $0.1) }.joined(separator: ",") + "]}"
            }.joined(separator: ",") + "]}"
        }
    }

    static func point(_ t: Int64, _ v: Double) -> String {
        "[" + timestamp(t) + ",\"" + value(v) + "\"]"
    }

    static func labels(_ labels: [Label]) -> String {
        "{" + labels.map { string($0.name) + ":" + string($0.value) }.joined(separator: ",") + "}"
    }

    static func strings(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ",") + "]"
    }

    /// Seconds, then `.` and three digits when there is a fraction.
    static func timestamp(_ ms: Int64) -> String {
        var t = ms
        var out = ""
        if t < 0 {
            out = "-"
            t = -t
        }
        out += String(t / 1000)
        let fraction = t % 1000
        if fraction != 0 {
            out += "." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + String(fraction)
        }
        return out
    }

    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that
    /// read back, never in exponent form.
    static func value(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let shortest = "\(v)"
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
        }
        // Expand d.ddde±x into plain decimal.
        let mantissa = shortest[..<e]
        let exponent = Int(shortest[shortest.index(after: e)...]) ?? 0
        let negative = mantissa.hasPrefix("-")
        let unsigned = negative ? mantissa.dropFirst() : mantissa
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        let digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        let point = parts[0].count + exponent
        let out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + out
    }

    static func string(_ s: String) -> String { JSONText.quote(s, escapeHTML: true) }
}
