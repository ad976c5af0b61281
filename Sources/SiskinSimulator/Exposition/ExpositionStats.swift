/// Line and byte counts of an exposition body, for the CLI summary, the preset
/// documentation and tests that check dump sizes.
public struct ExpositionStats: Sendable, Hashable, CustomStringConvertible {
    /// Size of the body in bytes.
    public var bytes: Int
    /// All newline-terminated lines, blank and `# TYPE` lines included.
    public var lines: Int
    /// Sample lines: one per series in Prometheus' sense (each bucket line counts).
    public var series: Int
    /// `# TYPE` lines, i.e. metric families.
    public var families: Int

    /// Counts lines in `body` (a single pass over the bytes).
    public init(measuring body: [UInt8]) {
        bytes = body.count
        var lines = 0
        var series = 0
        var families = 0
        var atLineStart = true
        for byte in body {
            if atLineStart {
                if byte == UInt8(ascii: "#") {
                    families += 1
                } else if byte != UInt8(ascii: "\n") {
                    series += 1
                }
            }
            if byte == UInt8(ascii: "\n") {
                lines += 1
                atLineStart = true
            } else {
                atLineStart = false
            }
        }
        self.lines = lines
        self.series = series
        self.families = families
    }

    public var description: String {
        "\(bytes) bytes, \(lines) lines, \(series) series, \(families) families"
    }
}
