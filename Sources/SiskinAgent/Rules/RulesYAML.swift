import SiskinExposition

/// The YAML a rules file is written in, parsed without Foundation: the agent
/// runs in every pod, and a YAML library would pull Foundation and ICU (tens
/// of MB of image, several MB of resident pages) into it for one small file.
///
/// The subset is what configuration files use: block mappings and sequences
/// (a sequence may sit at its key's indentation), `- key: value` items,
/// one-line flow sequences (`[a, "b", 'c']`), plain, single- and
/// double-quoted scalars, comments, and one optional leading `---`. Anchors,
/// aliases, tags, block scalars (`|`, `>`), flow mappings and multi-document
/// streams are refused with the line they are on, never misread.
enum RulesYAML {
    indirect enum Node: Equatable {
        case scalar(String)
        /// `~`, `null` or nothing after a key.
        case null
        case sequence([Node])
        /// Entries in file order; a repeated key is an error.
        case mapping([(key: String, value: Node)])

        static func == (lhs: Node, rhs: Node) -> Bool {
            switch (lhs, rhs) {
            case (.scalar(let a), .scalar(let b)): a == b
            case (.null, .null): true
            case (.sequence(let a), .sequence(let b)): a == b
            case (.mapping(let a), .mapping(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
            default: false
            }
        }
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    /// One meaningful line: its indentation, its text without the comment.
    struct Line {
        var number: Int
        var indent: Int
        var text: String
    }

    static func parse(_ text: String) throws(SyntaxError) -> Node {
        var lines: [Line] = []
        var number = 0
        var sawDocumentStart = false
        // "\r\n" is one Character in Swift: split on both.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let content = try stripComment(line, number: number)
            let trimmed = content.trimmingScalars(in: " \t")
            if trimmed.isEmpty { continue }
            let indent = content.prefix { $0 == " " }.count
            if content.dropFirst(indent).first == "\t" {
                throw SyntaxError(line: number, message: "tab in indentation (YAML indents with spaces)")
            }
            if trimmed == "---" || trimmed.hasPrefix("--- ") {
                guard lines.isEmpty, !sawDocumentStart, trimmed == "---" else {
                    throw SyntaxError(line: number, message: "one YAML document per rules file")
                }
                sawDocumentStart = true
                continue
            }
            if trimmed == "..." { throw SyntaxError(line: number, message: "'...' (end of document) is not supported") }
            lines.append(Line(number: number, indent: indent, text: trimmed))
        }
        guard !lines.isEmpty else { return .null }
        var parser = Parser(lines: lines)
        let node = try parser.block(indent: lines[0].indent)
        if parser.index < lines.count {
            let line = lines[parser.index]
            throw SyntaxError(line: line.number, message: "unexpected indentation")
        }
        return node
    }

    /// The line without its comment: `#` at the start or after a space,
    /// outside quotes.
    static func stripComment(_ line: String, number: Int) throws(SyntaxError) -> String {
        var quote: Character? = nil
        var previous: Character = " "
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if let q = quote {
                if c == q {
                    // '' inside single quotes is an escaped quote.
                    let next = line.index(after: index)
                    if q == "'", next < line.endIndex, line[next] == "'" {
                        index = line.index(after: next)
                        previous = c
                        continue
                    }
                    quote = nil
                } else if q == "\"", c == "\\" {
                    index = line.index(after: index)
                    if index == line.endIndex { break }
                }
            } else if c == "#", previous == " " || previous == "\t" {
                return String(line[..<index])
            } else if (c == "\"" || c == "'"), previous == " " || previous == "[" || previous == ","
                        || previous == "-" || previous == ":" || index == line.startIndex {
                quote = c
            }
            previous = c
            index = line.index(after: index)
        }
        if quote != nil { throw SyntaxError(line: number, message: "unterminated quoted string") }
        return line
    }

    struct Parser {
        var lines: [Line]
        var index = 0

        /// The block starting at the current line, which has `indent`.
        mutating func block(indent: Int) throws(SyntaxError) -> Node {
            let line = lines[index]
            return Self.isSequenceItem(line.text) ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        static func isSequenceItem(_ text: String) -> Bool { text == "-" || text.hasPrefix("- ") }

        mutating func sequence(indent: Int) throws(SyntaxError) -> Node {
            var items: [Node] = []
            while index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
                let line = lines[index]
                let rest = String(line.text.dropFirst()).trimmingScalars(in: " \t")
                if rest.isEmpty {
                    index += 1
                    if index < lines.count, lines[index].indent > indent {
                        items.append(try block(indent: lines[index].indent))
                    } else {
                        items.append(.null)
                    }
                } else if Self.keyValue(rest) != nil {
                    // `- key: value`: a mapping whose entries line up with `key`.
                    let column = indent + (line.text.count - rest.count)
                    lines[index] = Line(number: line.number, indent: column, text: rest)
                    items.append(try mapping(indent: column))
                } else {
                    items.append(try Self.value(rest, line: line.number))
                    index += 1
                }
            }
            if index < lines.count, lines[index].indent > indent {
                throw SyntaxError(line: lines[index].number, message: "unexpected indentation inside a list")
            }
            return .sequence(items)
        }

        mutating func mapping(indent: Int) throws(SyntaxError) -> Node {
            var entries: [(key: String, value: Node)] = []
            while index < lines.count, lines[index].indent == indent, !Self.isSequenceItem(lines[index].text) {
                let line = lines[index]
                guard let (key, rest) = Self.keyValue(line.text) else {
                    throw SyntaxError(line: line.number, message: "expected 'key: value', found '\(line.text)'")
                }
                if entries.contains(where: { $0.key == key }) {
                    throw SyntaxError(line: line.number, message: "key '\(key)' appears twice")
                }
                index += 1
                if !rest.isEmpty {
                    entries.append((key, try Self.value(rest, line: line.number)))
                } else if index < lines.count, lines[index].indent > indent {
                    entries.append((key, try block(indent: lines[index].indent)))
                } else if index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
                    // A list may sit at its key's indentation.
                    entries.append((key, try sequence(indent: indent)))
                } else {
                    entries.append((key, .null))
                }
            }
            if index < lines.count, lines[index].indent > indent {
                throw SyntaxError(line: lines[index].number, message: "unexpected indentation")
            }
            return .mapping(entries)
        }

        /// `key: rest` (or `key:` at the end), the key plain or quoted.
        static func keyValue(_ text: String) -> (String, String)? {
            var key: String
            var after: Substring
            if let first = text.first, first == "\"" || first == "'" {
                guard let (scalar, end) = try? quoted(Substring(text), line: 0) else { return nil }
                key = scalar
                after = end
            } else {
                guard let colon = text.firstRange(of: ": ") ?? (text.hasSuffix(":") ? text.index(before: text.endIndex)..<text.endIndex : nil)
                else { return nil }
                key = String(text[..<colon.lowerBound]).trimmingScalars(in: " \t")
                guard !key.isEmpty, !key.hasPrefix("["), !key.hasPrefix("{") else { return nil }
                after = text[colon.lowerBound...]
            }
            after = after.drop { $0 == " " }
            guard after.first == ":" else { return nil }
            let rest = after.dropFirst()
            guard rest.isEmpty || rest.first == " " else { return nil }
            return (key, String(rest).trimmingScalars(in: " \t"))
        }

        /// A value on one line: a flow sequence or a scalar.
        static func value(_ text: String, line: Int) throws(SyntaxError) -> Node {
            switch text.first {
            case "[":
                return try flowSequence(text, line: line)
            case "{":
                throw SyntaxError(line: line, message: "flow mappings ({…}) are not supported; write the mapping in block style")
            case "&", "*", "!":
                throw SyntaxError(line: line, message: "anchors, aliases and tags are not supported")
            case "|", ">":
                throw SyntaxError(line: line, message: "block scalars (| and >) are not supported")
            default:
                return try scalar(text, line: line)
            }
        }

        static func scalar(_ text: String, line: Int) throws(SyntaxError) -> Node {
            if let first = text.first, first == "\"" || first == "'" {
                let (value, rest) = try quoted(Substring(text), line: line)
                guard String(rest).trimmingScalars(in: " \t").isEmpty else {
                    throw SyntaxError(line: line, message: "unexpected text after a quoted string: '\(rest)'")
                }
                return .scalar(value)
            }
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
            if text.contains(": ") || text.hasSuffix(":") {
                throw SyntaxError(line: line, message: "a mapping cannot start here: '\(text)'")
            }
            return .scalar(text)
        }

        static func flowSequence(_ text: String, line: Int) throws(SyntaxError) -> Node {
            guard text.hasSuffix("]") else {
                throw SyntaxError(line: line, message: "a flow list must close on its line: '\(text)'")
            }
            var body = text.dropFirst().dropLast()[...]
            var items: [Node] = []
            while true {
                body = body.drop { $0 == " " }
                if body.isEmpty { break }
                var item: Node
                if let first = body.first, first == "\"" || first == "'" {
                    let (value, rest) = try quoted(body, line: line)
                    item = .scalar(value)
                    body = rest.drop { $0 == " " }
                } else {
                    let end = body.firstIndex(of: ",") ?? body.endIndex
                    let plain = String(body[..<end]).trimmingScalars(in: " \t")
                    if plain.contains("[") || plain.contains("]") || plain.contains("{") {
                        throw SyntaxError(line: line, message: "nested flow collections are not supported")
                    }
                    item = plain.isEmpty ? .null : try scalar(plain, line: line)
                    body = body[end...]
                }
                items.append(item)
                if body.isEmpty { break }
                guard body.first == "," else {
                    throw SyntaxError(line: line, message: "expected ',' between list items in '\(text)'")
                }
                body = body.dropFirst()
            }
            return .sequence(items)
        }

        /// A quoted scalar at the start of `text` and what follows it.
        static func quoted(_ text: Substring, line: Int) throws(SyntaxError) -> (String, Substring) {
            let quote = text.first!
            var out = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let c = text[index]
                index = text.index(after: index)
                if c == quote {
                    if quote == "'", index < text.endIndex, text[index] == "'" {
                        out.append("'")
                        index = text.index(after: index)
                        continue
                    }
                    return (out, text[index...])
                }
                if quote == "\"", c == "\\" {
                    guard index < text.endIndex else { break }
                    let escaped = text[index]
                    index = text.index(after: index)
                    switch escaped {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "0": out.append("\0")
                    default:
                        throw SyntaxError(line: line, message: "unsupported escape '\\\(escaped)' in a double-quoted string")
                    }
                    continue
                }
                out.append(c)
            }
            throw SyntaxError(line: line, message: "unterminated quoted string")
        }
    }
}
