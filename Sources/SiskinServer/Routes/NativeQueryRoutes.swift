import Foundation
import Hummingbird
import SiskinQuery
import SiskinStore

/// Siskin's own JSON API: what is there (`/api/v1/siskin/workloads`) and how
/// one workload is doing (`/api/v1/siskin/workload`). `siskin query` prints
/// the same as tables.
struct NativeQueryRoutes: Sendable {
    let database: Database

    static let workloadsPath = "/api/v1/siskin/workloads"
    static let workloadPath = "/api/v1/siskin/workload"

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.workloadsPath)) { _, _ in
            let now = ServerClock.nowMilliseconds()
            let inventory = database.read { Inventory(store: $0, now: now) }
            return try Self.json(inventory)
        }
        router.get(RouterPath(Self.workloadPath)) { request, _ in
            let parameters = request.uri.queryParameters
            let now = ServerClock.nowMilliseconds()
            let query: WorkloadQuery
            switch Self.workloadQuery(
                namespace: parameters.get("namespace"), workload: parameters.get("workload"),
                revision: parameters.get("revision"), reporter: parameters.get("reporter"),
                window: parameters.get("window"), time: parameters.get("time"), now: now)
            {
            case .success(let q): query = q
            case .failure(let message): return try Self.json(["error": message.text], status: .badRequest)
            }
            let report = database.read { WorkloadQuerier().answer(query, store: $0, now: now) }
            return try Self.json(report)
        }
    }

    struct BadParameter: Error { let text: String }

    /// Validates the query parameters; `time` is Unix seconds (fractions
    /// allowed), `window` a duration such as `1m`.
    static func workloadQuery(namespace: String?, workload: String?, revision: String?, reporter: String?,
                              window: String?, time: String?, now: Int64) -> Result<WorkloadQuery, BadParameter> {
        guard let namespace, !namespace.isEmpty else { return .failure(.init(text: "missing parameter 'namespace'")) }
        guard let workload, !workload.isEmpty else { return .failure(.init(text: "missing parameter 'workload'")) }
        let windowMs: Int64, at: Int64
        switch Self.window(window, time: time, now: now) {
        case .success(let span): (windowMs, at) = (span.milliseconds, span.end)
        case .failure(let problem): return .failure(problem)
        }
        let reporter = reporter ?? "destination"
        guard reporter == "destination" || reporter == "source" else {
            return .failure(.init(text: "invalid parameter 'reporter': \(reporter) (destination or source)"))
        }
        return .success(WorkloadQuery(namespace: namespace, workload: workload,
                                      revision: (revision?.isEmpty ?? true) ? nil : revision,
                                      reporter: reporter, windowMilliseconds: windowMs, at: at))
    }

    /// `window` (a duration, default 1m) and `time` (its end, Unix seconds,
    /// default now) as milliseconds.
    static func window(_ window: String?, time: String?, now: Int64)
        -> Result<(milliseconds: Int64, end: Int64), BadParameter> {
        var windowMs: Int64 = 60_000
        if let window {
            guard let ms = DurationText.milliseconds(window), ms > 0 else {
                return .failure(.init(text: "invalid parameter 'window': \(window) (use e.g. 30s, 1m, 5m)"))
            }
            windowMs = ms
        }
        var at = now
        if let time {
            guard let seconds = Double(time), seconds.isFinite, abs(seconds) < 1e11 else {
                return .failure(.init(text: "invalid parameter 'time': \(time) (Unix seconds)"))
            }
            at = Int64((seconds * 1000).rounded())
        }
        return .success((windowMs, at))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
