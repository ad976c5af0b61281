/// A selector as `metav1.LabelSelector` serialises it (`matchLabels`,
/// `matchExpressions`): how custom metric values echo the metric selector
/// they were computed for.
public struct LabelSelectorDocument: Sendable, Equatable, Encodable {
    public struct Expression: Sendable, Equatable, Encodable {
        public var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
        public var `operator`: String
        public var values: [String]?
    }

    public var matchLabels: [String: String]?
    public var matchExpressions: [Expression]?

    /// The structured form of a parsed selector (`a!=b` becomes `NotIn [b]`,
    /// as Kubernetes converts it).
    public init(_ selector: LabelSelector) {
        var labels: [String: String] = [:]
        var expressions: [Expression] = []
        for requirement in selector.requirements {
            switch requirement {
            case .equal(let k, let v): labels[k] = v
            case .notEqual(let k, let v): expressions.append(Expression(key: k, operator: "NotIn", values: [v]))
            case .in(let k, let vs): expressions.append(Expression(key: k, operator: "In", values: vs))
            case .notIn(let k, let vs): expressions.append(Expression(key: k, operator: "NotIn", values: vs))
            case .exists(let k): expressions.append(Expression(key: k, operator: "Exists", values: nil))
            case .doesNotExist(let k): expressions.append(Expression(key: k, operator: "DoesNotExist", values: nil))
            }
        }
        matchLabels = labels.isEmpty ? nil : labels
        matchExpressions = expressions.isEmpty ? nil : expressions
    }
}
