import Foundation

/// The part of a Prometheus `/api/v1/query` answer Flagger reads: an instant
/// vector's samples, or the error Prometheus reported.
struct PrometheusVector: Decodable {
    struct Sample: Decodable {
        var metric: [String: String]
        var value: Double

        private enum Keys: String, CodingKey { case metric, value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            metric = try container.decodeIfPresent([String: String].self, forKey: .metric) ?? [:]
            // [ <unix seconds>, "<value as text>" ]: Prometheus quotes values so NaN and ±Inf survive JSON.
            var pair = try container.nestedUnkeyedContainer(forKey: .value)
            _ = try pair.decode(Double.self)
            let text = try pair.decode(String.self)
            switch text {
            case "NaN": value = .nan
            case "+Inf", "Inf": value = .infinity
            case "-Inf": value = -.infinity
            default:
                guard let number = Double(text) else {
                    throw DecodingError.dataCorruptedError(in: pair, debugDescription: "not a sample value: \(text)")
                }
                value = number
            }
        }
    }

    struct Payload: Decodable {
        var resultType: String
        var result: [Sample]
    }

    var status: String
    var data: Payload?
    var errorType: String?
    var error: String?
}
