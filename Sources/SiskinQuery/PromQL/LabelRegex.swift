/// A label matcher's regular expression with Prometheus semantics: fully
/// anchored (`=~"podinfo"` matches only `podinfo`). Patterns that are plain
/// literals, or alternations of literals (`a|b`), are recognised so the
/// engine can look them up in the label index instead of scanning.
struct LabelRegex: @unchecked Sendable {
    let pattern: String
    /// The linear-time matcher, for every pattern it can compile.
    private let linear: LinearRegex?
    /// Swift's backtracking engine, only for syntax `LinearRegex` lacks.
    private let regex: Regex<AnyRegexOutput>?
    /// Every string the pattern matches, when it is a finite set of literals.
    let literals: [String]?

    init(_ pattern: String) throws(PromQLError) {
        self.pattern = pattern
        literals = Self.literalAlternatives(pattern)
        if literals != nil {
            regex = nil
            linear = nil
            return
        }
        do throws(LinearRegex.Failure) {
            linear = try LinearRegex(pattern)
            regex = nil
            return
        } catch .invalid(let why) {
            throw PromQLError(.badData, "invalid regular expression \"\(pattern)\": \(why)")
        } catch {
            linear = nil
        }
        do {
            regex = try Regex(pattern)
        } catch {
            throw PromQLError(.badData, "invalid regular expression \"\(pattern)\": \(error)")
        }
    }

    func matches(_ value: String) -> Bool {
        if let literals { return literals.contains(value) }
        if let linear { return linear.wholeMatch(value) }
        guard let regex else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    /// `a`, `a|b|c` with no metacharacters → the literals; anything else nil.
    static func literalAlternatives(_ pattern: String) -> [String]? {
        let meta: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        guard !pattern.contains(where: { meta.contains($0) }) else { return nil }
        return pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }
}
