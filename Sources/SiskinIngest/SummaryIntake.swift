import SiskinAggregation
import SiskinExposition
import SiskinWire

/// The first step of ingest: check and decode one pushed summary body.
///
/// Shared by the aggregator's HTTP ingest and by `siskin decode`, so a body
/// that one accepts the other accepts too. Every rejection maps to the HTTP
/// status an agent should see (and back off on).
public struct SummaryIntake: Sendable {
    public enum Rejection: Error, CustomStringConvertible, Equatable {
        case unsupportedContentType(String)
        case tooLarge(bytes: Int, limit: Int)
        case undecodable(String)

        /// 415 for a wrong media type, 413 for size, 400 for a body that is not
        /// a valid summary.
        public var httpStatus: Int {
            switch self {
            case .unsupportedContentType: 415
            case .tooLarge: 413
            case .undecodable: 400
            }
        }

        public var description: String {
            switch self {
            case .unsupportedContentType(let type):
                "unsupported content type '\(type)', expected '\(WireFormat.contentType)'"
            case .tooLarge(let bytes, let limit): "body of \(bytes) bytes exceeds the limit of \(limit)"
            case .undecodable(let reason): "not a valid summary: \(reason)"
            }
        }
    }

    public var limits: DecodingLimits
    /// Strings of earlier pushes (see `StringCache`); nil decodes every
    /// string afresh, as a one-shot tool does.
    public let cache: StringCache?

    public init(limits: DecodingLimits = .default, cache: StringCache? = nil) {
        self.limits = limits
        self.cache = cache
    }

    /// Decodes `body`; `contentType` is checked when given (HTTP), ignoring
    /// parameters such as `; charset=`.
    public func accept(_ body: [UInt8], contentType: String? = nil) throws(Rejection) -> PodSummary {
        if let contentType {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingScalars(in: " \t") } ?? ""
            guard mediaType.lowercased() == WireFormat.contentType else {
                throw .unsupportedContentType(contentType)
            }
        }
        guard body.count <= limits.maxCompressedBytes else {
            throw .tooLarge(bytes: body.count, limit: limits.maxCompressedBytes)
        }
        do {
            return try SummaryDecoder(limits: limits, cache: cache).decode(body)
        } catch {
            throw .undecodable(error.description)
        }
    }
}
