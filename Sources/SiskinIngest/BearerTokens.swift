import SiskinAggregation
import SiskinExposition

/// A set of bearer tokens `siskin serve` accepts: the push tokens of
/// `--token-file` or the read tokens of `--read-token-file`, each optionally
/// restricted to namespaces (docs/aggregator.md, "Credentials").
///
/// Checked in constant time with respect to the token contents: every
/// configured token is compared over its whole length whatever matched
/// before, so the time a rejection takes says nothing about how many leading
/// bytes matched, nor which token came close.
public struct BearerTokens: Sendable {
    /// One accepted token and what it may touch.
    struct Entry: Sendable {
        var bytes: [UInt8]
        var scope: TokenScope
        /// 1-based line in the token file (0 when not from a file): what logs
        /// and errors name instead of the token itself.
        var line: Int
    }

    private let entries: [Entry]

    /// No tokens: open (the server says so at start).
    public static let open = BearerTokens(entries: [])

    private init(entries: [Entry]) {
        self.entries = entries
    }

    /// Unrestricted tokens; empty strings are dropped.
    public init(tokens: [String]) {
        self.init(entries: tokens.map { Array($0.utf8) }.filter { !$0.isEmpty }
            .map { Entry(bytes: $0, scope: .all, line: 0) })
    }

    /// Parses a token file: one token per line, optionally followed by
    /// whitespace and `namespaces=a,b` (the token may then only touch those
    /// namespaces). Blank lines and lines starting with `#` are ignored;
    /// surrounding whitespace is trimmed. A file of bare tokens, one per
    /// line (the original format), stays valid and means unrestricted tokens.
    ///
    /// Errors name the line, never the token.
    public init(fileContents: String) throws(TokenFileError) {
        var entries: [Entry] = []
        var number = 0
        let lines = fileContents.split(omittingEmptySubsequences: false,
                                       whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for rawLine in lines {
            number += 1
            let line = rawLine.trimmingScalars(in: " \t")
            if line.isEmpty || line.hasPrefix("#") { continue }
            entries.append(try Self.entry(line, number: number))
        }
        for (i, entry) in entries.enumerated() {
            if let earlier = entries[..<i].first(where: { $0.bytes == entry.bytes }) {
                throw TokenFileError(line: entry.line, reason: "repeats the token of line \(earlier.line)")
            }
        }
        self.init(entries: entries)
    }

    private static func entry(_ line: String, number: Int) throws(TokenFileError) -> Entry {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        var scope = TokenScope.all
        for field in fields.dropFirst() {
            guard let equals = field.firstIndex(of: "="), field[..<equals] == "namespaces" else {
                throw TokenFileError(line: number, reason: "unknown attribute '\(field.prefix { $0 != "=" })' (only namespaces=a,b)")
            }
            guard case .all = scope else { throw TokenFileError(line: number, reason: "namespaces= given twice") }
            let names = field[field.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw TokenFileError(line: number, reason: "namespaces= needs a comma-separated list of namespace names")
            }
            for name in names where !TokenScope.isNamespaceName(name) {
                throw TokenFileError(line: number, reason: "'\(name)' is not a Kubernetes namespace name")
            }
            scope = .namespaces(Set(names))
        }
        return Entry(bytes: Array(fields[0].utf8), scope: scope, line: number)
    }

    public var isOpen: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    /// How many tokens are restricted to namespaces.
    public var scopedCount: Int { entries.filter { if case .namespaces = $0.scope { true } else { false } }.count }

    /// What an `Authorization` header amounts to against these tokens.
    public enum Match: Sendable, Equatable {
        /// No tokens configured: anyone may.
        case open
        /// A configured token, with its scope and line in the file.
        case accepted(TokenScope, line: Int)
        /// No `Authorization` header, or neither a bearer token nor basic credentials.
        case missing
        /// A token that is not one of these.
        case unknown
    }

    /// Matches an `Authorization` header value (`Bearer <token>`, or `Basic`
    /// with the token as password) in constant time over the configured tokens.
    public func match(authorization header: String?) -> Match {
        if entries.isEmpty { return .open }
        guard let presented = Self.presentedToken(header) else { return .missing }
        var found: Int? = nil
        // Every token is compared, whatever matched before; tokens are
        // distinct (the file parser refuses repeats), so at most one matches.
        for (i, entry) in entries.enumerated() where Self.constantTimeEqual(entry.bytes, presented) {
            found = i
        }
        guard let found else { return .unknown }
        return .accepted(entries[found].scope, line: entries[found].line)
    }

    /// Whether an `Authorization` header value carries an accepted token.
    /// Always true when no tokens are configured.
    public func accepts(authorization header: String?) -> Bool {
        switch match(authorization: header) {
        case .open, .accepted: true
        case .missing, .unknown: false
        }
    }

    /// Lines of this set whose token is also in `other`: a token in both the
    /// push and the read file would be both, which defeats their separation.
    public func lines(sharedWith other: BearerTokens) -> [(line: Int, otherLine: Int)] {
        entries.compactMap { entry in
            other.entries.first { $0.bytes == entry.bytes }.map { (entry.line, $0.line) }
        }
    }

    /// The token an `Authorization` header presents, or nil: the bytes
    /// after `Bearer `, or the password of `Basic` credentials (any user
    /// name), since Flagger's MetricTemplates, Grafana and prometheus-adapter
    /// can all send basic auth. Schemes in any letter case.
    static func presentedToken(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        let bytes = Array(header.utf8)
        if let token = after(scheme: "bearer ", in: bytes) { return token }
        guard let encoded = after(scheme: "basic ", in: bytes), let decoded = Base64.decode(encoded),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")), colon + 1 < decoded.count
        else { return nil }
        return Array(decoded[(colon + 1)...])
    }

    private static func after(scheme: String, in bytes: [UInt8]) -> [UInt8]? {
        let scheme = Array(scheme.utf8)
        let lowered = bytes.prefix(scheme.count).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        guard bytes.count > scheme.count, lowered == scheme else { return nil }
        return Array(bytes[scheme.count...])
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

/// Which namespaces a token may touch.
public enum TokenScope: Sendable, Equatable {
    case all
    case namespaces(Set<String>)

    public func allows(namespace: String) -> Bool {
        switch self {
        case .all: true
        case .namespaces(let names): names.contains(namespace)
        }
    }

    /// For error messages: the allowed names, sorted.
    public var description: String {
        switch self {
        case .all: "all namespaces"
        case .namespaces(let names): names.sorted().joined(separator: ",")
        }
    }

    /// A DNS-1123 label, as Kubernetes requires of namespace names.
    static func isNamespaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
            return false
        }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
    }
}

/// A token file that cannot be used; names the line, never the token.
public struct TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

extension TokenScope {
    /// Why a summary pushed with this scope writes outside it, or nil.
    ///
    /// The summary's own namespace must be allowed, and so must the namespace
    /// each series claims for its pod's side of the traffic: a pod's Envoy
    /// reports `reporter="destination"` series for requests it served, so
    /// their `destination_workload_namespace` is its own, and
    /// `reporter="source"` series for requests it sent, so their
    /// `source_workload_namespace` is its own. A series without `reporter`
    /// cannot be attributed, so every workload namespace it names must be
    /// allowed; a `namespace` label likewise. Without this, a scoped token
    /// could still feed another namespace's rollups (what Flagger and the HPA
    /// query) through labels.
    public func violation(in summary: PodSummary) -> String? {
        guard case .namespaces = self else { return nil }
        if !allows(namespace: summary.namespace) { return "namespace '\(summary.namespace)'" }
        for family in summary.families {
            for series in family.series {
                var reporter: String? = nil
                var claimed: [(String, String)] = []
                for label in series.labels {
                    switch label.name {
                    case "reporter": reporter = label.value
                    case "destination_workload_namespace", "source_workload_namespace", "namespace":
                        claimed.append((label.name, label.value))
                    default: break
                    }
                }
                for (name, value) in claimed {
                    let ownSide = switch reporter ?? "" {
                    case "destination": name != "source_workload_namespace"
                    case "source": name != "destination_workload_namespace"
                    default: true
                    }
                    if ownSide, !value.isEmpty, !allows(namespace: value) {
                        return "series of \(family.name) with \(name)=\"\(value)\"" + (reporter.map { " (reporter=\"\($0)\")" } ?? "")
                    }
                }
            }
        }
        return nil
    }
}

/// Standard base64 (RFC 4648, padded), for `Authorization: Basic`.
enum Base64 {
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard !text.isEmpty, text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var quad: [UInt8] = []
        for (i, c) in text.enumerated() {
            let value: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                // Padding: only in the last two places of the last group.
                guard i >= text.count - 2, text[(i + 1)...].allSatisfy({ $0 == UInt8(ascii: "=") }) else { return nil }
                value = 64
            default: return nil
            }
            quad.append(value)
            if quad.count == 4 {
                out.append(quad[0] << 2 | quad[1] >> 4)
                if quad[2] != 64 { out.append(quad[1] << 4 | quad[2] >> 2) }
                if quad[3] != 64 { out.append(quad[2] << 6 | quad[3]) }
                if quad[2] == 64, quad[3] != 64 { return nil }
                quad.removeAll(keepingCapacity: true)
            }
        }
        return out
    }
}
