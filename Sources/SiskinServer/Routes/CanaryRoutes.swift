import Foundation
import Hummingbird
import Logging
import SiskinCanary
import SiskinStore

/// The canary judge over HTTP (docs/canary-judge.md, "Flagger webhook"):
///
/// * `POST /api/v1/siskin/flagger/judge`: Flagger's webhook. 200 with the
///   judgement's JSON when the canary passes; 412 with a readable text body
///   (one-line summary first) when it fails or is inconclusive, since Flagger
///   advances only on 200…202 and shows the body in its events; 400 for a
///   payload it cannot use.
/// * `GET /api/v1/siskin/canary/judge?namespace=&canary=&primary=&window=`:
///   the same judgement without Flagger's envelope, always 200 with the
///   judgement's JSON (what `siskin canary judge` calls).
/// * `GET /api/v1/siskin/canary/history?namespace=&canary=`: the last judge
///   calls per canary, from memory.
struct CanaryRoutes: Sendable {
    let database: Database
    let history: CanaryHistory
    let logger: Logger

    static let flaggerPath = "/api/v1/siskin/flagger/judge"
    static let judgePath = "/api/v1/siskin/canary/judge"
    static let historyPath = "/api/v1/siskin/canary/history"
    /// Flagger's payload is a few hundred bytes; metadata with a `config`
    /// JSON a few KB.
    static let maxPayloadBytes = 64 << 10
    /// The response header carrying the outcome (`pass`, `fail`, `inconclusive`).
    static let outcomeHeader = HTTPFields.Element.Name("Siskin-Verdict")!

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(Self.flaggerPath)) { request, _ in
            try await self.flagger(request)
        }
        router.get(RouterPath(Self.judgePath)) { request, _ in
            try self.judge(request)
        }
        router.get(RouterPath(Self.historyPath)) { request, _ in
            let form = FormParameters(query: request.uri.query)
            func filter(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
            return try NativeQueryRoutes.json(history.snapshot(namespace: filter("namespace"), canary: filter("canary")))
        }
    }

    /// What Flagger POSTs to every webhook (`CanaryWebhookPayload`).
    struct FlaggerPayload: Decodable {
        var name: String
        var namespace: String
        var phase: String?
        var checksum: String?
        var metadata: [String: String]?
    }

    func flagger(_ request: Request) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxPayloadBytes)
        } catch {
            return IngestRoutes.text(.contentTooLarge, "payload exceeds \(Self.maxPayloadBytes) bytes\n")
        }
        let body = Data(buffer.readableBytesView)
        guard !body.isEmpty else {
            return IngestRoutes.text(.badRequest, "empty body: expected Flagger's webhook JSON "
                + "{\"name\", \"namespace\", \"phase\", \"checksum\", \"metadata\"}\n")
        }
        let payload: FlaggerPayload
        do {
            payload = try JSONDecoder().decode(FlaggerPayload.self, from: body)
        } catch {
            return IngestRoutes.text(.badRequest, "invalid Flagger webhook payload: \(CanaryParameters.describe(error))\n")
        }
        guard !payload.name.isEmpty, !payload.namespace.isEmpty else {
            return IngestRoutes.text(.badRequest, "invalid Flagger webhook payload: empty 'name' or 'namespace'\n")
        }
        let now = ServerClock.nowMilliseconds()
        let parameters: CanaryParameters
        switch CanaryParameters.parse(payload.metadata ?? [:], defaultNamespace: payload.namespace,
                                      defaultCanary: payload.name, now: now) {
        case .success(let p): parameters = p
        case .failure(let invalid): return IngestRoutes.text(.badRequest, "invalid webhook metadata: \(invalid.reason)\n")
        }
        let judgement = run(parameters, now: now)
        let outcome = judgement.verdict.outcome
        let status: HTTPResponse.Status = outcome == .pass ? .ok : .preconditionFailed
        history.record(CanaryHistoryEntry(
            judgedAt: Double(now) / 1000, source: "flagger",
            flagger: .init(name: payload.name, namespace: payload.namespace, phase: payload.phase,
                           checksum: payload.checksum),
            status: status.code, canaryWeight: parameters.canaryWeight, judgement: judgement))
        logger.info("canary judged", metadata: [
            "canary": "\(judgement.namespace)/\(judgement.canary)", "primary": "\(judgement.primary)",
            "outcome": "\(outcome.rawValue)", "score": "\(judgement.verdict.score)", "phase": "\(payload.phase ?? "")",
        ])
        if outcome == .pass {
            var response = try NativeQueryRoutes.json(judgement, status: status)
            response.headers[Self.outcomeHeader] = outcome.rawValue
            return response
        }
        return IngestRoutes.text(status, judgement.headline + "\n\n" + judgement.report(),
                                 extra: [Self.outcomeHeader: outcome.rawValue])
    }

    func judge(_ request: Request) throws -> Response {
        let now = ServerClock.nowMilliseconds()
        let parameters: CanaryParameters
        switch Self.parameters(of: request, now: now) {
        case .success(let p): parameters = p
        case .failure(let invalid): return try NativeQueryRoutes.json(["error": invalid.reason], status: .badRequest)
        }
        let judgement = run(parameters, now: now)
        history.record(CanaryHistoryEntry(judgedAt: Double(now) / 1000, source: "api", flagger: nil,
                                          status: HTTPResponse.Status.ok.code, canaryWeight: parameters.canaryWeight,
                                          judgement: judgement))
        var response = try NativeQueryRoutes.json(judgement)
        response.headers[Self.outcomeHeader] = judgement.verdict.outcome.rawValue
        return response
    }

    /// A GET's query parameters (the first of repeated names) as judge parameters.
    static func parameters(of request: Request, now: Int64) -> Result<CanaryParameters, CanaryParameters.Invalid> {
        let form = FormParameters(query: request.uri.query)
        var values: [String: String] = [:]
        for (name, value) in form.pairs where values[name] == nil { values[name] = value }
        return CanaryParameters.parse(values, now: now)
    }

    func run(_ parameters: CanaryParameters, now: Int64) -> CanaryJudgement {
        let judge = CanaryJudge(configuration: parameters.configuration)
        return database.read { judge.judgement(parameters.window, store: $0, now: now) }
    }
}
