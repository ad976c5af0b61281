import Foundation
import SiskinAgent
import SiskinCanary

/// What the demo's Flagger does over HTTP against `siskin serve`, with libcurl
/// on one reused connection: instant queries on the Prometheus API (its
/// `metricsServer`) and the judge webhook.
///
/// Blocking and not thread-safe, like the curl handle it owns: the rollout
/// runs on its own thread.
final class FlaggerClient {
    let baseURL: String
    private let curl: CurlEasy
    private let timeoutSeconds: Double

    /// What a call could not get.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(baseURL: String, timeoutSeconds: Double = 5) throws {
        self.baseURL = baseURL
        self.curl = try CurlEasy()
        self.timeoutSeconds = timeoutSeconds
    }

    /// The single value of an instant query, nil when the vector is empty
    /// (Flagger's "no values found"). Sent as Flagger sends it: a GET with
    /// only `query=`, evaluated at the server's now.
    func value(of promql: String) throws(Failure) -> Double? {
        let request = HTTPRequest(
            method: .get, url: baseURL + "/api/v1/query?query=" + Self.formEncode(promql),
            timeoutSeconds: timeoutSeconds, maxResponseBytes: 4 << 20)
        let (status, data) = try perform(request)
        let answer: PrometheusVector
        do {
            answer = try JSONDecoder().decode(PrometheusVector.self, from: data)
        } catch {
            throw Failure(description: "query answered \(status) with an unreadable body: \(Self.head(data))")
        }
        guard status == 200, answer.status == "success", let payload = answer.data else {
            throw Failure(description: "query failed (\(status)): \(answer.error ?? Self.head(data))")
        }
        guard payload.resultType == "vector" else {
            throw Failure(description: "query answered a \(payload.resultType), not a vector")
        }
        guard payload.result.count <= 1 else {
            throw Failure(description: "query answered \(payload.result.count) series, Flagger expects one")
        }
        return payload.result.first?.value
    }

    /// The judge's answer to a Flagger webhook call.
    struct WebhookAnswer {
        var status: Int
        var outcome: Outcome
        var score: Double?
        /// One line: the verdict's summary (what Flagger shows in its events).
        var summary: String
    }

    /// POSTs Flagger's webhook payload to the judge endpoint.
    func judge(name: String, namespace: String, phase: String, checksum: String,
               metadata: [String: String]) throws(Failure) -> WebhookAnswer {
        struct Payload: Encodable {
            var name, namespace, phase, checksum: String
            var metadata: [String: String]
        }
        let json: Data
        do {
            json = try JSONEncoder().encode(Payload(name: name, namespace: namespace, phase: phase,
                                                    checksum: checksum, metadata: metadata))
        } catch {
            throw Failure(description: "cannot encode the webhook payload: \(error)")
        }
        let request = HTTPRequest(
            method: .post, url: baseURL + "/api/v1/siskin/flagger/judge",
            headers: [("Content-Type", "application/json")], body: Array(json),
            timeoutSeconds: timeoutSeconds, maxResponseBytes: 1 << 20)
        let (status, data) = try perform(request)
        switch status {
        case 200:
            guard let judgement = try? JSONDecoder().decode(CanaryJudgement.self, from: data) else {
                throw Failure(description: "the judge answered 200 with an unreadable body: \(Self.head(data))")
            }
            return WebhookAnswer(status: status, outcome: judgement.verdict.outcome, score: judgement.verdict.score,
                                 summary: judgement.verdict.summary)
        case 412:
            // Text: the headline first ("siskin canary ns/c vs p (5s): fail (score 0): …").
            let headline = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            let verdict = headline.range(of: "): ").map { String(headline[$0.upperBound...]) } ?? headline
            let outcome: Outcome = verdict.hasPrefix("inconclusive") ? .inconclusive : .fail
            return WebhookAnswer(status: status, outcome: outcome, score: Self.score(in: verdict), summary: verdict)
        default:
            throw Failure(description: "the judge answered \(status): \(Self.head(data))")
        }
    }

    /// Where the store's complete data for the canary ends (ms), from the
    /// page data endpoint, which runs the judge without recording a call:
    /// nil when it cannot tell.
    func coveredTo(namespace: String, canary: String, primary: String, window: String) -> Int64? {
        let query = "namespace=\(Self.formEncode(namespace))&canary=\(Self.formEncode(canary))"
            + "&primary=\(Self.formEncode(primary))&window=\(Self.formEncode(window))"
        let request = HTTPRequest(method: .get, url: baseURL + "/api/v1/siskin/canary/compare?" + query,
                                  timeoutSeconds: timeoutSeconds, maxResponseBytes: 4 << 20)
        guard let (status, data) = try? perform(request), status == 200,
              let comparison = try? JSONDecoder().decode(CanaryComparison.self, from: data)
        else { return nil }
        return comparison.judgement.coveredTo
    }

    private func perform(_ request: HTTPRequest) throws(Failure) -> (Int, Data) {
        do {
            return try curl.perform(request) { response, body in (response.status, Data(body)) }
        } catch {
            throw Failure(description: "\(request.url): \(error)")
        }
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters escaped.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// "(score 87.5" → 87.5.
    static func score(in summary: String) -> Double? {
        guard let start = summary.range(of: "(score ") else { return nil }
        let digits = summary[start.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    private static func head(_ data: Data) -> String {
        let text = String(decoding: data.prefix(300), as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
