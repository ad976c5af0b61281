import Foundation
import SiskinAgent

/// GETs of the JSON API over loopback with libcurl, off the cooperative pool.
enum APIClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func get(_ url: String) async throws -> Data {
        let (status, body) = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try CurlEasy().perform(HTTPRequest(method: .get, url: url)) { response, body in (response.status, Data(body)) }
                })
            }.start()
        }
        guard status == 200 else { throw Failure(description: "\(url): \(status) \(String(decoding: body, as: UTF8.self))") }
        return body
    }

    static func decode<T: Decodable>(_ type: T.Type, _ url: String) async throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: try await get(url))
    }
}
