/// A Kubernetes label selector in its string form (`app=podinfo,tier!=db`,
/// `env in (prod,staging)`, `!canary`), as the HPA sends it in `labelSelector`
/// and `metricLabelSelector`: requirements joined by commas, all of which must
/// hold. Parsed as `k8s.io/apimachinery/pkg/labels.Parse` does, so a selector
/// that works against the API server works here.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// One requirement on one label.
    public enum Requirement: Sendable, Hashable {
        case equal(String, String)
        case notEqual(String, String)
        case `in`(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)

        public var key: String {
            switch self {
            case .equal(let k, _), .notEqual(let k, _), .in(let k, _), .notIn(let k, _), .exists(let k), .doesNotExist(let k): k
            }
        }

        /// Whether `labels` satisfy it. As in Kubernetes, `!=` and `notin`
        /// hold for an object without the label.
        public func matches(_ labels: [String: String]) -> Bool {
            switch self {
            case .equal(let k, let v): labels[k] == v
            case .notEqual(let k, let v): labels[k] != v
            case .in(let k, let values): labels[k].map(values.contains) ?? false
            case .notIn(let k, let values): labels[k].map { !values.contains($0) } ?? true
            case .exists(let k): labels[k] != nil
            case .doesNotExist(let k): labels[k] == nil
            }
        }
    }

    public var requirements: [Requirement]

    /// The selector that selects everything (an empty `labelSelector`).
    public static let everything = LabelSelector(requirements: [])

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Parses the string form (already URL-decoded). Throws `LabelSelectorError`
    /// with a message in the words Kubernetes uses.
    public init(parsing text: String) throws(LabelSelectorError) {
        var parser = LabelSelectorParser(text)
        requirements = try parser.parse()
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String {
        requirements.map { r in
            switch r {
            case .equal(let k, let v): "\(k)=\(v)"
            case .notEqual(let k, let v): "\(k)!=\(v)"
            case .in(let k, let vs): "\(k) in (\(vs.joined(separator: ",")))"
            case .notIn(let k, let vs): "\(k) notin (\(vs.joined(separator: ",")))"
            case .exists(let k): k
            case .doesNotExist(let k): "!\(k)"
            }
        }.joined(separator: ",")
    }
}

/// A label selector that does not parse: the metrics APIs answer 400.
public struct LabelSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
