/// Metric type as printed on `# TYPE` lines.
enum FamilyType: Int, Sendable, Comparable {
    case counter, gauge, histogram

    static func < (a: FamilyType, b: FamilyType) -> Bool { a.rawValue < b.rawValue }

    var keyword: StaticString {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }
}
