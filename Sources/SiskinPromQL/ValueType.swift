/// The type of value an expression evaluates to, as Prometheus types them.
///
/// The raw values are the `resultType` names of Prometheus' HTTP API.
public enum PromQLValueType: String, Sendable, Equatable, CaseIterable {
    case scalar
    /// An instant vector.
    case vector
    /// A range vector.
    case matrix
    case string

    /// The name Prometheus' documentation and error messages use
    /// ("instant vector", "range vector", …).
    public var documentedName: String {
        switch self {
        case .scalar: "scalar"
        case .vector: "instant vector"
        case .matrix: "range vector"
        case .string: "string"
        }
    }
}

extension Expr {
    /// The type this expression evaluates to. For a parsed expression this is
    /// the type the parser checked; a call to a function the parser does not
    /// know is taken to return an instant vector.
    public var valueType: PromQLValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        case .call(let name, _): PromQLFunction.signature(of: name)?.returnType ?? .vector
        case .aggregate: .vector
        case .binary(let binary):
            binary.lhs.valueType == .scalar && binary.rhs.valueType == .scalar ? .scalar : .vector
        case .unary(_, let operand): operand.valueType
        case .parenthesized(let inner): inner.valueType
        }
    }
}

/// The functions Siskin evaluates, with the argument and return types
/// Prometheus declares for them (promql/parser/functions.go), so calls are
/// checked at parse time exactly as Prometheus checks them.
public struct PromQLFunction: Sendable, Equatable {
    public var name: String
    public var argumentTypes: [PromQLValueType]
    /// How many trailing arguments may be left out (`round`'s `to_nearest`).
    public var optionalArgumentCount: Int
    public var returnType: PromQLValueType

    /// Every function the parser accepts, by name.
    public static let all: [String: PromQLFunction] = {
        let v = PromQLValueType.vector, s = PromQLValueType.scalar, m = PromQLValueType.matrix
        let list = [
            PromQLFunction(name: "abs", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "absent", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "ceil", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "clamp", argumentTypes: [v, s, s], returnType: v),
            PromQLFunction(name: "clamp_max", argumentTypes: [v, s], returnType: v),
            PromQLFunction(name: "clamp_min", argumentTypes: [v, s], returnType: v),
            PromQLFunction(name: "floor", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "histogram_quantile", argumentTypes: [s, v], returnType: v),
            PromQLFunction(name: "increase", argumentTypes: [m], returnType: v),
            PromQLFunction(name: "irate", argumentTypes: [m], returnType: v),
            PromQLFunction(name: "label_replace", argumentTypes: [v, .string, .string, .string, .string], returnType: v),
            PromQLFunction(name: "rate", argumentTypes: [m], returnType: v),
            PromQLFunction(name: "round", argumentTypes: [v, s], optionalArgumentCount: 1, returnType: v),
            PromQLFunction(name: "scalar", argumentTypes: [v], returnType: s),
            PromQLFunction(name: "sort", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "sort_desc", argumentTypes: [v], returnType: v),
            PromQLFunction(name: "time", argumentTypes: [], returnType: s),
            PromQLFunction(name: "vector", argumentTypes: [s], returnType: v),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }()

    public static func signature(of name: String) -> PromQLFunction? { all[name] }

    public init(name: String, argumentTypes: [PromQLValueType], optionalArgumentCount: Int = 0, returnType: PromQLValueType) {
        self.name = name
        self.argumentTypes = argumentTypes
        self.optionalArgumentCount = optionalArgumentCount
        self.returnType = returnType
    }

    /// Functions Prometheus has and Siskin does not evaluate: calling one is
    /// "not supported", not "unknown", so a dashboard author knows the query
    /// is valid PromQL and only Siskin's subset stops it.
    static let prometheusOnly: Set<String> = [
        "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time",
        "changes", "cos", "cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year",
        "days_in_month", "deg", "delta", "deriv", "double_exponential_smoothing", "exp",
        "first_over_time", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_stddev",
        "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta", "info", "label_join",
        "last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time",
        "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad",
        "resets", "sgn", "sin", "sinh", "sort_by_label", "sort_by_label_desc", "sqrt",
        "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "timestamp",
        "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time", "ts_of_min_over_time",
        "year",
    ]
}
