/// Walks the label pairs of one sample's label set, in printed order.
///
/// Works on a block the parser has already validated, so it has no error
/// path of its own; on bytes it does not understand it simply stops.
public struct LabelCursor: IteratorProtocol, Sequence {
    /// One label pair as byte ranges into the body.
    public struct RawLabel: Sendable, Hashable {
        public var name: ByteRange
        /// The value as printed, without the quotes (escapes not resolved).
        public var value: ByteRange
        /// Whether `value` contains backslash escapes that need resolving.
        public var valueHasEscapes: Bool
    }

    private let base: UnsafePointer<UInt8>
    private var i: Int
    private let end: Int

    init(base: UnsafePointer<UInt8>, range: ByteRange) {
        self.base = base
        self.i = range.start
        self.end = range.end
    }

    @inline(__always)
    private func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    public mutating func next() -> RawLabel? {
        while i < end, isBlank(base[i]) || base[i] == UInt8(ascii: ",") { i += 1 }
        guard i < end else { return nil }
        let nameStart = i
        while i < end, base[i] != UInt8(ascii: "="), !isBlank(base[i]) { i += 1 }
        let nameEnd = i
        while i < end, base[i] != UInt8(ascii: "\"") { i += 1 }
        guard i < end else { return nil }
        i += 1
        let valueStart = i
        var escapes = false
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") { escapes = true; i += 2; continue }
            i += 1
        }
        let valueEnd = Swift.min(i, end)
        i = valueEnd + 1
        return RawLabel(name: ByteRange(nameStart, nameEnd), value: ByteRange(valueStart, valueEnd), valueHasEscapes: escapes)
    }
}

/// Resolving the text format's label value escapes (`\\`, `\"`, `\n`).
public enum LabelEscaping {
    /// Appends the unescaped bytes of `raw` to `output`. Unknown escapes are
    /// kept as printed (backslash and character), as Prometheus does.
    public static func unescape(_ raw: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            if b == UInt8(ascii: "\\"), i + 1 < n {
                let e = raw[i + 1]
                switch e {
                case UInt8(ascii: "n"): output.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
                default:
                    output.append(b)
                    output.append(e)
                }
                i += 2
            } else {
                output.append(b)
                i += 1
            }
        }
    }

    /// The unescaped value as a `String`.
    public static func unescapedString(_ raw: UnsafeRawBufferPointer, hasEscapes: Bool) -> String {
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        unescape(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes a value for printing in the text format.
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count + 4)
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
