/// One label pair of an output series.
///
/// Output series carry their labels sorted by name (Prometheus' canonical
/// order), so two summaries of the same series compare equal byte for byte.
public struct Label: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
    }

    public var description: String { "\(name)=\"\(value)\"" }
}
