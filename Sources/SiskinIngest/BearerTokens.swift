import SiskinExposition

/// The bearer tokens an aggregator accepts on ingest.
///
/// Checked in constant time with respect to the token contents, so the time
/// a rejection takes says nothing about how many leading bytes matched.
public struct BearerTokens: Sendable {
    private let tokens: [[UInt8]]

    /// No tokens: ingest is open (the server warns loudly about it).
    public static let open = BearerTokens(tokens: [])

    public init(tokens: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }.filter { !$0.isEmpty }
    }

    /// Parses a token file: one token per line; blank lines and lines starting
    /// with `#` are ignored; surrounding whitespace is trimmed.
    public init(fileContents: String) {
        let lines = fileContents.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        self.init(tokens: lines.map { String($0.trimmingScalars(in: " \t\r")) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    public var isOpen: Bool { tokens.isEmpty }
    public var count: Int { tokens.count }

    /// Whether an `Authorization` header value carries an accepted token.
    /// Always true when no tokens are configured.
    public func accepts(authorization header: String?) -> Bool {
        if tokens.isEmpty { return true }
        guard let header else { return false }
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count,
              header.prefix(scheme.count).lowercased() == scheme
        else { return false }
        let presented = Array(header.utf8.dropFirst(scheme.utf8.count))
        var accepted = false
        // Every token is compared, whatever matched before.
        for token in tokens where Self.constantTimeEqual(token, presented) {
            accepted = true
        }
        return accepted
    }

    /// Compares every byte of the longer input; only the lengths leak.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
