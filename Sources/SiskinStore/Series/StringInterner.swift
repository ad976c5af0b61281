/// Keeps one copy of each label string, so thousands of series that share
/// `destination_workload="podinfo"` share its storage too.
struct StringInterner: Sendable {
    private var strings: Set<String> = []

    mutating func intern(_ s: String) -> String {
        if let existing = strings.firstIndex(of: s) { return strings[existing] }
        strings.insert(s)
        return s
    }

    var count: Int { strings.count }
}
