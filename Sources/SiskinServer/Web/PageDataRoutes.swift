import Hummingbird
import SiskinCanary
import SiskinQuery
import SiskinStore

/// JSON the pages need beyond the native API, each computed from the store by
/// the same code that answers `/api/v1/siskin/workload` and the judge (no
/// second implementation of rates, quantiles or verdicts):
///
/// * `GET /api/v1/siskin/fleet?[namespace=][&window=1m][&step=10s][&points=30][&time=]`:
///   the first 100 workloads (of `namespace`, when given) with their pods'
///   agent freshness, report over the window and trend, and how many more
///   there are (`FleetOverview`).
/// * `GET /api/v1/siskin/workload/trend?namespace=&workload=[&revision=][&reporter=][&step=10s][&points=30][&time=]`:
///   one workload as consecutive windows of `step` (`WorkloadTrend`).
/// * `GET /api/v1/siskin/canary/compare?namespace=&canary=[&primary=][&window=][&time=]…`:
///   the judgement with both sides' quantiles and histograms
///   (`CanaryComparison`). It takes the judge endpoint's keys but is not a
///   judge call: the history does not record it, so a page left open does
///   not fill the history.
struct PageDataRoutes: Sendable {
    let database: Database

    static let fleetPath = "/api/v1/siskin/fleet"
    static let trendPath = "/api/v1/siskin/workload/trend"
    static let comparePath = "/api/v1/siskin/canary/compare"

    func register(on router: Router<BasicRequestContext>) {
        router.get(RouterPath(Self.fleetPath)) { request, _ in
            let parameters = request.uri.queryParameters
            let now = ServerClock.nowMilliseconds()
            let span: (milliseconds: Int64, end: Int64), trend: (step: Int64, points: Int)
            switch NativeQueryRoutes.window(parameters.get("window"), time: parameters.get("time"), now: now)
                .flatMap({ w in Self.trendShape(step: parameters.get("step"), points: parameters.get("points")).map { (w, $0) } })
            {
            case .success(let pair): span = pair.0; trend = pair.1
            case .failure(let problem): return try NativeQueryRoutes.json(["error": problem.text], status: .badRequest)
            }
            let namespace = parameters.get("namespace").flatMap { $0.isEmpty ? nil : $0 }
            let overview = FleetOverview(windowMilliseconds: span.milliseconds, at: span.end, stepMilliseconds: trend.step,
                                         points: trend.points, namespace: namespace, database: database, now: now)
            return try NativeQueryRoutes.json(overview)
        }
        router.get(RouterPath(Self.trendPath)) { request, _ in
            let parameters = request.uri.queryParameters
            let now = ServerClock.nowMilliseconds()
            let query: WorkloadQuery, trend: (step: Int64, points: Int)
            switch NativeQueryRoutes.workloadQuery(
                namespace: parameters.get("namespace"), workload: parameters.get("workload"),
                revision: parameters.get("revision"), reporter: parameters.get("reporter"),
                window: nil, time: parameters.get("time"), now: now)
                .flatMap({ q in Self.trendShape(step: parameters.get("step"), points: parameters.get("points")).map { (q, $0) } })
            {
            case .success(let pair): query = pair.0; trend = pair.1
            case .failure(let problem): return try NativeQueryRoutes.json(["error": problem.text], status: .badRequest)
            }
            let answer = database.read {
                WorkloadTrend(query, stepMilliseconds: trend.step, points: trend.points, store: $0, now: now)
            }
            return try NativeQueryRoutes.json(answer)
        }
        router.get(RouterPath(Self.comparePath)) { request, _ in
            let now = ServerClock.nowMilliseconds()
            let parameters: CanaryParameters
            switch CanaryRoutes.parameters(of: request, now: now) {
            case .success(let p): parameters = p
            case .failure(let invalid): return try NativeQueryRoutes.json(["error": invalid.reason], status: .badRequest)
            }
            let judge = CanaryJudge(configuration: parameters.configuration)
            let comparison = database.read { CanaryComparison(parameters.window, judge: judge, store: $0, now: now) }
            return try NativeQueryRoutes.json(comparison)
        }
    }

    /// `step` (default 10 s, at least 1 s) and `points` (default 30, 1…120).
    static func trendShape(step: String?, points: String?) -> Result<(step: Int64, points: Int), NativeQueryRoutes.BadParameter> {
        var stepMs: Int64 = 10_000
        if let step {
            guard let ms = DurationText.milliseconds(step), ms >= 1000 else {
                return .failure(.init(text: "invalid parameter 'step': \(step) (at least 1s)"))
            }
            stepMs = ms
        }
        var count = 30
        if let points {
            guard let n = Int(points), (1...WorkloadTrend.maxPoints).contains(n) else {
                return .failure(.init(text: "invalid parameter 'points': \(points) (1…\(WorkloadTrend.maxPoints))"))
            }
            count = n
        }
        return .success((stepMs, count))
    }
}
