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
    let tokens: BearerTokens
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
        guard tokens.accepts(authorization: request.headers[.authorization]) else {
            metrics.recordRejected(reason: "unauthorized")
            return Self.text(.unauthorized, "missing or unknown bearer token\n",
                             extra: [.wwwAuthenticate: "Bearer realm=\"siskin\""])
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

    static func text(_ status: HTTPResponse.Status, _ message: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }
}
