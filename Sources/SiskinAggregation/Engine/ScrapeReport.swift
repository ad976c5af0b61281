import SiskinExposition

/// What one ingested scrape contained and what the aggregator did with it.
public struct ScrapeReport: Sendable, Hashable {
    /// Body size in bytes.
    public var bytes: Int
    /// Lines in the body (including comments and blank lines).
    public var lines = 0
    /// Sample lines parsed (fast or slow path).
    public var samples = 0
    /// Samples that fed an output series.
    public var keptSamples = 0
    /// Samples of cached series that are not aggregated.
    public var ignoredSamples = 0
    /// Sample lines passed over with their family, labels unread.
    public var skippedLines = 0
    /// `# TYPE` lines seen.
    public var familiesSeen = 0
    /// Families a rule selected.
    public var familiesKept = 0
    /// Families a rule named but whose type cannot be aggregated (summary...).
    public var unsupportedFamilies = 0
    /// Raw series met for the first time (or again after being forgotten).
    public var newSeries = 0
    /// Output series created by this scrape.
    public var newOutputSeries = 0
    /// Counter resets detected (a raw value below its last reading).
    public var resets = 0
    /// Envoy restarts detected (uptime and counters went down together).
    public var envoyRestarts = 0
    /// Raw series forgotten after being absent too long.
    public var forgottenSeries = 0
    /// Live raw series after the scrape.
    public var rawSeries = 0
    /// Live output series after the scrape.
    public var outputSeries = 0
    /// Malformed lines (all of them), and the first few in detail.
    public var errorCount = 0
    public var errors: [ParseError] = []

    /// Lines before the piece being parsed (streamed bodies), added to the
    /// line numbers the parser reports.
    var lineOffset = 0

    public init(bytes: Int) { self.bytes = bytes }

    mutating func record(_ error: ParseError, keep: Int) {
        errorCount += 1
        var error = error
        error.line += lineOffset
        if errors.count < keep { errors.append(error) }
    }
}
