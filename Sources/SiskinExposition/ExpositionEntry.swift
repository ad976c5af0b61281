/// What `ExpositionParser.next()` found.
///
/// Only the kind travels in the enum; the details (name, labels, value) are
/// read from the parser, which keeps them as byte ranges into the body.
public enum ExpositionEntry: Sendable, Equatable {
    /// A `# TYPE` line: see `familyName` and `familyType`.
    case type
    /// A `# HELP` line: see `familyName` and `helpText`.
    case help
    /// Any other comment line (including OpenMetrics `# UNIT`).
    case comment
    /// A sample line: see `metricName`, `labels()`, `value`, `timestamp`, `role`.
    case sample
    /// OpenMetrics `# EOF`; the parser stops after it.
    case eof
    /// A line that could not be parsed; the parser has moved past it.
    case invalid(ParseError)
}
