import Foundation
import Hummingbird
import SiskinPromQL
import SiskinQuery
import SiskinStore

/// The Prometheus HTTP API on `siskin serve`'s port, so Flagger,
/// prometheus-adapter and Grafana use Siskin by changing an address.
struct PrometheusAPIRoutes: Sendable {
    let database: Database
    let engine = PromQLEngine()

    /// The Prometheus version whose API this answers like (Grafana reads it
    /// to choose features); Siskin's own version is in `revision`.
    static let compatibleVersion = "2.53.0"

    func register(on router: Router<BasicRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/api/v1/query", method: method) { request, _ in try await self.respond(request) { try self.query($0) } }
            router.on("/api/v1/query_range", method: method) { request, _ in try await self.respond(request) { try self.queryRange($0) } }
            router.on("/api/v1/series", method: method) { request, _ in try await self.respond(request) { try self.series($0) } }
            router.on("/api/v1/labels", method: method) { request, _ in try await self.respond(request) { try self.labels($0) } }
            router.on("/api/v1/label/:name/values", method: method) { request, context in
                let name = context.parameters.get("name") ?? ""
                return try await self.respond(request) { try self.labelValues(name, $0) }
            }
        }
        router.get("/api/v1/status/buildinfo") { _, _ in
            Self.json(.ok, PrometheusJSON.success(
                "{\"version\":\"\(Self.compatibleVersion)\",\"revision\":\"siskin\",\"branch\":\"siskin\",\"buildUser\":\"siskin\",\"buildDate\":\"\",\"goVersion\":\"none\"}"))
        }
        router.get("/-/healthy") { _, _ in IngestRoutes.text(.ok, "Siskin is Healthy.\n") }
        router.get("/-/ready") { _, _ in IngestRoutes.text(.ok, "Siskin is Ready.\n") }
    }

    // MARK: Handlers

    func query(_ form: FormParameters) throws -> String {
        let expr = try Self.parse(form["query"])
        let now = ServerClock.nowMilliseconds()
        let time = try Self.time(form["time"], default: now, name: "time")
        let timeout = try Self.timeout(form["timeout"])
        let value = try database.read { store in try engine.instant(expr, at: time, store: store, now: now, timeout: timeout) }
        return PrometheusJSON.success(PrometheusJSON.result(value, at: time))
    }

    func queryRange(_ form: FormParameters) throws -> String {
        let expr = try Self.parse(form["query"])
        let now = ServerClock.nowMilliseconds()
        guard form["start"] != nil else { throw PromQLError(.badData, "invalid parameter \"start\": missing") }
        guard form["end"] != nil else { throw PromQLError(.badData, "invalid parameter \"end\": missing") }
        let start = try Self.time(form["start"], default: now, name: "start")
        let end = try Self.time(form["end"], default: now, name: "end")
        guard let stepText = form["step"], let step = Self.duration(stepText) else {
            throw PromQLError(.badData, "invalid parameter \"step\": cannot parse \"\(form["step"] ?? "")\" to a valid duration")
        }
        let timeout = try Self.timeout(form["timeout"])
        let value = try database.read { store in
            try engine.range(expr, start: start, end: end, step: step, store: store, now: now, timeout: timeout)
        }
        return PrometheusJSON.success(PrometheusJSON.result(value, at: end))
    }

    func series(_ form: FormParameters) throws -> String {
        let selectors = try Self.selectors(form.all("match[]"))
        guard !selectors.isEmpty else { throw PromQLError(.badData, "no match[] parameter provided") }
        let sets = try database.read { store in try engine.series(matching: selectors, store: store) }
        return PrometheusJSON.success("[" + sets.map(PrometheusJSON.labels).joined(separator: ",") + "]")
    }

    func labels(_ form: FormParameters) throws -> String {
        let selectors = try Self.selectors(form.all("match[]"))
        let names = try database.read { store in try engine.labelNames(matching: selectors, store: store) }
        return PrometheusJSON.success(PrometheusJSON.strings(names))
    }

    func labelValues(_ name: String, _ form: FormParameters) throws -> String {
        let selectors = try Self.selectors(form.all("match[]"))
        let values = try database.read { store in
            try engine.labelValues(name, matching: selectors, store: store)
        }
        return PrometheusJSON.success(PrometheusJSON.strings(values))
    }

    // MARK: Plumbing

    func respond(_ request: Request, _ handler: (FormParameters) throws -> String) async throws -> Response {
        var body: [UInt8]? = nil
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let buffer = try await request.body.collect(upTo: 1 << 20)
            body = Array(buffer.readableBytesView)
        }
        let form = FormParameters(query: request.uri.query, body: body)
        if let name = form.invalidUTF8.first {
            return Self.json(.badRequest, PrometheusJSON.error("bad_data", "invalid parameter \"\(name)\": invalid UTF-8"))
        }
        do {
            return Self.json(.ok, try handler(form))
        } catch let error as PromQLError {
            let status: HTTPResponse.Status = switch error.kind {
            case .badData: .badRequest
            case .execution: .unprocessableContent
            case .timeout: .serviceUnavailable
            }
            return Self.json(status, PrometheusJSON.error(error.kind.rawValue, error.message))
        } catch {
            return Self.json(.unprocessableContent, PrometheusJSON.error("execution", "\(error)"))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func parse(_ query: String?) throws(PromQLError) -> Expr {
        guard let query, !query.isEmpty else { throw PromQLError(.badData, "invalid parameter \"query\": 1:1: parse error: no expression found in input") }
        do {
            return try PromQLParser.parse(query)
        } catch {
            throw PromQLError(.badData, "invalid parameter \"query\": \(error)")
        }
    }

    static func selectors(_ texts: [String]) throws(PromQLError) -> [VectorSelector] {
        var out: [VectorSelector] = []
        for text in texts {
            let expr: Expr
            do { expr = try PromQLParser.parse(text) } catch { throw PromQLError(.badData, "invalid parameter \"match[]\": \(error)") }
            guard case .vector(let selector) = expr else {
                throw PromQLError(.badData, "invalid parameter \"match[]\": \(text) is not a series selector")
            }
            out.append(selector)
        }
        return out
    }

    /// Unix seconds (fractions allowed) or RFC 3339, as Prometheus accepts.
    static func time(_ text: String?, default fallback: Int64, name: String) throws(PromQLError) -> Int64 {
        guard let text, !text.isEmpty else { return fallback }
        if let seconds = Double(text), seconds.isFinite, abs(seconds) < 1e13 {
            return Int64((seconds * 1000).rounded())
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        throw PromQLError(.badData, "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
    }

    /// The `timeout` parameter in seconds; Prometheus' default is 2 minutes.
    static func timeout(_ text: String?) throws(PromQLError) -> Double {
        guard let text, !text.isEmpty else { return 120 }
        guard let ms = duration(text) else {
            throw PromQLError(.badData, "invalid parameter \"timeout\": cannot parse \"\(text)\" to a valid duration")
        }
        return Double(ms) / 1000
    }

    /// Seconds (fractions allowed) or a Prometheus duration, in ms.
    static func duration(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 1e12 {
            return Int64((seconds * 1000).rounded())
        }
        return PromQLDuration.milliseconds(text)
    }
}
