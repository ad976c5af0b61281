/// A condition on one label, as in a Prometheus selector. A missing label
/// reads as the empty string, as in Prometheus.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
    }

    public var name: String
    public var op: Op
    public var value: String

    public init(_ name: String, _ op: Op, _ value: String) {
        self.name = name
        self.op = op
        self.value = value
    }

    public static func equal(_ name: String, _ value: String) -> LabelMatcher { .init(name, .equal, value) }

    public func matches(_ labelValue: String) -> Bool {
        switch op {
        case .equal: labelValue == value
        case .notEqual: labelValue != value
        }
    }

    public var description: String { "\(name)\(op.rawValue)\"\(value)\"" }
}
