import SiskinIngest

/// Inverted index: for each `name="value"` pair (and `__name__`), the ids of
/// the series carrying it. Selection starts from the shortest list.
struct LabelPostings: Sendable {
    private var lists: [String: [String: Set<Int>]] = [:]

    mutating func insert(_ id: Int, key: SeriesKey) {
        lists["__name__", default: [:]][key.name, default: []].insert(id)
        for label in key.labels {
            lists[label.name, default: [:]][label.value, default: []].insert(id)
        }
    }

    mutating func remove(_ id: Int, key: SeriesKey) {
        removeOne(id, "__name__", key.name)
        for label in key.labels { removeOne(id, label.name, label.value) }
    }

    private mutating func removeOne(_ id: Int, _ name: String, _ value: String) {
        lists[name]?[value]?.remove(id)
        if lists[name]?[value]?.isEmpty == true { lists[name]?[value] = nil }
        if lists[name]?.isEmpty == true { lists[name] = nil }
    }

    /// How many series carry `name="value"`: picks the list to start from
    /// without copying the long ones (`reporter="destination"` holds half the store).
    func count(name: String, value: String) -> Int {
        lists[name]?[value]?.count ?? 0
    }

    /// The ids carrying `name="value"` (nil: none), for membership tests.
    func list(name: String, value: String) -> Set<Int>? {
        lists[name]?[value]
    }

    func ids(name: String, value: String) -> [Int] {
        guard let set = lists[name]?[value] else { return [] }
        return Array(set)
    }

    /// Label names in use.
    var names: [String] { lists.keys.filter { $0 != "__name__" }.sorted() }

    /// Values of one label in use.
    func values(of name: String) -> [String] { (lists[name]?.keys).map { Array($0).sorted() } ?? [] }
}
