/// Why a line of an exposition body was rejected.
///
/// The parser reports the line and keeps going, so one broken line never
/// hides the good lines around it; callers count these or, in strict mode,
/// stop at the first one.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Error, Sendable, Hashable {
        case invalidMetricName = "invalid metric name"
        case invalidLabelName = "invalid label name"
        case expectedEquals = "expected '=' after label name"
        case expectedQuote = "expected '\"' to open label value"
        case unterminatedLabelValue = "unterminated label value"
        case invalidEscape = "invalid escape in label value"
        case expectedCommaOrBrace = "expected ',' or '}' in label set"
        case expectedBlank = "expected whitespace before the value"
        case missingValue = "missing sample value"
        case invalidValue = "invalid sample value"
        case invalidTimestamp = "invalid timestamp"
        case trailingData = "unexpected data after sample"
        case invalidTypeLine = "malformed # TYPE line"
        case unknownType = "unknown metric type"
        case invalidHelpLine = "malformed # HELP line"
        case duplicateSeries = "duplicate series in one scrape"
        case negativeCounter = "negative counter value"
        case tooManySeries = "series limit reached"
        case invalidBucketBound = "invalid histogram bucket bound (le)"
        case histogramWithoutLe = "histogram bucket without le label"
        case lineTooLong = "line too long"
    }

    /// 1-based line number in the body.
    public var line: Int
    public var reason: Reason
    /// The start of the offending line (at most 120 bytes), for logs.
    public var excerpt: String

    public init(line: Int, reason: Reason, excerpt: String) {
        self.line = line
        self.reason = reason
        self.excerpt = excerpt
    }

    public var description: String { "line \(line): \(reason.rawValue): \(excerpt)" }
}
