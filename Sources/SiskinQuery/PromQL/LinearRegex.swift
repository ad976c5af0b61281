/// A regular-expression matcher whose time is linear in the input, for label
/// matchers (`=~`, `!~`) that anyone who can query may send.
///
/// Prometheus evaluates matchers with Go's RE2, which never backtracks. Swift's
/// `Regex` does: `(a*)*b` against 30 `a`s takes minutes, and a query holds the
/// store's lock while it matches, so one such query would stall ingest. This
/// compiles RE2's common syntax to a Thompson NFA and simulates it (one pass
/// over the Unicode scalars, each state visited at most once per scalar):
/// O(pattern × value), whatever the pattern.
///
/// Supported: literals, `.`, classes (`[a-z]`, `[^…]`, `\d \w \s` and their
/// negations, inside classes too), groups (`(…)`, `(?:…)`, `(?P<n>…)`,
/// `(?<n>…)`), flags `i` and `s` (`(?i)`, `(?i:…)`), alternation, `* + ?`,
/// `{n} {n,} {n,m}` (lazy forms match the same strings), `^` and `$`, and
/// escapes of punctuation, `\t \n \r \f \v \a`, `\xHH`, `\x{H…}`. Anything else
/// (`\pL`, `[[:alpha:]]`, `\b`, `\Q…\E`, the `m` flag) throws `unsupported`,
/// and the caller falls back to Swift's engine.
struct LinearRegex: Sendable {
    enum Failure: Error, Equatable {
        case unsupported(String)
        case invalid(String)
    }

    /// Most states a compiled pattern may have: `{n,m}` copies its operand,
    /// so `(x{1000}){1000}` must not compile to a million states.
    static let maxStates = 10_000

    private indirect enum Node {
        case set(CharSet)
        case concat([Node])
        case alternate([Node])
        case repeated(Node, min: Int, max: Int?)  // max nil: unbounded
        case lineStart, lineEnd
        case empty
    }

    private enum Instruction: Sendable {
        case set(CharSet, next: Int)
        case split(Int, Int)
        case jump(Int)
        case assertStart(next: Int)
        case assertEnd(next: Int)
        case match
    }

    private let program: [Instruction]
    private let start: Int

    /// Compiles `pattern`, fully anchored as Prometheus anchors matchers.
    init(_ pattern: String) throws(Failure) {
        var parser = Parser(Array(pattern.unicodeScalars))
        let node = try parser.parseAll()
        var compiler = Compiler()
        let matchState = compiler.emit(.match)
        start = try compiler.compile(node, next: matchState)
        program = compiler.program
    }

    /// Whether the whole of `value` matches.
    func wholeMatch(_ value: String) -> Bool {
        var current = StateSet(count: program.count)
        var next = StateSet(count: program.count)
        let scalars = value.unicodeScalars
        var atStart = true
        var remaining = scalars.count
        add(start, to: &current, atStart: atStart, atEnd: remaining == 0)
        for scalar in scalars {
            if current.isEmpty { return false }
            remaining -= 1
            atStart = false
            next.clear()
            for state in current.members {
                if case .set(let set, let target) = program[state], set.contains(scalar.value) {
                    add(target, to: &next, atStart: atStart, atEnd: remaining == 0)
                }
            }
            swap(&current, &next)
        }
        return current.members.contains { if case .match = program[$0] { true } else { false } }
    }

    /// Adds `state` and everything reachable from it without reading a scalar.
    private func add(_ state: Int, to set: inout StateSet, atStart: Bool, atEnd: Bool) {
        var stack = [state]
        while let s = stack.popLast() {
            guard set.insert(s) else { continue }
            switch program[s] {
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .jump(let a): stack.append(a)
            case .assertStart(let a): if atStart { stack.append(a) }
            case .assertEnd(let a): if atEnd { stack.append(a) }
            case .set, .match: break
            }
        }
    }

    // MARK: Sets of states (sparse set: O(1) insert and clear)

    private struct StateSet {
        var members: [Int] = []
        var position: [Int]
        init(count: Int) { position = [Int](repeating: -1, count: count) }
        var isEmpty: Bool { members.isEmpty }
        mutating func insert(_ s: Int) -> Bool {
            let p = position[s]
            if p >= 0, p < members.count, members[p] == s { return false }
            position[s] = members.count
            members.append(s)
            return true
        }
        mutating func clear() { members.removeAll(keepingCapacity: true) }
    }

    // MARK: Character sets

    struct CharSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        func contains(_ c: UInt32) -> Bool {
            var inside = false
            for r in ranges where r.contains(c) {
                inside = true
                break
            }
            return inside != negated
        }

        static func single(_ c: UInt32, caseInsensitive: Bool) -> CharSet {
            var set = CharSet(ranges: [c...c])
            if caseInsensitive { set.addOtherCases() }
            return set
        }

        /// Adds the other case of every ASCII letter in the set (RE2 folds
        /// Unicode too; non-ASCII case-insensitive matching is rare in labels).
        mutating func addOtherCases() {
            var extra: [ClosedRange<UInt32>] = []
            for r in ranges {
                let lower = max(r.lowerBound, 0x41), upper = min(r.upperBound, 0x5A)
                if lower <= upper { extra.append((lower + 32)...(upper + 32)) }
                let lower2 = max(r.lowerBound, 0x61), upper2 = min(r.upperBound, 0x7A)
                if lower2 <= upper2 { extra.append((lower2 - 32)...(upper2 - 32)) }
            }
            ranges += extra
        }

        static let digit = CharSet(ranges: [0x30...0x39])
        static let word = CharSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
        static let space = CharSet(ranges: [0x09...0x0A, 0x0C...0x0D, 0x20...0x20])
    }

    // MARK: Parsing

    private struct Parser {
        let input: [Unicode.Scalar]
        var index = 0
        var caseInsensitive = false
        var dotAll = false

        init(_ input: [Unicode.Scalar]) { self.input = input }

        var atEnd: Bool { index >= input.count }
        func peek(_ offset: Int = 0) -> Unicode.Scalar? { index + offset < input.count ? input[index + offset] : nil }

        mutating func parseAll() throws(Failure) -> Node {
            let node = try parseAlternation()
            if !atEnd { throw .invalid("unexpected ) at \(index)") }
            return node
        }

        mutating func parseAlternation() throws(Failure) -> Node {
            var branches = [try parseConcatenation()]
            while peek() == "|" {
                index += 1
                branches.append(try parseConcatenation())
            }
            return branches.count == 1 ? branches[0] : .alternate(branches)
        }

        mutating func parseConcatenation() throws(Failure) -> Node {
            var items: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                guard let atom = try parseAtom() else { continue }
                items.append(try parseRepetition(atom))
            }
            return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
        }

        mutating func parseRepetition(_ atom: Node) throws(Failure) -> Node {
            var node = atom
            while let c = peek() {
                var minimum = 0, maximum: Int? = nil
                switch c {
                case "*": index += 1
                case "+": index += 1; minimum = 1
                case "?": index += 1; maximum = 1
                case "{":
                    guard let (lo, hi, length) = braces() else { return node }
                    index += length
                    minimum = lo
                    maximum = hi
                    if let hi, hi < lo { throw .invalid("invalid repeat count") }
                    if lo > 1000 || (hi ?? 0) > 1000 { throw .invalid("invalid repeat count") }
                default: return node
                }
                if peek() == "?" { index += 1 }  // lazy: the same strings match
                node = .repeated(node, min: minimum, max: maximum)
            }
            return node
        }

        /// `{n}`, `{n,}`, `{n,m}` at `index`: (min, max, length), or nil when
        /// the brace is a literal.
        func braces() -> (Int, Int?, Int)? {
            var i = index + 1
            func number() -> Int? {
                var value = 0, digits = 0
                while i < input.count, let d = Int(String(input[i])), input[i].isASCII, digits < 6 {
                    value = value * 10 + d
                    digits += 1
                    i += 1
                }
                return digits > 0 ? value : nil
            }
            guard let lo = number() else { return nil }
            var hi: Int? = lo
            if i < input.count, input[i] == "," {
                i += 1
                hi = number()
            }
            guard i < input.count, input[i] == "}" else { return nil }
            return (lo, hi, i + 1 - index)
        }

        mutating func parseAtom() throws(Failure) -> Node? {
            let c = input[index]
            index += 1
            switch c {
            case "(":
                return try parseGroup()
            case "[":
                return .set(try parseClass())
            case ".":
                return .set(dotAll ? CharSet(ranges: [], negated: true) : CharSet(ranges: [0x0A...0x0A], negated: true))
            case "^": return .lineStart
            case "$": return .lineEnd
            case "\\":
                return .set(try parseEscape(inClass: false))
            case "*", "+", "?":
                throw .invalid("missing argument to repetition operator: \(c)")
            default:
                return .set(.single(c.value, caseInsensitive: caseInsensitive))
            }
        }

        mutating func parseGroup() throws(Failure) -> Node? {
            let savedCase = caseInsensitive, savedDot = dotAll
            if peek() == "?" {
                index += 1
                if peek() == "P" || (peek() == "<" && peek(1) != "=" && peek(1) != "!") {
                    // Named capture: skip the name.
                    if peek() == "P" { index += 1 }
                    guard peek() == "<" else { throw .invalid("invalid named capture") }
                    while let c = peek(), c != ">" { index += 1 }
                    guard peek() == ">" else { throw .invalid("invalid named capture") }
                    index += 1
                } else {
                    // Flags: (?i) (?s) (?i:…) (?-i…)
                    var on = true
                    while let c = peek(), c != ")", c != ":" {
                        switch c {
                        case "i": caseInsensitive = on
                        case "s": dotAll = on
                        case "U": break  // ungreedy: same strings match
                        case "-": on = false
                        default: throw .unsupported("flag \(c)")
                        }
                        index += 1
                    }
                    guard let end = peek() else { throw .invalid("missing closing )") }
                    index += 1
                    if end == ")" { return nil }  // flags for the rest of the enclosing group
                }
            }
            let inner = try parseAlternation()
            guard peek() == ")" else { throw .invalid("missing closing )") }
            index += 1
            caseInsensitive = savedCase
            dotAll = savedDot
            return inner
        }

        mutating func parseClass() throws(Failure) -> CharSet {
            var set = CharSet()
            if peek() == "^" {
                set.negated = true
                index += 1
            }
            var first = true
            while true {
                guard let c = peek() else { throw .invalid("missing closing ]") }
                if c == "]" && !first { index += 1; break }
                first = false
                if c == "[" && peek(1) == ":" { throw .unsupported("POSIX class") }
                index += 1
                let low: UInt32
                if c == "\\" {
                    let escaped = try parseEscape(inClass: true)
                    guard escaped.ranges.count == 1, !escaped.negated, escaped.ranges[0].count == 1 else {
                        // \d, \w, \s (or their negations) inside a class.
                        if escaped.negated { throw .unsupported("negated class escape inside a class") }
                        set.ranges += escaped.ranges
                        continue
                    }
                    low = escaped.ranges[0].lowerBound
                } else {
                    low = c.value
                }
                if peek() == "-", let after = peek(1), after != "]" {
                    index += 1
                    let high: UInt32
                    if after == "\\" {
                        index += 1
                        let escaped = try parseEscape(inClass: true)
                        guard escaped.ranges.count == 1, escaped.ranges[0].count == 1, !escaped.negated else {
                            throw .invalid("invalid character class range")
                        }
                        high = escaped.ranges[0].lowerBound
                    } else {
                        index += 1
                        high = after.value
                    }
                    guard low <= high else { throw .invalid("invalid character class range") }
                    set.ranges.append(low...high)
                } else {
                    set.ranges.append(low...low)
                }
            }
            if caseInsensitive { set.addOtherCases() }
            return set
        }

        mutating func parseEscape(inClass: Bool) throws(Failure) -> CharSet {
            guard let c = peek() else { throw .invalid("trailing backslash at end of expression") }
            index += 1
            switch c {
            case "d": return .digit
            case "D": var s = CharSet.digit; s.negated = true; return s
            case "w": return .word
            case "W": var s = CharSet.word; s.negated = true; return s
            case "s": return .space
            case "S": var s = CharSet.space; s.negated = true; return s
            case "t": return CharSet(ranges: [0x09...0x09])
            case "n": return CharSet(ranges: [0x0A...0x0A])
            case "r": return CharSet(ranges: [0x0D...0x0D])
            case "f": return CharSet(ranges: [0x0C...0x0C])
            case "v": return CharSet(ranges: [0x0B...0x0B])
            case "a": return CharSet(ranges: [0x07...0x07])
            case "x":
                var digits = ""
                if peek() == "{" {
                    index += 1
                    while let h = peek(), h != "}" { digits.unicodeScalars.append(h); index += 1 }
                    guard peek() == "}" else { throw .invalid("invalid escape sequence") }
                    index += 1
                } else {
                    for _ in 0..<2 {
                        guard let h = peek() else { throw .invalid("invalid escape sequence") }
                        digits.unicodeScalars.append(h)
                        index += 1
                    }
                }
                guard let value = UInt32(digits, radix: 16), value <= 0x10FFFF else { throw .invalid("invalid escape sequence") }
                return .single(value, caseInsensitive: caseInsensitive)
            default:
                // Punctuation escapes itself; letters and digits are other
                // escapes (\b, \pL, \1, …) this engine does not do.
                if c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) {
                    return .single(c.value, caseInsensitive: caseInsensitive && !inClass)
                }
                throw .unsupported("escape \\\(c)")
            }
        }
    }

    // MARK: Compiling (continuation-passing: each node jumps to `next`)

    private struct Compiler {
        var program: [Instruction] = []

        mutating func emit(_ instruction: Instruction) -> Int {
            program.append(instruction)
            return program.count - 1
        }

        mutating func compile(_ node: Node, next: Int) throws(Failure) -> Int {
            if program.count > LinearRegex.maxStates { throw .unsupported("pattern too large") }
            switch node {
            case .empty:
                return next
            case .set(let set):
                return emit(.set(set, next: next))
            case .lineStart:
                return emit(.assertStart(next: next))
            case .lineEnd:
                return emit(.assertEnd(next: next))
            case .concat(let items):
                var target = next
                for item in items.reversed() { target = try compile(item, next: target) }
                return target
            case .alternate(let branches):
                var entries: [Int] = []
                for branch in branches { entries.append(try compile(branch, next: next)) }
                var target = entries.last!
                for entry in entries.dropLast().reversed() { target = emit(.split(entry, target)) }
                return target
            case .repeated(let inner, let minimum, let maximum):
                var target = next
                if let maximum {
                    // Optional copies, innermost last: x{2,4} = x x (x (x)?)?
                    for _ in 0..<(maximum - minimum) {
                        let body = try compile(inner, next: target)
                        target = emit(.split(body, next))
                    }
                } else {
                    // x*: a loop. The split is emitted first so the body can jump back to it.
                    let loop = emit(.split(-1, next))
                    let body = try compile(inner, next: loop)
                    program[loop] = .split(body, next)
                    target = loop
                }
                for _ in 0..<minimum { target = try compile(inner, next: target) }
                return target
            }
        }
    }
}
