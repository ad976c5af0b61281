/// The `Status` object (`kind: Status, apiVersion: v1`) Kubernetes API
/// servers answer failures with: clients read `reason` and `code` from it
/// rather than from the bare HTTP status.
public struct KubernetesStatus: Sendable, Equatable, Encodable {
    /// `details`: what the failed request was about.
    public struct Details: Sendable, Equatable, Encodable {
        public var name: String
        public var group: String
        public var kind: String

        public init(name: String, group: String, kind: String) {
            self.name = name
            self.group = group
            self.kind = kind
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(name, forKey: .name)
            if !group.isEmpty { try c.encode(group, forKey: .group) }
            try c.encode(kind, forKey: .kind)
        }

        enum Keys: String, CodingKey { case name, group, kind }
    }

    public var message: String
    public var reason: String
    public var code: Int
    public var details: Details?

    public init(message: String, reason: String, code: Int, details: Details? = nil) {
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public func encode(to encoder: any Encoder) throws {
        try TypeMeta.encode(kind: "Status", apiVersion: "v1", listMetadata: true, to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("Failure", forKey: .status)
        try c.encode(message, forKey: .message)
        try c.encode(reason, forKey: .reason)
        try c.encodeIfPresent(details, forKey: .details)
        try c.encode(code, forKey: .code)
    }

    enum Keys: String, CodingKey { case status, message, reason, details, code }
}
