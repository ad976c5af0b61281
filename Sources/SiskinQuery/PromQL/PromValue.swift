import SiskinAggregation

/// One sample of an instant vector: a label set (sorted by name, `__name__`
/// included while it applies) and a value.
public struct PromSample: Sendable, Equatable {
    public var labels: [Label]
    public var value: Double

    public init(labels: [Label], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// One series of a range result: a label set and its points.
public struct PromSeries: Sendable, Equatable {
    public var labels: [Label]
    /// (milliseconds since the epoch, value), ascending in time.
    public var points: [(Int64, Double)]

    public init(labels: [Label], points: [(Int64, Double)]) {
        self.labels = labels
        self.points = points
    }

    public static func == (a: PromSeries, b: PromSeries) -> Bool {
        a.labels == b.labels && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.0 == $1.0 && ($0.1 == $1.1 || ($0.1.isNaN && $1.1.isNaN)) }
    }
}

/// What a PromQL expression evaluates to, as the HTTP API's `resultType`s.
public enum PromValue: Sendable, Equatable {
    case scalar(Double)
    case string(String)
    case vector([PromSample])
    case matrix([PromSeries])

    public var typeName: String {
        switch self {
        case .scalar: "scalar"
        case .string: "string"
        case .vector: "vector"
        case .matrix: "matrix"
        }
    }
}

/// An evaluation failure, with the HTTP API's error classes.
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The query or a parameter is malformed: 400.
        case badData = "bad_data"
        /// It parsed but cannot be evaluated (e.g. many-to-many matching): 422.
        case execution
        /// It took longer than allowed: 503.
        case timeout
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
