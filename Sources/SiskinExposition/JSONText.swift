/// JSON string literals, written by hand where Foundation is not linked (the
/// agent's log lines) or where the exact bytes matter (the Prometheus API).
public enum JSONText {
    /// `s` as a quoted JSON string. `escapeHTML` also escapes `<`, `>` and
    /// `&` as `\u003c`… the way Go's encoder (and so Prometheus) writes them.
    public static func quote(_ s: String, escapeHTML: Bool = false) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where escapeHTML: out += "\\u003c"
            case ">" where escapeHTML: out += "\\u003e"
            case "&" where escapeHTML: out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
