/// A compiled equality predicate over Istio labels, as used by the ground-truth queries
/// (`requests(matching: ["response_code": "503"])`).
///
/// An unknown label name never matches anything, so a typo in a test yields zero rather
/// than silently matching every series.
struct LabelMatcher: Sendable {
    private let conditions: [(index: Int, value: String)]
    private let impossible: Bool

    init(_ predicate: [String: String]) {
        var conditions: [(index: Int, value: String)] = []
        var impossible = false
        for (name, value) in predicate.sorted(by: { $0.key < $1.key }) {
            if let index = IstioRequestLabels.indexByName[name] {
                conditions.append((index, value))
            } else {
                impossible = true
            }
        }
        self.conditions = conditions
        self.impossible = impossible
    }

    func matches(_ labels: IstioRequestLabels) -> Bool {
        if impossible { return false }
        for condition in conditions where labels.value(at: condition.index) != condition.value {
            return false
        }
        return true
    }
}
