import Foundation
import SiskinTesting
import SiskinAgent

/// One answer of the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`,
/// `/api/v1/series`), parsed with Foundation's JSONSerialization into what the comparison
/// needs. Prometheus' JSON: `{"status":"success","data":{"resultType":"vector","result":
/// [{"metric":{...},"value":[<unix seconds>,"<value>"]}]}}`; a matrix has `values`; a
/// scalar's result is one `[t, "v"]` pair; series answers are a list of label maps.
struct PromAnswer: Sendable, CustomStringConvertible {
    struct Series: Sendable {
        var labels: [String: String]
        /// `(unix seconds, value)`; one for a vector or scalar, several for a matrix.
        var points: [(time: Double, value: Double)]
    }

    var httpStatus: Int
    var status: String
    var resultType: String?
    var series: [Series]
    var errorType: String?
    var error: String?
    var raw: String

    var isSuccess: Bool { httpStatus == 200 && status == "success" }

    var description: String {
        isSuccess ? "\(resultType ?? "?") with \(series.count) series" : "HTTP \(httpStatus) \(status) \(errorType ?? "") \(error ?? raw.prefix(200).description)"
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses a query or series reply; a body that is not the API's JSON is an error.
    init(_ reply: LoopbackHTTP.Reply) throws {
        httpStatus = reply.status
        raw = reply.text
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let status = object["status"] as? String
        else { throw Malformed(description: "HTTP \(reply.status), not Prometheus API JSON: \(raw.prefix(300))") }
        self.status = status
        errorType = object["errorType"] as? String
        error = object["error"] as? String
        series = []
        guard status == "success" else { return }
        if let list = object["data"] as? [[String: Any]] {  // /api/v1/series
            resultType = "series"
            series = try list.map { Series(labels: try Self.labels($0), points: []) }
            return
        }
        guard let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw Malformed(description: "no data.resultType in \(raw.prefix(300))")
        }
        resultType = type
        switch type {
        case "vector":
            let result = data["result"] as? [[String: Any]] ?? []
            series = try result.map { Series(labels: try Self.labels($0["metric"]), points: [try Self.point($0["value"])]) }
        case "matrix":
            let result = data["result"] as? [[String: Any]] ?? []
            series = try result.map { entry in
                let values = entry["values"] as? [Any] ?? []
                return Series(labels: try Self.labels(entry["metric"]), points: try values.map(Self.point))
            }
        case "scalar", "string":
            series = [Series(labels: [:], points: [try Self.point(data["result"])])]
        default:
            throw Malformed(description: "unknown resultType \(type)")
        }
    }

    private static func labels(_ value: Any?) throws -> [String: String] {
        guard let map = value as? [String: Any] else { throw Malformed(description: "labels are not an object: \(String(describing: value))") }
        var labels: [String: String] = [:]
        for (name, value) in map {
            guard let text = value as? String else { throw Malformed(description: "label \(name) is not a string") }
            labels[name] = text
        }
        return labels
    }

    private static func point(_ value: Any?) throws -> (time: Double, value: Double) {
        guard let pair = value as? [Any], pair.count == 2, let time = (pair[0] as? NSNumber)?.doubleValue,
            let text = pair[1] as? String
        else { throw Malformed(description: "not a [time, \"value\"] pair: \(String(describing: value))") }
        guard let number = Self.number(text) else { throw Malformed(description: "not a sample value: \(text)") }
        return (time, number)
    }

    /// Prometheus prints values as Go's strconv.FormatFloat: `NaN`, `+Inf`, `-Inf`, numbers.
    static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
    }
}

/// A server that answers the Prometheus HTTP API: the real Prometheus, or `siskin serve`.
struct PromServer: Sendable {
    var name: String
    var baseURL: String
    /// A Prometheus' TSDB directory (nil for siskin).
    var storagePath: String?

    func query(_ promQL: String, at time: Double, post: Bool = false) async throws -> PromAnswer {
        let parameters = [("query", promQL), ("time", Self.format(time))]
        if post {
            return try PromAnswer(try await LoopbackHTTP.postForm(baseURL + "/api/v1/query", parameters))
        }
        return try PromAnswer(try await LoopbackHTTP.get(baseURL + "/api/v1/query?" + LoopbackHTTP.formEncoded(parameters)))
    }

    func queryRange(_ promQL: String, start: Double, end: Double, step: Double) async throws -> PromAnswer {
        let parameters = [
            ("query", promQL), ("start", Self.format(start)), ("end", Self.format(end)), ("step", Self.format(step)),
        ]
        return try PromAnswer(try await LoopbackHTTP.get(baseURL + "/api/v1/query_range?" + LoopbackHTTP.formEncoded(parameters)))
    }

    func series(_ matcher: String, start: Double, end: Double) async throws -> PromAnswer {
        let parameters = [("match[]", matcher), ("start", Self.format(start)), ("end", Self.format(end))]
        return try PromAnswer(try await LoopbackHTTP.get(baseURL + "/api/v1/series?" + LoopbackHTTP.formEncoded(parameters)))
    }

    /// Unix seconds with millisecond precision, as Prometheus clients send them.
    static func format(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }
}
