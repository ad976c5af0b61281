/// Parses PromQL, Siskin's subset of it, into an `Expr`.
///
/// The grammar, precedence and checks follow Prometheus' own parser
/// (promql/parser), so a query Prometheus rejects is rejected here with the
/// same message, and a query it accepts means the same thing here: see
/// docs/promql.md ("Syntax") for the subset.
public enum PromQLParser {
    /// Deepest nesting the parser accepts, counting every sub-expression
    /// level (parentheses, calls, operators, unary signs).
    ///
    /// Real queries nest well under 20 levels. The bound keeps the recursive
    /// parser, and everything that walks the tree afterwards (printer,
    /// `==`, the evaluator, even the tree's deallocation), far from the end
    /// of a 512 KiB secondary-thread stack whatever a client sends.
    public static let maximumNestingDepth = 128

    /// Parses `input` into an expression, or throws the first problem found.
    ///
    /// Like Prometheus, syntax errors are reported first; type errors (a
    /// range vector where an instant vector is needed, and so on) only once
    /// the whole query has parsed.
    public static func parse(_ input: String) throws(PromQLParseError) -> Expr {
        var parser = Parser(input)
        do {
            return try parser.parseQuery()
        } catch {
            throw error.error
        }
    }
}

/// An expression being built, with what the checks need to know about it.
struct Node {
    var expr: Expr
    var type: PromQLValueType
    /// Byte offset where its source text starts, for error positions.
    var start: Int
    /// Levels of `Expr` in `expr`, bounded by `maximumNestingDepth`.
    var height: Int
}

struct BinaryModifiers {
    var returnBool = false
    var matching: Binary.Matching?
}

/// Recursive descent for operands, precedence climbing for binary operators.
///
/// Errors come in Prometheus' two kinds. Those its grammar actions raise
/// while parsing (syntax, unknown function, misplaced `offset`, bad regex,
/// aggregation argument counts) are thrown at once. Those its `checkAST`
/// pass raises afterwards (types, argument counts of functions, `bool`,
/// vector matching, empty selectors) are held in `firstTypeError`, the
/// first one found, and thrown only if the whole query parses.
struct Parser {
    var lexer: Lexer
    var lookahead: Token?
    var depth = 0
    var firstTypeError: PromQLParseError?

    init(_ input: String) {
        lexer = Lexer(input)
    }

    // MARK: Tokens

    mutating func peek() throws(ParseFailure) -> Token {
        if let lookahead { return lookahead }
        let token = try lexer.next()
        lookahead = token
        return token
    }

    mutating func next() throws(ParseFailure) -> Token {
        if let token = lookahead {
            lookahead = nil
            return token
        }
        return try lexer.next()
    }

    @inline(never)
    func error(_ message: String, at position: Int) -> ParseFailure {
        lexer.error(message, at: position)
    }

    @inline(never)
    mutating func recordTypeError(_ message: String, at position: Int) {
        if firstTypeError == nil { firstTypeError = error(message, at: position).error }
    }

    func text(_ token: Token) -> String { lexer.text(token.start, token.end) }

    /// A token as Prometheus names it in "unexpected …" errors.
    @inline(never)
    func describe(_ token: Token) -> String {
        func truncated(_ text: String) -> String {
            text.count > 10 ? goQuote(String(text.prefix(10))) + "..." : goQuote(text)
        }
        switch token.kind {
        case .eof: return "end of input"
        case .identifier: return "identifier \(goQuote(text(token)))"
        case .metricIdentifier: return "metric identifier \(goQuote(text(token)))"
        case .keyword(let keyword):
            switch keyword {
            case .and, .or, .unless, .atan2: return "<op:\(text(token))>"
            case .aggregation, .unsupportedAggregation: return "<aggr:\(text(token))>"
            default: return "<\(text(token))>"
            }
        case .number: return "number \(truncated(text(token)))"
        case .duration: return "duration \(truncated(text(token)))"
        case .string: return "string \(truncated(text(token)))"
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .leftBrace: return "\"{\""
        case .rightBrace: return "\"}\""
        case .leftBracket: return "\"[\""
        case .rightBracket: return "\"]\""
        case .comma: return "\",\""
        case .colon: return "\":\""
        case .at: return "\"@\""
        case .assign: return "\"=\""
        case .regexMatch: return "\"=~\""
        case .regexNoMatch: return "\"!~\""
        case .equalEqual, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual,
             .plus, .minus, .star, .slash, .percent, .caret:
            return "<op:\(text(token))>"
        }
    }

    @inline(never)
    func unexpected(_ token: Token, in context: String? = nil, expected: String? = nil) -> ParseFailure {
        var message = "unexpected \(describe(token))"
        if let context { message += " in \(context)" }
        if let expected { message += ", expected \(expected)" }
        return error(message, at: token.start)
    }

    /// A node one level above `height`, refused past the nesting limit.
    func node(_ expr: Expr, _ type: PromQLValueType, start: Int, above height: Int) throws(ParseFailure) -> Node {
        guard height < PromQLParser.maximumNestingDepth else { throw tooDeep(at: start) }
        return Node(expr: expr, type: type, start: start, height: height + 1)
    }

    @inline(never)
    func tooDeep(at position: Int) -> ParseFailure {
        error("expression nests too deeply (more than \(PromQLParser.maximumNestingDepth) levels)", at: position)
    }

    // MARK: Query

    mutating func parseQuery() throws(ParseFailure) -> Expr {
        let first = try peek()
        if first.kind == .eof { throw error("no expression found in input", at: 0) }
        let result = try parseExpression(minimumPrecedence: 0)
        let trailing = try next()
        switch trailing.kind {
        case .eof: break
        case .rightParen: throw error("unexpected right parenthesis ')'", at: trailing.start)
        default: throw unexpected(trailing)
        }
        if let firstTypeError { throw ParseFailure(firstTypeError) }
        return result.expr
    }

    // MARK: Binary operators

    static func binaryOperator(_ kind: TokenKind) -> Binary.Op? {
        switch kind {
        case .keyword(.or): .or
        case .keyword(.and): .and
        case .keyword(.unless): .unless
        case .equalEqual: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        case .plus: .add
        case .minus: .subtract
        case .star: .multiply
        case .slash: .divide
        case .percent: .modulo
        case .caret: .power
        default: nil
        }
    }

    // MARK: The recursive path
    //
    // parseExpression, parseUnary, parsePrimary and parseArguments sit on the
    // call stack once per nesting level, so each keeps its frame small: no
    // string building, no error construction, no large temporaries.
    // Everything else is in `@inline(never)` helpers that return before the
    // descent goes on. At the nesting limit the deepest query needs about
    // 100 KiB of stack in a release build, under 400 KiB in a debug build.

    /// An expression whose operators all bind at least as tightly as
    /// `minimumPrecedence`. Every nested expression comes through here, so
    /// this is where recursion depth is counted.
    mutating func parseExpression(minimumPrecedence: Int) throws(ParseFailure) -> Node {
        try enterNesting()
        defer { depth -= 1 }
        var lhs = try parseUnary()
        while let pending = try binaryOperator(atLeast: minimumPrecedence) {
            let rhs = try parseExpression(minimumPrecedence: pending.rightPrecedence)
            lhs = try binary(pending, lhs, rhs)
        }
        return lhs
    }

    /// A signed operand, or an operand with its `[range]` and `offset`
    /// modifiers, which bind tighter than any operator. `-x` and `+x` bind
    /// like `*`: looser than `^` (-2 ^ 2 is -(2 ^ 2)), tighter than the rest.
    mutating func parseUnary() throws(ParseFailure) -> Node {
        if let sign = try sign() {
            let operand = try parseExpression(minimumPrecedence: Binary.Op.power.precedence)
            return try unary(sign, operand)
        }
        let operand = try parsePrimary()
        return try postfixModifiers(after: operand)
    }

    mutating func parsePrimary() throws(ParseFailure) -> Node {
        switch try operand() {
        case .parenthesized(let start):
            let inner = try parseExpression(minimumPrecedence: 0)
            return try closeParenthesis(inner, openedAt: start)
        case .call(let name):
            let arguments = try parseArguments()
            return try call(name, arguments)
        case .aggregation(let op, let start):
            let grouping = try aggregationPrefix()
            let arguments = try parseArguments()
            return try aggregation(op, at: start, grouping, arguments)
        case .leaf(let node):
            return node
        }
    }

    /// `(a, b, …)` after a function or aggregation name; `(` is next.
    mutating func parseArguments() throws(ParseFailure) -> [Node] {
        var arguments: [Node] = []
        guard try openArguments() else { return arguments }
        repeat {
            arguments.append(try parseExpression(minimumPrecedence: 0))
        } while try argumentSeparator()
        return arguments
    }

    // MARK: Operators

    @inline(never)
    mutating func enterNesting() throws(ParseFailure) {
        depth += 1
        if depth > PromQLParser.maximumNestingDepth {
            let position = try peek().start
            throw tooDeep(at: position)
        }
    }

    /// An operator after an operand, with its modifiers.
    struct PendingBinary {
        var op: Binary.Op
        /// Where the operator is, for errors about it.
        var start: Int
        var modifiers: BinaryModifiers
        /// Left-associative operators take a tighter right operand; `^`
        /// takes one of its own level, so 2 ^ 3 ^ 2 is 2 ^ (3 ^ 2).
        var rightPrecedence: Int
    }

    /// Consumes the next binary operator and its modifiers if it binds at
    /// least as tightly as `minimumPrecedence`.
    @inline(never)
    mutating func binaryOperator(atLeast minimumPrecedence: Int) throws(ParseFailure) -> PendingBinary? {
        let token = try peek()
        if token.kind == .keyword(.atan2) {
            throw error("the atan2 operator is not supported by Siskin", at: token.start)
        }
        guard let op = Self.binaryOperator(token.kind), op.precedence >= minimumPrecedence else { return nil }
        _ = try next()
        let modifiers = try parseBinaryModifiers()
        return PendingBinary(op: op, start: token.start, modifiers: modifiers,
                             rightPrecedence: op == .power ? op.precedence : op.precedence + 1)
    }

    /// `bool`, then `on (…)`/`ignoring (…)`, then `group_left`/`group_right`
    /// with an optional label list, in that order only (Prometheus'
    /// `bin_modifier`).
    @inline(never)
    mutating func parseBinaryModifiers() throws(ParseFailure) -> BinaryModifiers {
        var modifiers = BinaryModifiers()
        if try peek().kind == .keyword(.bool) {
            _ = try next()
            modifiers.returnBool = true
        }
        let kind = try peek().kind
        guard kind == .keyword(.on) || kind == .keyword(.ignoring) else { return modifiers }
        _ = try next()
        var matching = Binary.Matching(on: kind == .keyword(.on), labels: try parseGroupingLabels())
        let group = try peek().kind
        if group == .keyword(.groupLeft) || group == .keyword(.groupRight) {
            _ = try next()
            matching.cardinality = group == .keyword(.groupLeft) ? .manyToOne : .oneToMany
            if try peek().kind == .leftParen { matching.include = try parseGroupingLabels() }
        }
        modifiers.matching = matching
        return modifiers
    }

    /// Builds `lhs op rhs`, checking operand types and modifiers as
    /// Prometheus' `checkAST` does.
    @inline(never)
    mutating func binary(_ pending: PendingBinary, _ lhs: Node, _ rhs: Node) throws(ParseFailure) -> Node {
        let op = pending.op, opStart = pending.start, modifiers = pending.modifiers
        var matching = modifiers.matching
        if modifiers.returnBool && !op.isComparison {
            recordTypeError("bool modifier can only be used on comparison operators", at: opStart)
        }
        if op.isComparison && !modifiers.returnBool && lhs.type == .scalar && rhs.type == .scalar {
            recordTypeError("comparisons between scalars must use BOOL modifier", at: opStart)
        }
        if let matching, matching.on {
            for label in matching.labels where matching.include.contains(label) {
                recordTypeError("label \(goQuote(label)) must not occur in ON and GROUP clause at once", at: opStart)
            }
        }
        if lhs.type != .scalar && lhs.type != .vector {
            recordTypeError("binary expression must contain only scalar and instant vector types", at: lhs.start)
        }
        if rhs.type != .scalar && rhs.type != .vector {
            recordTypeError("binary expression must contain only scalar and instant vector types", at: rhs.start)
        }
        if lhs.type != .vector || rhs.type != .vector {
            // Matching only means something between two vectors; Prometheus
            // drops an empty `on ()` silently and refuses one with labels.
            if let clause = matching, !clause.labels.isEmpty {
                recordTypeError("vector matching only allowed between instant vectors", at: lhs.start)
            }
            matching = nil
        } else if op.isSetOperator, let matching, matching.cardinality != .oneToOne {
            recordTypeError("no grouping allowed for \(goQuote(op.rawValue)) operation", at: lhs.start)
        }
        if (lhs.type == .scalar || rhs.type == .scalar) && op.isSetOperator {
            recordTypeError("set operator \(goQuote(op.rawValue)) not allowed in binary scalar expression", at: lhs.start)
        }
        let type: PromQLValueType = lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
        let expr = Expr.binary(Binary(op: op, lhs: lhs.expr, rhs: rhs.expr, returnBool: modifiers.returnBool, matching: matching))
        return try node(expr, type, start: lhs.start, above: max(lhs.height, rhs.height))
    }

    // MARK: Unary and postfix

    struct Sign {
        var negate: Bool
        var start: Int
    }

    @inline(never)
    mutating func sign() throws(ParseFailure) -> Sign? {
        let token = try peek()
        guard token.kind == .plus || token.kind == .minus else { return nil }
        _ = try next()
        return Sign(negate: token.kind == .minus, start: token.start)
    }

    /// A sign on a number literal is folded into it, as Prometheus does, so
    /// `-1` is the number -1; on anything else it stays an operator.
    @inline(never)
    mutating func unary(_ sign: Sign, _ operand: Node) throws(ParseFailure) -> Node {
        if case .number(let value) = operand.expr {
            return Node(expr: .number(sign.negate ? -value : value), type: .scalar, start: sign.start, height: operand.height)
        }
        if operand.type != .scalar && operand.type != .vector {
            recordTypeError("unary expression only allowed on expressions of type scalar or instant vector, got \(goQuote(operand.type.documentedName))", at: sign.start)
        }
        return try node(.unary(negate: sign.negate, operand.expr), operand.type, start: sign.start, above: operand.height)
    }

    @inline(never)
    mutating func postfixModifiers(after operand: Node) throws(ParseFailure) -> Node {
        var operand = operand
        while true {
            let token = try peek()
            switch token.kind {
            case .leftBracket: operand = try parseRange(after: operand)
            case .keyword(.offset): operand = try parseOffset(after: operand)
            case .at: throw error("the @ modifier is not supported by Siskin", at: token.start)
            default: return operand
            }
        }
    }

    /// `[5m]` after a selector. Prometheus 3 also takes a plain number of
    /// seconds (`[300]`).
    @inline(never)
    mutating func parseRange(after operand: Node) throws(ParseFailure) -> Node {
        let open = try next()
        lexer.bracketOpen = true
        defer { lexer.bracketOpen = false }
        let amount = try next()
        let milliseconds: Int64
        switch amount.kind {
        case .duration: milliseconds = amount.milliseconds
        case .number: milliseconds = try self.milliseconds(fromSeconds: amount.number, at: amount.start)
        case .eof: throw error("unclosed left bracket", at: amount.start)
        default: throw unexpected(amount, in: "range selector", expected: "number or duration")
        }
        let close = try next()
        switch close.kind {
        case .rightBracket: break
        case .colon: throw error("subqueries are not supported by Siskin", at: open.start)
        case .eof: throw error("unclosed left bracket", at: close.start)
        default: throw unexpected(close, in: "range selector", expected: "\"]\"")
        }
        guard case .vector(let selector) = operand.expr else {
            throw error("ranges only allowed for vector selectors", at: open.start)
        }
        guard selector.offsetMilliseconds == 0 else {
            throw error("no offset modifiers allowed before range", at: open.start)
        }
        guard milliseconds > 0 else {
            throw error("range selector duration must be greater than 0", at: amount.start)
        }
        return Node(expr: .matrix(selector, rangeMilliseconds: milliseconds), type: .matrix, start: operand.start, height: operand.height)
    }

    /// `offset 5m`, `offset -5m` (or seconds, `offset 300`) after an instant
    /// or range selector; it is stored on the selector.
    @inline(never)
    mutating func parseOffset(after operand: Node) throws(ParseFailure) -> Node {
        _ = try next()
        var negative = false
        if try peek().kind == .minus {
            _ = try next()
            negative = true
        }
        let amount = try next()
        var milliseconds: Int64
        switch amount.kind {
        case .duration: milliseconds = amount.milliseconds
        case .number: milliseconds = try self.milliseconds(fromSeconds: amount.number, at: amount.start)
        default: throw unexpected(amount, in: "offset", expected: "number or duration")
        }
        if negative { milliseconds = -milliseconds }
        var result = operand
        switch operand.expr {
        case .vector(var selector):
            guard selector.offsetMilliseconds == 0 else { throw error("offset may not be set multiple times", at: operand.start) }
            selector.offsetMilliseconds = milliseconds
            result.expr = .vector(selector)
        case .matrix(var selector, let range):
            guard selector.offsetMilliseconds == 0 else { throw error("offset may not be set multiple times", at: operand.start) }
            selector.offsetMilliseconds = milliseconds
            result.expr = .matrix(selector, rangeMilliseconds: range)
        default:
            throw error("offset modifier must be preceded by an instant vector selector or range vector selector", at: operand.start)
        }
        return result
    }

    /// Seconds written as a plain number where a duration goes, in
    /// milliseconds (truncated, as Prometheus converts them).
    func milliseconds(fromSeconds seconds: Double, at position: Int) throws(ParseFailure) -> Int64 {
        let milliseconds = seconds * 1000
        guard milliseconds.isFinite, milliseconds.magnitude <= Double(PromQLDuration.maximumMilliseconds) else {
            throw error("duration out of range", at: position)
        }
        return Int64(milliseconds.rounded(.towardZero))
    }

    // MARK: Operands

    enum Operand {
        case parenthesized(start: Int)
        case call(Token)
        case aggregation(Aggregation.Op, start: Int)
        /// Anything that does not nest: a literal or a selector.
        case leaf(Node)
    }

    /// Reads the start of an operand: enough to know whether it nests.
    @inline(never)
    mutating func operand() throws(ParseFailure) -> Operand {
        let token = try next()
        switch token.kind {
        case .number:
            return .leaf(Node(expr: .number(token.number), type: .scalar, start: token.start, height: 1))
        case .duration:
            // Prometheus 3 reads a duration where a number goes as seconds.
            return .leaf(Node(expr: .number(Double(token.milliseconds) / 1000), type: .scalar, start: token.start, height: 1))
        case .string:
            return .leaf(Node(expr: .string(token.string), type: .string, start: token.start, height: 1))
        case .leftParen:
            return .parenthesized(start: token.start)
        case .leftBrace:
            return .leaf(try parseSelector(name: nil, start: token.start, braceOpened: true))
        case .identifier:
            if try peek().kind == .leftParen { return .call(token) }
            return .leaf(try parseSelector(name: text(token), start: token.start, braceOpened: false))
        case .metricIdentifier:
            return .leaf(try parseSelector(name: text(token), start: token.start, braceOpened: false))
        case .keyword(let keyword):
            let following = try peek().kind
            let startsAggregation = following == .leftParen || following == .keyword(.by) || following == .keyword(.without)
            switch keyword {
            case .aggregation(let op) where startsAggregation:
                return .aggregation(op, start: token.start)
            case .unsupportedAggregation where startsAggregation:
                throw error("the \(goQuote(text(token))) aggregation is not supported by Siskin", at: token.start)
            default:
                guard keyword.canNameMetric else { throw unexpected(token) }
                return .leaf(try parseSelector(name: text(token), start: token.start, braceOpened: false))
            }
        case .rightParen where depth <= 1:
            throw error("unexpected right parenthesis ')'", at: token.start)
        default:
            throw unexpected(token)
        }
    }

    @inline(never)
    mutating func closeParenthesis(_ inner: Node, openedAt start: Int) throws(ParseFailure) -> Node {
        let close = try next()
        switch close.kind {
        case .rightParen: break
        case .eof: throw error("unclosed left parenthesis", at: close.start)
        default: throw unexpected(close, expected: "\")\"")
        }
        return try node(.parenthesized(inner.expr), inner.type, start: start, above: inner.height)
    }

    // MARK: Selectors

    /// `name`, `name{…}` or `{…}`. A name written before the braces becomes a
    /// `__name__` equality matcher at the front of `matchers`, so evaluation
    /// can rely on the matchers alone.
    @inline(never)
    mutating func parseSelector(name: String?, start: Int, braceOpened: Bool) throws(ParseFailure) -> Node {
        var matchers: [Matcher] = []
        if let name { matchers.append(Matcher(name: "__name__", op: .equal, value: name)) }
        var opened = braceOpened
        if !opened, try peek().kind == .leftBrace {
            _ = try next()
            opened = true
        }
        if opened { try parseMatchers(into: &matchers) }
        if let name {
            for matcher in matchers.dropFirst() where matcher.name == "__name__" {
                recordTypeError("metric name must not be set twice: \(goQuote(name)) or \(goQuote(matcher.value))", at: start)
                break
            }
        } else if !matchers.contains(where: { !Self.matchesEmptyString($0) }) {
            recordTypeError("vector selector must contain at least one non-empty matcher", at: start)
        }
        return Node(expr: .vector(VectorSelector(name: name, matchers: matchers)), type: .vector, start: start, height: 1)
    }

    /// The matchers after `{`, through `}`. A
    /// trailing comma is allowed, and a quoted label name (`{"a.b"="x"}`) or
    /// a bare quoted metric name (`{"metric"}`), as in Prometheus 3.
    @inline(never)
    mutating func parseMatchers(into matchers: inout [Matcher]) throws(ParseFailure) {
        while true {
            let label = try next()
            let labelName: String
            switch label.kind {
            case .rightBrace: return
            case .identifier: labelName = text(label)
            case .string: labelName = label.string
            default: throw unexpected(label, in: "label matching", expected: "identifier or \"}\"")
            }
            let opToken = try next()
            let op: Matcher.Op
            switch opToken.kind {
            case .assign: op = .equal
            case .notEqual: op = .notEqual
            case .regexMatch: op = .regexMatch
            case .regexNoMatch: op = .regexNoMatch
            case .comma where label.kind == .string, .rightBrace where label.kind == .string:
                matchers.append(Matcher(name: "__name__", op: .equal, value: labelName))
                if opToken.kind == .rightBrace { return }
                continue
            default:
                throw unexpected(opToken, in: "label matching", expected: "label matching operator")
            }
            let value = try next()
            guard value.kind == .string else { throw unexpected(value, in: "label matching", expected: "string") }
            if op == .regexMatch || op == .regexNoMatch {
                do {
                    _ = try RegexEmptyMatch.matchesEmptyString(value.string)
                } catch {
                    throw self.error(error.message, at: label.start)
                }
            }
            matchers.append(Matcher(name: labelName, op: op, value: value.string))
            let separator = try next()
            switch separator.kind {
            case .comma: continue
            case .rightBrace: return
            default: throw unexpected(separator, in: "label matching", expected: "\",\" or \"}\"")
            }
        }
    }

    /// Whether the matcher accepts a missing label (the empty value).
    static func matchesEmptyString(_ matcher: Matcher) -> Bool {
        switch matcher.op {
        case .equal: return matcher.value.isEmpty
        case .notEqual: return !matcher.value.isEmpty
        case .regexMatch: return (try? RegexEmptyMatch.matchesEmptyString(matcher.value)) ?? true
        case .regexNoMatch: return !((try? RegexEmptyMatch.matchesEmptyString(matcher.value)) ?? false)
        }
    }

    // MARK: Calls and aggregations

    /// Consumes `(`; false, with `)` consumed too, for an empty list.
    @inline(never)
    mutating func openArguments() throws(ParseFailure) -> Bool {
        _ = try next()
        guard try peek().kind == .rightParen else { return true }
        _ = try next()
        return false
    }

    /// After an argument: true for `,` (another follows), false for `)`.
    @inline(never)
    mutating func argumentSeparator() throws(ParseFailure) -> Bool {
        let separator = try next()
        switch separator.kind {
        case .rightParen:
            return false
        case .comma:
            if try peek().kind == .rightParen {
                throw error("trailing commas not allowed in function call args", at: separator.start)
            }
            return true
        case .eof:
            throw error("unclosed left parenthesis", at: separator.start)
        default:
            throw unexpected(separator, expected: "\",\" or \")\"")
        }
    }

    /// Checks a call against the function's signature, as Prometheus does.
    @inline(never)
    mutating func call(_ nameToken: Token, _ arguments: [Node]) throws(ParseFailure) -> Node {
        let name = text(nameToken)
        guard let function = PromQLFunction.signature(of: name) else {
            if PromQLFunction.prometheusOnly.contains(name) {
                throw error("the function \(goQuote(name)) is not supported by Siskin", at: nameToken.start)
            }
            throw error("unknown function with name \(goQuote(name))", at: nameToken.start)
        }
        let count = arguments.count
        let total = function.argumentTypes.count
        let required = total - function.optionalArgumentCount
        if function.optionalArgumentCount == 0 && count != total {
            recordTypeError("expected \(total) argument(s) in call to \(goQuote(name)), got \(count)", at: nameToken.start)
        } else if count < required {
            recordTypeError("expected at least \(required) argument(s) in call to \(goQuote(name)), got \(count)", at: nameToken.start)
        } else if count > total {
            recordTypeError("expected at most \(total) argument(s) in call to \(goQuote(name)), got \(count)", at: nameToken.start)
        }
        for (argument, expected) in zip(arguments, function.argumentTypes) where argument.type != expected {
            recordTypeError("expected type \(expected.documentedName) in call to function \(goQuote(name)), got \(argument.type.documentedName)", at: argument.start)
        }
        return try node(.call(name: name, arguments: arguments.map(\.expr)), function.returnType,
                        start: nameToken.start, above: arguments.map(\.height).max() ?? 0)
    }

    struct Grouping {
        var labels: [String] = []
        var without = false
        var given = false
    }

    /// `by (…)` or `without (…)` if given before the arguments, and the `(`
    /// that must follow.
    @inline(never)
    mutating func aggregationPrefix() throws(ParseFailure) -> Grouping {
        let grouping = try optionalGrouping()
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open, in: "aggregation", expected: "\"(\"") }
        return grouping
    }

    mutating func optionalGrouping() throws(ParseFailure) -> Grouping {
        let kind = try peek().kind
        guard kind == .keyword(.by) || kind == .keyword(.without) else { return Grouping() }
        _ = try next()
        return Grouping(labels: try parseGroupingLabels(), without: kind == .keyword(.without), given: true)
    }

    /// `op [by|without (…)] ([parameter,] expr) [by|without (…)]`: the
    /// grouping may come before or after the arguments, not both.
    @inline(never)
    mutating func aggregation(_ op: Aggregation.Op, at start: Int, _ prefix: Grouping, _ arguments: [Node]) throws(ParseFailure) -> Node {
        let grouping = prefix.given ? prefix : try optionalGrouping()
        guard !arguments.isEmpty else {
            throw error("no arguments for aggregate expression provided", at: start)
        }
        let takesParameter = op == .topk || op == .bottomk || op == .quantile
        let wanted = takesParameter ? 2 : 1
        guard arguments.count == wanted else {
            throw error("wrong number of arguments for aggregate expression provided, expected \(wanted), got \(arguments.count)", at: start)
        }
        let operand = arguments[wanted - 1]
        if operand.type != .vector {
            recordTypeError("expected type instant vector in aggregation expression, got \(operand.type.documentedName)", at: operand.start)
        }
        var parameter: Expr?
        if takesParameter {
            let parameterNode = arguments[0]
            if parameterNode.type != .scalar {
                recordTypeError("expected type scalar in aggregation parameter, got \(parameterNode.type.documentedName)", at: parameterNode.start)
            }
            parameter = parameterNode.expr
        }
        let aggregation = Aggregation(op: op, expr: operand.expr, parameter: parameter, grouping: grouping.labels, without: grouping.without)
        return try node(.aggregate(aggregation), .vector, start: start, above: arguments.map(\.height).max() ?? 0)
    }

    /// `(label, …)` of `by`, `without`, `on`, `ignoring` and `group_*`. Any
    /// word is a label here, keywords included (`by (on, sum)`), as in
    /// Prometheus' `maybe_label`; a trailing comma and `()` are allowed.
    @inline(never)
    mutating func parseGroupingLabels() throws(ParseFailure) -> [String] {
        let open = try next()
        guard open.kind == .leftParen else { throw unexpected(open, in: "grouping opts", expected: "\"(\"") }
        var labels: [String] = []
        if try peek().kind == .rightParen {
            _ = try next()
            return labels
        }
        while true {
            let label = try next()
            switch label.kind {
            case .identifier, .keyword: labels.append(text(label))
            default: throw unexpected(label, in: "grouping opts", expected: "label")
            }
            let separator = try next()
            switch separator.kind {
            case .rightParen: return labels
            case .comma:
                if try peek().kind == .rightParen {
                    _ = try next()
                    return labels
                }
            default: throw unexpected(separator, in: "grouping opts", expected: "\",\" or \")\"")
            }
        }
    }
}

extension Binary.Op {
    /// Prometheus' binding strength, loosest first: `or` 1; `and unless` 2;
    /// comparisons 3; `+ -` 4; `* / %` 5; `^` 6, the only right-associative
    /// one. Unary signs bind at 5.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
        case .add, .subtract: 4
        case .multiply, .divide, .modulo: 5
        case .power: 6
        }
    }
}
