import Hummingbird
import Logging
import SiskinAggregation
import SiskinIngest
import SiskinStore
import SiskinWire

/// `POST /api/v1/siskin/summaries`: where agents push. Answers follow the
/// table in docs/wire-format.md, so agents retry only what can succeed.
struct IngestRoutes: Sendable {
    let database: Database
    let access: AccessControl
    let intake: SummaryIntake
    let metrics: ServerMetrics
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.post(RouterPath(WireFormat.ingestPath)) { request, _ in
            try await self.ingest(request)
        }
    }

    func ingest(_ request: Request) async throws -> Response {
        let started = ServerClock.monotonicSeconds()
        let scope: TokenScope, tokenLine: Int?
        switch access.authorizePush(authorization: request.headers[.authorization]) {
        case .allowed(let allowed, let line): (scope, tokenLine) = (allowed, line)
        case .refused(let refusal):
            metrics.recordRejected(reason: refusal.reason)
            return Self.refusal(refusal)
        }
        let limit = intake.limits.maxCompressedBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            metrics.recordRejected(reason: "too_large")
            return Self.text(.contentTooLarge, "body of \(declared) bytes exceeds the limit of \(limit)\n")
        }
        if let encoding = request.headers[.contentEncoding], !encoding.isEmpty, encoding.lowercased() != "identity" {
            metrics.recordRejected(reason: "unsupported_encoding")
            return Self.text(.unsupportedMediaType, "Content-Encoding '\(encoding)' not supported: frames compress themselves\n")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            metrics.recordRejected(reason: "too_large")
            return Self.text(.contentTooLarge, "body exceeds the limit of \(limit) bytes\n")
        }
        let body = Array(buffer.readableBytesView)
        let summary: PodSummary
        do throws(SummaryIntake.Rejection) {
            summary = try intake.accept(body, contentType: request.headers[.contentType])
        } catch {
            let reason = switch error {
            case .unsupportedContentType: "unsupported_media_type"
            case .tooLarge: "too_large"
            case .undecodable: "undecodable"
            }
            metrics.recordRejected(reason: reason)
            logger.debug("push rejected", metadata: ["reason": "\(error)"])
            return Self.text(HTTPResponse.Status(code: error.httpStatus), "\(error)\n")
        }
        // The summary names its pod's namespace; a scoped token may only
        // write its own (a pod in team-a cannot write team-b's series).
        // Series labels name namespaces too (TokenScope.violation).
        if let violation = scope.violation(in: summary) {
            metrics.recordRejected(reason: "namespace_forbidden")
            logger.notice("push rejected: outside the token's namespaces", metadata: [
                "pod": "\(summary.namespace)/\(summary.pod)", "token_line": "\(tokenLine ?? 0)", "allowed": "\(scope.description)",
                "violation": "\(violation)",
            ])
            return Self.text(.forbidden, "this token may not push \(violation) (allowed: \(scope.description))\n")
        }
        let outcome = database.ingest(summary, body: body, now: ServerClock.nowMilliseconds())
        switch outcome {
        case .applied(let kind, _, _):
            metrics.recordAccepted(seconds: ServerClock.monotonicSeconds() - started, bytes: body.count)
            return Self.text(.accepted, kind == .baseline ? "baseline\n" : "applied\n")
        case .ignored(let why):
            metrics.recordIgnored(bytes: body.count)
            return Self.text(.ok, "\(why)\n")
        case .rejected(let rejection):
            metrics.recordRejected(reason: rejection.reason)
            logger.info("push rejected", metadata: [
                "pod": "\(summary.namespace)/\(summary.pod)", "reason": "\(rejection)",
            ])
            switch rejection {
            case .tooManyPods:
                return Self.text(.serviceUnavailable, "\(rejection)\n", extra: [.retryAfter: "60"])
            case .tooManySeries:
                return Self.text(.contentTooLarge, "\(rejection)\n")
            case .timestampInFuture, .timestampTooOld, .emptyIdentity:
                return Self.text(.badRequest, "\(rejection)\n")
            }
        }
    }

    /// 401 (with `WWW-Authenticate`, as RFC 6750 asks) or 403, plain text.
    static func refusal(_ refusal: AccessControl.Refusal) -> Response {
        let status = HTTPResponse.Status(code: refusal.status)
        let challenge: HTTPFields = refusal.status == 401 ? [.wwwAuthenticate: "Bearer realm=\"siskin\""] : [:]
        return text(status, refusal.message + "\n", extra: challenge)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
