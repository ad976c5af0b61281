/// The recursive-descent reader behind `LabelSelector(parsing:)`, following
/// the grammar of `k8s.io/apimachinery/pkg/labels/selector.go`.
struct LabelSelectorParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private let text: String

    init(_ text: String) {
        self.text = text
        scalars = Array(text.unicodeScalars)
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelSelector.Requirement] {
        var out: [LabelSelector.Requirement] = []
        skipSpaces()
        if atEnd { return [] }
        while true {
            out.append(try requirement())
            skipSpaces()
            if atEnd { return out }
            guard take(",") else { throw error("expected ',' after a requirement") }
        }
    }

    private mutating func requirement() throws(LabelSelectorError) -> LabelSelector.Requirement {
        skipSpaces()
        if take("!") {
            skipSpaces()
            return .doesNotExist(try key())
        }
        let key = try key()
        skipSpaces()
        if atEnd || peek == "," { return .exists(key) }
        if take("==") || take("=") { return .equal(key, try value()) }
        if take("!=") { return .notEqual(key, try value()) }
        if takeWord("notin") { return .notIn(key, try valueSet()) }
        if takeWord("in") { return .in(key, try valueSet()) }
        throw error("unknown operator after '\(key)'")
    }

    /// A label key: an optional DNS-subdomain prefix and `/`, then a name of
    /// at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
    private mutating func key() throws(LabelSelectorError) -> String {
        let word = readWord()
        guard !word.isEmpty else { throw error("a label key is required") }
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, Self.isName(name),
              parts.count == 1 || (!parts[0].isEmpty && parts[0].count <= 253)
        else { throw error("invalid label key \"\(word)\"") }
        return word
    }

    /// A label value: empty, or a name as above.
    private mutating func value() throws(LabelSelectorError) -> String {
        skipSpaces()
        let word = readWord()
        guard word.isEmpty || Self.isName(Substring(word)) else { throw error("invalid label value \"\(word)\"") }
        return word
    }

    private mutating func valueSet() throws(LabelSelectorError) -> [String] {
        skipSpaces()
        guard take("(") else { throw error("expected '(' to start a set of values") }
        var values: [String] = []
        while true {
            values.append(try value())
            skipSpaces()
            if take(")") { break }
            guard take(",") else { throw error("expected ',' or ')' in a set of values") }
        }
        return values
    }

    static func isName(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.count <= 63, let first = s.unicodeScalars.first, let last = s.unicodeScalars.last,
              isAlphanumeric(first), isAlphanumeric(last)
        else { return false }
        return s.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    // MARK: Scanning

    private var atEnd: Bool { position >= scalars.count }
    private var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { position += 1 }
    }

    private mutating func take(_ token: String) -> Bool {
        let t = Array(token.unicodeScalars)
        guard position + t.count <= scalars.count, Array(scalars[position..<position + t.count]) == t else { return false }
        position += t.count
        return true
    }

    /// An operator word, which must end where a value set or space begins.
    private mutating func takeWord(_ word: String) -> Bool {
        let start = position
        guard take(word) else { return false }
        if let c = peek, c != " ", c != "(" { position = start; return false }
        return true
    }

    /// Everything up to a delimiter of the grammar.
    private mutating func readWord() -> String {
        var out = String.UnicodeScalarView()
        while let c = peek, !" \t,=!()".unicodeScalars.contains(c) {
            out.append(c)
            position += 1
        }
        return String(out)
    }

    private func error(_ message: String) -> LabelSelectorError {
        LabelSelectorError("unable to parse requirement: \(message) in \"\(text)\"")
    }
}
