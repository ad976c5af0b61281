/// A parsed PromQL expression: the subset Siskin evaluates (see
/// docs/promql.md). The parser (`PromQLParser`) builds it; the engine in
/// SiskinQuery evaluates it. Durations are in milliseconds.
public indirect enum Expr: Sendable, Equatable {
    case number(Double)
    case string(String)
    /// `name{matchers} offset d`, an instant vector.
    case vector(VectorSelector)
    /// `name{matchers}[range] offset d`, a range vector.
    case matrix(VectorSelector, rangeMilliseconds: Int64)
    /// `fn(args...)`.
    case call(name: String, arguments: [Expr])
    /// `op [by|without (labels)] ([parameter,] expr)`.
    case aggregate(Aggregation)
    /// `lhs op [bool] [on|ignoring (labels)] [group_left|group_right (labels)] rhs`.
    case binary(Binary)
    /// `-expr` or `+expr`.
    case unary(negate: Bool, Expr)
    /// `(expr)`, kept so the printer can reproduce the input's structure.
    case parenthesized(Expr)
}

/// `name{matchers}` with an optional `offset`.
public struct VectorSelector: Sendable, Equatable {
    /// The metric name written before the braces, if any (also present as a
    /// `__name__` equality matcher in `matchers`).
    public var name: String?
    public var matchers: [Matcher]
    public var offsetMilliseconds: Int64

    public init(name: String?, matchers: [Matcher], offsetMilliseconds: Int64 = 0) {
        self.name = name
        self.matchers = matchers
        self.offsetMilliseconds = offsetMilliseconds
    }
}

/// One label matcher of a selector.
public struct Matcher: Sendable, Equatable {
    public enum Op: String, Sendable, Equatable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public var name: String
    public var op: Op
    public var value: String

    public init(name: String, op: Op, value: String) {
        self.name = name
        self.op = op
        self.value = value
    }
}

public struct Aggregation: Sendable, Equatable {
    public enum Op: String, Sendable, Equatable, CaseIterable {
        case sum, avg, min, max, count, topk, bottomk, quantile
    }

    public var op: Op
    public var expr: Expr
    /// `k` of topk/bottomk, `φ` of quantile.
    public var parameter: Expr?
    /// Labels of `by (...)` or `without (...)`.
    public var grouping: [String]
    /// True for `without`.
    public var without: Bool

    public init(op: Op, expr: Expr, parameter: Expr? = nil, grouping: [String] = [], without: Bool = false) {
        self.op = op
        self.expr = expr
        self.parameter = parameter
        self.grouping = grouping
        self.without = without
    }
}

public struct Binary: Sendable, Equatable {
    public enum Op: String, Sendable, Equatable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"
        case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
        case and, or, unless

        public var isComparison: Bool {
            switch self {
            case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: true
            default: false
            }
        }

        public var isSetOperator: Bool { self == .and || self == .or || self == .unless }
    }

    /// `on (...)`/`ignoring (...)` and `group_left`/`group_right`.
    public struct Matching: Sendable, Equatable {
        public enum Cardinality: Sendable, Equatable {
            case oneToOne, manyToOne, oneToMany
        }

        /// True for `on (...)`, false for `ignoring (...)` (or no clause).
        public var on: Bool
        public var labels: [String]
        public var cardinality: Cardinality
        /// Labels listed after `group_left`/`group_right`.
        public var include: [String]

        public init(on: Bool = false, labels: [String] = [], cardinality: Cardinality = .oneToOne, include: [String] = []) {
            self.on = on
            self.labels = labels
            self.cardinality = cardinality
            self.include = include
        }
    }

    public var op: Op
    public var lhs: Expr
    public var rhs: Expr
    /// `bool` after a comparison.
    public var returnBool: Bool
    /// Nil when no `on`/`ignoring`/`group_*` clause was written.
    public var matching: Matching?

    public init(op: Op, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: Matching? = nil) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
    }
}
