extension Verdict {
    /// The verdict as plain text for a terminal: outcome and score, the
    /// summary, the two sides side by side, then each metric with its reason.
    public func report() -> String {
        var lines: [String] = []
        lines.append("Canary verdict: \(outcome.rawValue.uppercased())  score \(CanaryJudge.score(score))/100  (\(judge))")
        lines.append(summary)
        lines.append("")
        lines.append(Self.row("", "requests", "5xx", "5xx %", "p50", "p99"))
        for (name, side) in [("canary", canary), ("primary", primary)] {
            lines.append(Self.row(
                name, NumberText.count(side.requests), NumberText.count(side.errors),
                side.errorPercent.map(NumberText.percent) ?? "n/a",
                CanaryJudge.milliseconds(side.p50Milliseconds), CanaryJudge.milliseconds(side.p99Milliseconds)))
        }
        for metric in metrics {
            lines.append("")
            var flags: [String] = []
            if metric.kind == .gate { flags.append("SLO gate") } else if metric.critical { flags.append("critical") }
            lines.append("\(metric.name): \(metric.outcome.rawValue.uppercased())"
                + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
            let s = metric.statistics
            if let e = s.errorRate {
                lines.append("  two-proportion z = \(NumberText.z(e.z)), \(NumberText.pEquals(e.pValue)), "
                    + "α = \(NumberText.probability(e.alpha)); difference \(NumberText.points(e.differencePoints)) points, "
                    + "\(CanaryJudge.percentLevel(e.confidenceLevel)) CI \(NumberText.points(e.lowerPoints)) to "
                    + "\(NumberText.points(e.upperPoints))")
            }
            if let r = s.rank {
                lines.append("  Mann–Whitney U = \(NumberText.count(r.u)), P(canary slower) = "
                    + "\(NumberText.probability(r.probabilityOfSuperiority)), z = \(NumberText.z(r.z)), "
                    + "\(NumberText.pEquals(r.pValue)), α = \(NumberText.probability(r.alpha))")
            }
            if let q = s.quantiles {
                var parts: [String] = []
                if let r = q.p50Ratio { parts.append("p50 \(NumberText.ratio(r))") }
                if let r = q.p99Ratio { parts.append("p99 \(NumberText.ratio(r))") }
                if let t = q.tail, let threshold = q.tailThresholdMilliseconds {
                    parts.append("tail > \(NumberText.milliseconds(threshold)) \(NumberText.percent(t.primaryPercent)) → "
                        + "\(NumberText.percent(t.canaryPercent)) (\(NumberText.pEquals(t.pValue)), "
                        + "α = \(NumberText.probability(t.alpha)))")
                }
                if !parts.isEmpty { lines.append("  " + parts.joined(separator: ", ")) }
            }
            lines.append("  " + metric.reason)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ columns: String...) -> String {
        let widths = [9, 11, 9, 9, 10, 10]
        var line = ""
        for (column, width) in zip(columns, widths) {
            line += column.count >= width ? column + " " : column + String(repeating: " ", count: width - column.count)
        }
        while line.hasSuffix(" ") { line.removeLast() }
        return "  " + line
    }
}
