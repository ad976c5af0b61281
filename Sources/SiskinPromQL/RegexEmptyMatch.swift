/// Decides whether a label-matcher regex (RE2 syntax, anchored at both ends
/// as Prometheus anchors them) matches the empty string, and rejects the
/// syntax errors RE2 would reject at parse time.
///
/// Prometheus requires every selector without a metric name to hold at least
/// one matcher that does not match "" (`{job=~".*"}` is an error, `{job=~".+"}`
/// is not) and compiles the regex to know. Siskin answers structurally rather
/// than by compiling: the empty string matches a regex exactly when every
/// piece of some alternative can match nothing, so no regex engine (and none
/// of its inputs that might trap) is needed at parse time. Nesting is walked
/// with an explicit stack, so a pattern of ten thousand `(` cannot overflow
/// the call stack.
enum RegexEmptyMatch {
    struct SyntaxError: Error {
        var message: String
    }

    static func matchesEmptyString(_ pattern: String) throws(SyntaxError) -> Bool {
        var walker = Walker(bytes: Array(pattern.utf8), pattern: pattern)
        return try walker.run()
    }

    private struct Frame {
        /// Some finished alternative of this group can match "".
        var anyAlternative = false
        /// Every finished piece of the current alternative can match "".
        var alternative = true
        /// The latest piece, not yet folded in, since a repetition may follow.
        var piece: Bool?
        var repeated = false
        var lazyMarked = false
    }

    private struct Walker {
        let bytes: [UInt8]
        let pattern: String
        var stack = [Frame()]
        var index = 0

        func byte(_ i: Int) -> Int { i >= 0 && i < bytes.count ? Int(bytes[i]) : -1 }

        func failure(_ what: String, _ fragment: String) -> SyntaxError {
            SyntaxError(message: "error parsing regexp: \(what): `\(fragment)`")
        }

        func fragment(_ start: Int, _ end: Int) -> String {
            let lower = max(0, min(start, bytes.count)), upper = max(lower, min(end, bytes.count))
            return String(decoding: bytes[lower..<upper], as: UTF8.self)
        }

        mutating func fold() {
            let last = stack.count - 1
            if let piece = stack[last].piece { stack[last].alternative = stack[last].alternative && piece }
            stack[last].piece = nil
            stack[last].repeated = false
            stack[last].lazyMarked = false
        }

        mutating func piece(_ matchesEmpty: Bool) {
            fold()
            stack[stack.count - 1].piece = matchesEmpty
        }

        /// Applies `*`, `+`, `?` or `{n,m}` (spelled `text`) to the latest piece.
        mutating func repeatPiece(allowsZero: Bool, _ text: String) throws(SyntaxError) {
            let last = stack.count - 1
            guard let current = stack[last].piece else { throw failure("missing argument to repetition operator", text) }
            guard !stack[last].repeated else { throw failure("invalid nested repetition operator", text) }
            stack[last].piece = allowsZero || current
            stack[last].repeated = true
        }

        mutating func run() throws(SyntaxError) -> Bool {
            while index < bytes.count {
                let c = Int(bytes[index])
                switch c {
                case 0x7C:  // |
                    fold()
                    let last = stack.count - 1
                    stack[last].anyAlternative = stack[last].anyAlternative || stack[last].alternative
                    stack[last].alternative = true
                    index += 1
                case 0x28:  // (
                    try openGroup()
                case 0x29:  // )
                    guard stack.count > 1 else { throw failure("unexpected )", pattern) }
                    fold()
                    let group = stack.removeLast()
                    piece(group.anyAlternative || group.alternative)
                    index += 1
                case 0x2A, 0x2B, 0x3F:  // * + ?
                    let last = stack.count - 1
                    if c == 0x3F && stack[last].repeated && !stack[last].lazyMarked {
                        stack[last].lazyMarked = true  // `*?` etc.: a lazy repetition
                    } else {
                        try repeatPiece(allowsZero: c != 0x2B, fragment(index, index + 1))
                    }
                    index += 1
                case 0x7B:  // {
                    if let (minimum, end) = try repetitionCount() {
                        try repeatPiece(allowsZero: minimum == 0, fragment(index, end))
                        index = end
                        // a lazy marker may follow
                        if byte(index) == 0x3F {
                            stack[stack.count - 1].lazyMarked = true
                            index += 1
                        }
                    } else {
                        piece(false)
                        index += 1
                    }
                case 0x5B:  // [
                    try characterClass()
                    piece(false)
                case 0x5C:  // \
                    try escape()
                case 0x5E, 0x24:  // ^ $: empty-width, they hold at the ends of ""
                    piece(true)
                    index += 1
                default:
                    // One character (all bytes of a multi-byte one) or `.`.
                    index += 1
                    while byte(index) >= 0x80 && byte(index) < 0xC0 { index += 1 }
                    piece(false)
                }
            }
            guard stack.count == 1 else { throw failure("missing closing )", pattern) }
            fold()
            return stack[0].anyAlternative || stack[0].alternative
        }

        /// `(`, `(?:`, `(?P<name>`, `(?<name>`, `(?flags:` open a group;
        /// `(?flags)` only sets flags.
        mutating func openGroup() throws(SyntaxError) {
            let start = index
            guard byte(index + 1) == 0x3F else {
                fold()
                stack.append(Frame())
                index += 1
                return
            }
            var i = index + 2
            if byte(i) == 0x50 { i += 1 }  // P
            if byte(i) == 0x3C {  // <name>
                i += 1
                let nameStart = i
                while isAlphaNumeric(byte(i)) { i += 1 }
                guard i > nameStart, byte(i) == 0x3E else { throw failure("invalid named capture", fragment(start, i + 1)) }
                fold()
                stack.append(Frame())
                index = i + 1
                return
            }
            i = index + 2
            while true {
                let f = byte(i)
                if f == 0x69 || f == 0x6D || f == 0x73 || f == 0x55 || f == 0x2D {  // i m s U -
                    i += 1
                } else if f == 0x3A {  // :
                    fold()
                    stack.append(Frame())
                    index = i + 1
                    return
                } else if f == 0x29 && i > index + 2 {  // flags only
                    fold()
                    index = i + 1
                    return
                } else {
                    throw failure("invalid or unsupported Perl syntax", fragment(start, min(i + 1, bytes.count)))
                }
            }
        }

        /// `{n}`, `{n,}`, `{n,m}` at `index`: the minimum and the index after
        /// `}`; nil when the brace is a literal, as RE2 reads `{` then.
        func repetitionCount() throws(SyntaxError) -> (Int, Int)? {
            var i = index + 1
            func number(_ i: inout Int) -> Int? {
                let start = i
                var value = 0
                while isDigit(byte(i)) {
                    value = min(value * 10 + byte(i) - 0x30, 100_000)
                    i += 1
                }
                return i > start ? value : nil
            }
            guard let minimum = number(&i) else { return nil }
            var maximum: Int? = minimum
            if byte(i) == 0x2C {
                i += 1
                maximum = number(&i)
            }
            guard byte(i) == 0x7D else { return nil }
            let text = fragment(index, i + 1)
            if minimum > 1000 || (maximum ?? 0) > 1000 || (maximum.map { $0 < minimum } ?? false) {
                throw failure("invalid repeat count", text)
            }
            return (minimum, i + 1)
        }

        /// Skips `[...]`, with `]` first taken literally, escapes and `[:alpha:]`.
        mutating func characterClass() throws(SyntaxError) {
            let start = index
            var i = index + 1
            if byte(i) == 0x5E { i += 1 }
            if byte(i) == 0x5D { i += 1 }
            while true {
                let c = byte(i)
                if c < 0 { throw failure("missing closing ]", fragment(start, bytes.count)) }
                if c == 0x5D { break }
                if c == 0x5C {
                    guard byte(i + 1) >= 0 else { throw failure("missing closing ]", fragment(start, bytes.count)) }
                    i += 2
                    continue
                }
                if c == 0x5B && byte(i + 1) == 0x3A {
                    var j = i + 2
                    while isLetter(byte(j)) { j += 1 }
                    if byte(j) == 0x3A && byte(j + 1) == 0x5D {
                        i = j + 2
                        continue
                    }
                }
                i += 1
            }
            index = i + 1
        }

        /// An escape: empty-width assertions (`\b \B \A \z`), classes
        /// (`\d \pL \p{Greek}`), `\Q…\E` literal text, or an escaped character.
        mutating func escape() throws(SyntaxError) {
            let c = byte(index + 1)
            switch c {
            case -1:
                throw SyntaxError(message: "error parsing regexp: trailing backslash at end of expression: ``")
            case 0x62:  // \b needs a word character next to it: never in ""
                piece(false)
                index += 2
            case 0x42, 0x41, 0x7A:  // \B \A \z hold in ""
                piece(true)
                index += 2
            case 0x51:  // \Q...\E
                var i = index + 2
                let textStart = i
                while i < bytes.count && !(byte(i) == 0x5C && byte(i + 1) == 0x45) { i += 1 }
                let empty = i == textStart
                index = min(i + 2, bytes.count)
                if !empty { piece(false) }
            case 0x70, 0x50, 0x78:  // \pX \p{Name} \xNN \x{NNNN}
                var i = index + 2
                if byte(i) == 0x7B {
                    while byte(i) >= 0 && byte(i) != 0x7D { i += 1 }
                    guard byte(i) == 0x7D else { throw failure("invalid escape sequence", fragment(index, i)) }
                    i += 1
                } else {
                    i += c == 0x78 ? 2 : 1
                }
                index = min(i, bytes.count)
                piece(false)
            default:
                index += 2
                while byte(index) >= 0x80 && byte(index) < 0xC0 { index += 1 }
                piece(false)
            }
        }
    }
}
