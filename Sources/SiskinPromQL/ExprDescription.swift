// The canonical printer: `PromQLParser.parse(e.description) == e` for every
// expression the parser produces (NaN literals aside, since NaN != NaN).
// Spacing follows Prometheus' printer (`sum by (le) (rate(x[5m]))`,
// `a / on (le) group_left (x) b`) so printed queries read like the ones
// users write.

extension Expr: CustomStringConvertible {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// How tightly the printed form binds, to know when an operand needs
    /// parentheses. The parser only produces trees that need none; a tree
    /// built by hand gets them where its shape demands.
    var printPrecedence: Int {
        if case .binary(let binary) = self { return binary.op.precedence }
        // A sign binds like `*`; a negative number prints with one.
        return isSigned ? Binary.Op.multiply.precedence : 100
    }

    func write(to out: inout String) {
        switch self {
        case .number(let value):
            out += formatNumber(value)
        case .string(let value):
            out += goQuote(value)
        case .vector(let selector):
            selector.write(to: &out)
            writeOffset(selector.offsetMilliseconds, to: &out)
        case .matrix(let selector, let range):
            selector.write(to: &out)
            out += "[" + PromQLDuration.string(milliseconds: range) + "]"
            writeOffset(selector.offsetMilliseconds, to: &out)
        case .call(let name, let arguments):
            out += name + "("
            writeList(arguments, to: &out)
            out += ")"
        case .aggregate(let aggregation):
            out += aggregation.op.rawValue
            if aggregation.without || !aggregation.grouping.isEmpty {
                out += aggregation.without ? " without " : " by "
                writeLabels(aggregation.grouping, to: &out)
                out += " "
            }
            out += "("
            if let parameter = aggregation.parameter {
                parameter.write(to: &out)
                out += ", "
            }
            aggregation.expr.write(to: &out)
            out += ")"
        case .binary(let binary):
            binary.write(to: &out)
        case .unary(let negate, let operand):
            out += negate ? "-" : "+"
            let wrap = operand.printPrecedence < Binary.Op.power.precedence && !operand.isSigned
            if operand.isSigned { out += " " }
            if wrap { out += "(" }
            operand.write(to: &out)
            if wrap { out += ")" }
        case .parenthesized(let inner):
            out += "("
            inner.write(to: &out)
            out += ")"
        }
    }

    /// Prints with a leading sign: a unary expression or a negative number.
    var isSigned: Bool {
        switch self {
        case .unary: true
        case .number(let value): value.sign == .minus && !value.isNaN && value != 0
        default: false
        }
    }
}

extension Binary {
    func write(to out: inout String) {
        let precedence = op.precedence
        let rightAssociative = op == .power
        // A left operand of equal strength needs parentheses only under `^`;
        // a right one, except under `^`. A signed right operand never does:
        // the parser reads `a * -b` as a * (-b).
        let wrapLeft = lhs.printPrecedence < precedence || (rightAssociative && lhs.printPrecedence == precedence)
        let wrapRight = !rhs.isSigned
            && (rhs.printPrecedence < precedence || (!rightAssociative && rhs.printPrecedence == precedence))
        writeOperand(lhs, parenthesized: wrapLeft, to: &out)
        out += " " + op.rawValue
        if returnBool { out += " bool" }
        if let matching {
            out += matching.on ? " on " : " ignoring "
            writeLabels(matching.labels, to: &out)
            switch matching.cardinality {
            case .oneToOne: break
            case .manyToOne: out += " group_left"
            case .oneToMany: out += " group_right"
            }
            if matching.cardinality != .oneToOne && !matching.include.isEmpty {
                out += " "
                writeLabels(matching.include, to: &out)
            }
        }
        out += " "
        writeOperand(rhs, parenthesized: wrapRight, to: &out)
    }

    private func writeOperand(_ operand: Expr, parenthesized: Bool, to out: inout String) {
        if parenthesized { out += "(" }
        operand.write(to: &out)
        if parenthesized { out += ")" }
    }
}

extension VectorSelector: CustomStringConvertible {
    /// `name{matchers}` with the `__name__` matcher folded into the name,
    /// and the offset if any.
    public var description: String {
        var out = ""
        write(to: &out)
        writeOffset(offsetMilliseconds, to: &out)
        return out
    }

    func write(to out: inout String) {
        var rest = matchers[...]
        if let name, let first = rest.first, first.name == "__name__", first.op == .equal, first.value == name {
            rest = rest.dropFirst()
        }
        var braced: [Matcher] = []
        if let name {
            if isBareMetricName(name) {
                out += name
                if rest.isEmpty { return }
            } else {
                braced.append(Matcher(name: "__name__", op: .equal, value: name))
            }
        }
        braced += rest
        out += "{"
        var separator = ""
        for matcher in braced {
            out += separator
            matcher.write(to: &out)
            separator = ", "
        }
        out += "}"
    }
}

extension Matcher: CustomStringConvertible {
    /// `name="value"`, the name quoted when it is not a plain identifier.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        out += isPlainLabelName(name) ? name : goQuote(name)
        out += op.rawValue
        out += goQuote(value)
    }
}

private func writeOffset(_ milliseconds: Int64, to out: inout String) {
    if milliseconds != 0 { out += " offset " + PromQLDuration.string(milliseconds: milliseconds) }
}

private func writeList(_ expressions: [Expr], to out: inout String) {
    var separator = ""
    for expression in expressions {
        out += separator
        expression.write(to: &out)
        separator = ", "
    }
}

private func writeLabels(_ labels: [String], to out: inout String) {
    out += "(" + labels.joined(separator: ", ") + ")"
}

/// Numbers as Prometheus writes them: integers without a fraction, `Inf`,
/// `-Inf`, `NaN`; others in the shortest form that reads back exactly.
func formatNumber(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "Inf" }
    if value == value.rounded(.towardZero) && value.magnitude < 1e15 {
        return String(Int64(value))
    }
    return "\(value)"
}

/// Whether `name` can be written bare before braces and read back as the
/// same metric name: a (colon-allowing) identifier that the lexer does not
/// take for a keyword that cannot name a metric, nor for `Inf`/`NaN`.
func isBareMetricName(_ name: String) -> Bool {
    var first = true
    for byte in name.utf8 {
        let c = Int(byte)
        if first ? !(isAlpha(c) || c == 0x3A) : !(isAlphaNumeric(c) || c == 0x3A) { return false }
        first = false
    }
    if first { return false }
    let reserved: Set<String> = ["on", "ignoring", "group_left", "group_right", "bool", "atan2", "inf", "nan"]
    return !reserved.contains(name.lowercased())
}
