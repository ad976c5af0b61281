/// Why a query did not parse, and where.
///
/// `description` reads as Prometheus' parser errors do
/// (`1:15: parse error: unexpected <by>`), so a client that shows a
/// Prometheus error to its user (Grafana, Kiali, Flagger's logs) shows ours
/// the same way.
public struct PromQLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, without the position prefix.
    public var message: String
    /// Byte offset into the query's UTF-8 where the problem starts (0-based).
    public var position: Int
    /// 1-based line of `position`.
    public var line: Int
    /// 1-based column of `position`, counted in UTF-8 bytes from the start of
    /// its line, as Prometheus counts it.
    public var column: Int

    public init(message: String, position: Int, line: Int, column: Int) {
        self.message = message
        self.position = position
        self.line = line
        self.column = column
    }

    /// An error at `position` of `query`, with line and column worked out.
    public init(message: String, position: Int, in query: String) {
        self.init(message: message, position: position, utf8: Array(query.utf8))
    }

    init(message: String, position: Int, utf8 bytes: [UInt8]) {
        let clamped = max(0, min(position, bytes.count))
        var line = 1
        var lineStart = 0
        var index = 0
        while index < clamped {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        self.init(message: message, position: clamped, line: line, column: clamped - lineStart + 1)
    }

    public var description: String { "\(line):\(column): parse error: \(message)" }
}

/// What the lexer and parser throw internally: one reference wide, so each
/// `try` on the recursive descent reserves a pointer of stack rather than a
/// whole `PromQLParseError` (that halves a debug build's stack use at the
/// nesting limit). `PromQLParser.parse` unwraps it.
final class ParseFailure: Error, Sendable {
    let error: PromQLParseError

    init(_ error: PromQLParseError) {
        self.error = error
    }
}
