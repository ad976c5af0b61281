import SiskinAggregation
import SiskinExposition

/// The Kubernetes downward API labels file (`/etc/podinfo/labels`): one
/// `key="value"` per line, values quoted with `\"`, `\\` and `\n` escapes.
/// The labels travel in each summary so the HPA API can match selectors.
public enum PodLabelsFile {
    public static func parse(_ text: String) -> [Label] {
        var labels: [Label] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingScalars(in: " \t")
            var value = Substring(line[line.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = value.dropFirst().dropLast()
            }
            var unescaped = ""
            var escaping = false
            for ch in value {
                if escaping {
                    unescaped.append(ch == "n" ? "\n" : ch)
                    escaping = false
                } else if ch == "\\" {
                    escaping = true
                } else {
                    unescaped.append(ch)
                }
            }
            guard !key.isEmpty else { continue }
            labels.append(Label(key, unescaped))
        }
        return labels.sorted()
    }

    public static func load(_ path: String) throws -> [Label] {
        parse(String(decoding: try BodyReader.readAll(path, limit: 1 << 20), as: UTF8.self))
    }
}
