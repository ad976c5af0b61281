extension InspectionReport {
    /// Human-readable report, one fact per line.
    public func text() -> String {
        var lines: [String] = []
        let first = scrapes[0]
        lines.append("rules: \(rules)")
        lines.append("input (first scrape): \(Self.group(first.bytes)) bytes, \(Self.group(first.lines)) lines, "
            + "\(Self.group(first.series)) series, \(first.families) families (\(first.familiesKept) kept)")
        if scrapes.count > 1 {
            lines.append("scrapes: \(scrapes.count)")
            for s in scrapes {
                var line = "  \(s.name): \(Self.group(s.bytes)) bytes, \(Self.group(s.series)) series, "
                    + "\(Self.group(s.samplesAggregated)) aggregated, \(Self.group(s.newSeries)) new, \(s.resets) resets, \(s.errors) errors"
                if s.errors > 0 { line += " (first: \(s.firstErrors.first ?? ""))" }
                lines.append(line)
            }
        } else if first.errors > 0 {
            lines.append("errors: \(first.errors)")
        }
        for s in scrapes where s.errors > 0 {
            for error in s.firstErrors { lines.append("  error in \(s.name): \(error)") }
        }
        lines.append("output: \(Self.group(outputSeries)) series in \(outputFamilies.count) families "
            + "(\(outputFamilies.joined(separator: ", "))), from \(Self.group(rawSeriesCached)) raw series")
        lines.append("summary: \(Self.group(rawBytes)) raw bytes -> \(Self.group(encodedBytes)) encoded -> "
            + "\(Self.group(compressedBytes)) compressed (\(Self.fixed(compressedPercentOfRaw, 3)) % of raw)")
        if scrapes.count > 1 {
            lines.append("increases, first -> last scrape:")
            for inc in increases {
                var line = "  \(inc.family): +\(Self.number(inc.increase))"
                if let sum = inc.sumIncrease { line += " observations, _sum +\(Self.number(sum))" }
                lines.append(line)
            }
        }
        lines.append("timings (\(repeatCount) pass\(repeatCount == 1 ? "" : "es"), median):")
        lines.append("  cold (first scrape, fresh caches): \(timingText(cold))")
        if let steady { lines.append("  steady state (same series, new values): \(timingText(steady))") }
        lines.append("  summary + encode + compress: \(timingText(encode))")
        return lines.joined(separator: "\n") + "\n"
    }

    private func timingText(_ t: Timing) -> String {
        var text = "\(Self.fixed(t.medianMilliseconds, 3)) ms (min \(Self.fixed(t.minMilliseconds, 3)) ms, n=\(t.passes))"
        if let mbps = t.megabytesPerSecond { text += ", \(Self.fixed(mbps, 0)) MB/s" }
        return text
    }

    static func group(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    static func fixed(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if places == 0, text.hasSuffix(".0") { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), !text.contains("e") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < places { text += String(repeating: "0", count: places - decimals) }
        }
        return text
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? group(Int(v)) : fixed(v, 3)
    }
}
