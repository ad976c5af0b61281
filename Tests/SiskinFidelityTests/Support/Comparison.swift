import Foundation
import Testing

/// How close siskin's answer must be to Prometheus' (the issue's tolerances).
enum Tolerance: Sendable, CustomStringConvertible {
    /// Bit for bit (`vector(1)`).
    case exact
    /// Success rates in percent: within this many percentage points.
    case percentagePoints(Double)
    /// Latency quantiles: in the same Envoy histogram bucket, and within this fraction.
    case quantile(Double)
    /// Rates (and ratios of rates): within this fraction.
    case relative(Double)

    var description: String {
        switch self {
        case .exact: "exact"
        case .percentagePoints(let points): "±\(points) pp"
        case .quantile(let fraction): "same bucket, ±\(fraction * 100)%"
        case .relative(let fraction): "±\(fraction * 100)%"
        }
    }

    /// Envoy's bucket bounds for Istio's duration histograms, in milliseconds.
    static let envoyDurationBounds: [Double] = [
        0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
    ]

    /// Index of the bucket `(bounds[i-1], bounds[i]]` holding `value` (`bounds.count` for
    /// `+Inf`).
    static func bucket(of value: Double) -> Int {
        envoyDurationBounds.firstIndex { value <= $0 } ?? envoyDurationBounds.count
    }

    /// Nil when `actual` (siskin) is close enough to `expected` (Prometheus), otherwise why not.
    func mismatch(expected: Double, actual: Double) -> String? {
        if expected.isNaN || actual.isNaN {
            return expected.isNaN && actual.isNaN ? nil : "NaN on one side only"
        }
        if expected == actual { return nil }
        switch self {
        case .exact:
            return "not identical"
        case .percentagePoints(let points):
            return abs(expected - actual) <= points ? nil : String(format: "off by %.3f pp", abs(expected - actual))
        case .quantile(let fraction):
            if Self.bucket(of: expected) != Self.bucket(of: actual) { return "in another bucket" }
            return Self.relativeMismatch(expected, actual, fraction)
        case .relative(let fraction):
            return Self.relativeMismatch(expected, actual, fraction)
        }
    }

    private static func relativeMismatch(_ expected: Double, _ actual: Double, _ fraction: Double) -> String? {
        guard expected.isFinite, actual.isFinite else { return "infinite on one side only" }
        let error = abs(actual - expected) / max(abs(expected), 1e-12)
        return error <= fraction ? nil : String(format: "off by %.2f%%", error * 100)
    }
}

/// One line of the report: a label set of one query, both answers, the verdict.
struct ComparisonRow: Sendable {
    var check: String
    var labels: String
    var prometheus: String
    var siskin: String
    var problem: String?
}

enum Compare {
    /// `{a="1", b="2"}` sorted by name; `{}` for none.
    static func labelText(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
    }

    static func valueText(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value.isNaN || value.isInfinite { return "\(value)" }
        return String(format: "%.4f", value)
    }

    /// Compares two query answers: same status and result type, the same label sets, and
    /// per label set (and timestamp, for a matrix) values within `tolerance`.
    static func answers(
        _ check: String, prometheus: PromAnswer, siskin: PromAnswer, tolerance: Tolerance
    ) -> [ComparisonRow] {
        guard prometheus.isSuccess, siskin.isSuccess else {
            let same = !prometheus.isSuccess && !siskin.isSuccess && prometheus.errorType == siskin.errorType
            return [ComparisonRow(
                check: check, labels: "", prometheus: prometheus.description, siskin: siskin.description,
                problem: same ? nil : "status differs")]
        }
        guard prometheus.resultType == siskin.resultType else {
            return [ComparisonRow(
                check: check, labels: "", prometheus: prometheus.description, siskin: siskin.description,
                problem: "result type differs")]
        }
        if prometheus.series.isEmpty && siskin.series.isEmpty {
            return [ComparisonRow(check: check, labels: "(empty)", prometheus: "[]", siskin: "[]", problem: nil)]
        }
        var rows: [ComparisonRow] = []
        let expected = Dictionary(prometheus.series.map { (labelText($0.labels), $0) }, uniquingKeysWith: { a, _ in a })
        let actual = Dictionary(siskin.series.map { (labelText($0.labels), $0) }, uniquingKeysWith: { a, _ in a })
        for key in Set(expected.keys).union(actual.keys).sorted() {
            guard let want = expected[key], let got = actual[key] else {
                rows.append(ComparisonRow(
                    check: check, labels: key,
                    prometheus: valueText(expected[key]?.points.last?.value), siskin: valueText(actual[key]?.points.last?.value),
                    problem: expected[key] == nil ? "label set only in siskin" : "label set missing in siskin"))
                continue
            }
            if want.points.count == 1 && got.points.count == 1 {
                rows.append(ComparisonRow(
                    check: check, labels: key, prometheus: valueText(want.points[0].value),
                    siskin: valueText(got.points[0].value),
                    problem: tolerance.mismatch(expected: want.points[0].value, actual: got.points[0].value)))
                continue
            }
            // A matrix: the same timestamps, each value within the tolerance.
            let gotByTime = Dictionary(got.points.map { ($0.time, $0.value) }, uniquingKeysWith: { a, _ in a })
            for point in want.points {
                let value = gotByTime[point.time]
                rows.append(ComparisonRow(
                    check: check, labels: key + " @\(PromServer.format(point.time))", prometheus: valueText(point.value),
                    siskin: valueText(value),
                    problem: value.map { tolerance.mismatch(expected: point.value, actual: $0) } ?? "no sample at this time"))
            }
            for point in got.points where !want.points.contains(where: { $0.time == point.time }) {
                rows.append(ComparisonRow(
                    check: check, labels: key + " @\(PromServer.format(point.time))", prometheus: "—",
                    siskin: valueText(point.value), problem: "sample only in siskin"))
            }
        }
        return rows
    }

    /// Labels Prometheus attaches to every scraped series itself; they say nothing about
    /// the pod, and siskin (which is pushed to, not scraping) has no equivalent.
    static let scrapeLabels: Set<String> = ["job", "instance"]

    /// Compares `/api/v1/series` answers as sets of label sets. Siskin keeps the labels
    /// its aggregation rules keep (plus `pod`, `namespace` and `__name__`), Prometheus
    /// every label Envoy prints plus `job` and `instance`. So: every label name siskin
    /// uses must exist in Prometheus' answer (Prometheus drops empty label values, so an
    /// empty value kept shows up here), and Prometheus' label sets, restricted to the
    /// names both use (minus `job` and `instance`), must be exactly siskin's, restricted
    /// the same way (no series lost, none invented, none split or merged differently).
    /// Returns the rows and the label names only Prometheus has.
    static func seriesSets(_ check: String, prometheus: PromAnswer, siskin: PromAnswer) -> (rows: [ComparisonRow], dropped: [String]) {
        guard prometheus.isSuccess, siskin.isSuccess, prometheus.resultType == siskin.resultType else {
            return ([ComparisonRow(
                check: check, labels: "", prometheus: prometheus.description, siskin: siskin.description,
                problem: "status or type differs")], [])
        }
        let prometheusNames = Set(prometheus.series.flatMap(\.labels.keys))
        let siskinNames = Set(siskin.series.flatMap(\.labels.keys))
        var rows: [ComparisonRow] = []
        for name in siskinNames.subtracting(prometheusNames).subtracting(scrapeLabels).sorted() {
            let values = Set(siskin.series.compactMap { $0.labels[name] }).sorted().map { "\"\($0)\"" }
            rows.append(ComparisonRow(
                check: check, labels: "label \(name)", prometheus: "—",
                siskin: values.prefix(5).joined(separator: ","), problem: "label name Prometheus does not have"))
        }
        let kept = siskinNames.intersection(prometheusNames).subtracting(scrapeLabels)
        func project(_ answer: PromAnswer) -> Set<[String: String]> {
            Set(answer.series.map { $0.labels.filter { kept.contains($0.key) } })
        }
        let expected = project(prometheus)
        let actual = project(siskin)
        // Show only the labels that tell the differing sets apart.
        let differing = expected.symmetricDifference(actual)
        let varying = Set(kept.filter { name in Set(differing.map { $0[name] ?? "" }).count > 1 })
        for labels in differing.sorted(by: { labelText($0) < labelText($1) }) {
            let missing = expected.contains(labels)
            rows.append(ComparisonRow(
                check: check, labels: labelText(labels.filter { varying.contains($0.key) }),
                prometheus: missing ? "present" : "—", siskin: missing ? "—" : "present",
                problem: missing ? "label set missing in siskin" : "label set only in siskin"))
        }
        if differing.isEmpty {
            rows.append(ComparisonRow(
                check: check, labels: "\(expected.count) label sets over \(kept.count) label names",
                prometheus: "\(prometheus.series.count) series", siskin: "\(siskin.series.count) series", problem: nil))
        }
        return (rows, prometheusNames.subtracting(kept).sorted())
    }

    /// Prints the table when verbose or when a row failed, and records every
    /// failed row as a test issue naming both sides.
    static func report(_ rows: [ComparisonRow], left: String, right: String) {
        if FidelityEnvironment.verbose || rows.contains(where: { $0.problem != nil }) {
            print(table(rows, left: left, right: right))
        }
        for row in rows {
            guard let problem = row.problem else { continue }
            Issue.record("\(row.check) \(row.labels): \(left) \(row.prometheus), \(right) \(row.siskin): \(problem)")
        }
    }

    /// A fixed-width table of rows, failures marked.
    static func table(_ rows: [ComparisonRow], left: String = "prometheus", right: String = "siskin") -> String {
        let header = ComparisonRow(check: "check", labels: "labels", prometheus: left, siskin: right, problem: "verdict")
        let all = [header] + rows
        func cut(_ text: String, _ width: Int) -> String {
            text.count <= width ? text.padding(toLength: width, withPad: " ", startingAt: 0) : String(text.prefix(width - 1)) + "…"
        }
        let widths = [
            min(34, all.map(\.check.count).max() ?? 5), min(110, all.map(\.labels.count).max() ?? 6),
            min(40, all.map(\.prometheus.count).max() ?? 10), min(40, all.map(\.siskin.count).max() ?? 6),
        ]
        return all.enumerated().map { index, row in
            let verdict = index == 0 ? "verdict" : (row.problem.map { "FAIL: " + $0 } ?? "ok")
            return [cut(row.check, widths[0]), cut(row.labels, widths[1]), cut(row.prometheus, widths[2]),
                    cut(row.siskin, widths[3]), verdict].joined(separator: " | ")
        }.joined(separator: "\n")
    }
}
