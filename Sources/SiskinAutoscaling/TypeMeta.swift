/// The fields every Kubernetes document opens with: `kind` and `apiVersion`
/// (`TypeMeta`), and for lists and statuses an empty `metadata`. Clients
/// (and the aggregation layer) dispatch on them before reading anything else.
enum TypeMeta {
    enum Keys: String, CodingKey { case kind, apiVersion, metadata }

    /// Writes them into the object `encoder` is encoding; the document's own
    /// fields follow in another container of the same encoder.
    static func encode(kind: String, apiVersion: String, listMetadata: Bool = false, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(apiVersion, forKey: .apiVersion)
        if listMetadata { try c.encode(EmptyObject(), forKey: .metadata) }
    }
}

/// `{}`: the empty `metadata` of lists and statuses.
struct EmptyObject: Encodable {
    func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: TypeMeta.Keys.self)
    }
}
