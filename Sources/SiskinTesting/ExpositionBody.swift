/// Builds small exposition bodies for table-driven tests.
public enum ExpositionBody {
    /// Joins lines with `\n` (and a final newline) into bytes.
    public static func lines(_ lines: String...) -> [UInt8] {
        Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Joins lines with `\n` (and a final newline) into bytes.
    public static func lines(_ lines: [String]) -> [UInt8] {
        Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
