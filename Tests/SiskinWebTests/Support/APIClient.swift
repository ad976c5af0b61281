import Foundation
import SiskinTesting

/// GETs of the JSON API over loopback with libcurl, off the cooperative pool.
enum APIClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func get(_ url: String) async throws -> Data {
        let reply = try await LoopbackHTTP.get(url)
        guard reply.status == 200 else { throw Failure(description: "\(url): \(reply.status) \(reply.text)") }
        return Data(reply.body)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ url: String) async throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(type, from: try await get(url))
    }
}
