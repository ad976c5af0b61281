#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull parser for the Prometheus text exposition format 0.0.4, as Envoy
/// prints it, tolerant of OpenMetrics bodies (`# EOF`, `_created`, exemplars).
///
/// Modeled on Prometheus' `model/textparse`: the caller asks for the `next()`
/// entry and reads its parts from the parser, as byte ranges into the body.
/// Nothing is allocated per line. A family the caller does not want can be
/// passed over with `skipFamily()` without looking at its labels, and a series
/// whose bytes the caller already knows can be consumed with
/// `consumeSample(ifKeyEquals:)`, which compares bytes instead of parsing them
/// (the scrape-cache fast path).
///
/// The parser never throws: a broken line is reported as `.invalid` with its
/// line number and reason, and parsing resumes at the next line. Memory use is
/// constant whatever the input.
///
/// The buffer must outlive the parser (use `withUnsafeBytes`).
public struct ExpositionParser {
    public let bytes: UnsafeRawBufferPointer
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let endOffset: Int

    /// Offset of the next unread line.
    public private(set) var position: Int = 0
    /// 1-based line number of the entry last returned.
    public private(set) var lineNumber: Int = 0
    private var finished = false

    // The current family, from the last `# TYPE`/`# HELP` line or an untyped sample.
    public private(set) var familyName: ByteRange = .empty
    public private(set) var familyType: MetricType = .untyped
    /// `# HELP` text (escaped as in the body) of the last help line.
    public private(set) var helpText: ByteRange = .empty

    // The current sample.
    public private(set) var metricName: ByteRange = .empty
    /// The label set between the braces (empty when there are none).
    public private(set) var labelBlock: ByteRange = .empty
    /// Name plus label set exactly as printed: the series' identity in bytes.
    public private(set) var seriesKey: ByteRange = .empty
    public private(set) var value: Double = 0
    /// The value as an exact integer, when it was printed as one that fits.
    public private(set) var integerValue: UInt64? = nil
    /// Sample timestamp in milliseconds, if the line had one.
    public private(set) var timestamp: Int64? = nil
    public private(set) var role: SampleRole = .value

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        if let address = bytes.baseAddress {
            self.base = address.assumingMemoryBound(to: UInt8.self)
        } else {
            // An empty body: point at a static byte; `endOffset` is 0 so it is never read.
            self.base = UnsafePointer(ExpositionParser.emptyByte)
        }
        self.endOffset = bytes.count
    }

    nonisolated(unsafe) private static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// True once every byte has been consumed (or `# EOF` was seen).
    public var isAtEnd: Bool { finished || position >= endOffset }

    // MARK: - Pull API

    /// Returns the next entry, or `nil` at the end of the body.
    /// Blank lines are skipped.
    public mutating func next() -> ExpositionEntry? {
        while true {
            guard !finished, position < endOffset else { return nil }
            let lineStart = position
            let lineEnd = findLineEnd(from: lineStart)
            position = lineEnd < endOffset ? lineEnd + 1 : endOffset
            lineNumber += 1
            var end = lineEnd
            if end > lineStart, base[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            var start = lineStart
            while start < end, isBlank(base[start]) { start += 1 }
            if start == end { continue }  // blank line
            if base[start] == UInt8(ascii: "#") {
                return parseComment(start + 1, end, lineStart: lineStart)
            }
            return parseSample(start, end, lineStart: lineStart)
        }
    }

    /// Skips the rest of the current family (its samples, blank lines and
    /// repeated `# HELP`/`# TYPE` lines for the same name) without parsing
    /// labels. Stops before the next line that belongs to another family.
    /// Returns the number of sample lines skipped.
    @discardableResult
    public mutating func skipFamily() -> Int {
        let family = familyName
        guard !family.isEmpty else { return 0 }
        var skipped = 0
        while !finished, position < endOffset {
            let lineStart = position
            let first = base[lineStart]
            if first == UInt8(ascii: "\n") {
                position += 1
                lineNumber += 1
                continue
            }
            if first == UInt8(ascii: "#") || !lineBelongsToFamily(lineStart, family) { break }
            let lineEnd = findLineEnd(from: lineStart)
            position = lineEnd < endOffset ? lineEnd + 1 : endOffset
            lineNumber += 1
            skipped += 1
        }
        return skipped
    }

    /// Outcome of `consumeSample(ifKeyEquals:)`.
    public enum KeyMatch: Equatable {
        /// The next line is that series; its value is in `value`/`integerValue`.
        case matched
        /// The next line is something else; nothing was consumed.
        case notMatched
        /// The next line is that series but its value part is broken; the line
        /// was consumed.
        case invalid(ParseError)
    }

    /// The scrape-cache fast path: if the next line starts with exactly the
    /// bytes `key` (a series key seen in an earlier scrape) followed by
    /// whitespace, consume it and parse only its value and timestamp.
    ///
    /// Between scrapes Envoy prints the same series in the same order with new
    /// values, so a `memcmp` per line replaces all label parsing.
    public mutating func consumeSample(ifKeyEquals key: UnsafeRawBufferPointer) -> KeyMatch {
        consumeSample(ifKeyOfLength: key.count) { candidate in
            memcmp(candidate.baseAddress!, key.baseAddress!, key.count) == 0
        }
    }

    /// `consumeSample(ifKeyEquals:)` for a caller that holds no copy of the
    /// key, only its length and a way to recognise it (a fingerprint):
    /// `equals` gets the `keyCount` bytes the next line starts with, when they
    /// are followed by the key's separator.
    public mutating func consumeSample(
        ifKeyOfLength keyCount: Int, equals: (UnsafeRawBufferPointer) -> Bool
    ) -> KeyMatch {
        guard !finished, keyCount > 0, position + keyCount < endOffset else { return .notMatched }
        let start = position
        let separator = base[start + keyCount]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "\t"),
              equals(UnsafeRawBufferPointer(start: base + start, count: keyCount))
        else { return .notMatched }
        // Value and timestamp are short: search the newline from here.
        let lineEnd = findLineEnd(from: start + keyCount)
        position = lineEnd < endOffset ? lineEnd + 1 : endOffset
        lineNumber += 1
        var end = lineEnd
        if base[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        seriesKey = ByteRange(start, start + keyCount)
        if let reason = parseValueAndTimestamp(start + keyCount, end) {
            return .invalid(makeError(reason, lineStart: start, lineEnd: end))
        }
        return .matched
    }

    /// Whether the next non-blank line is a sample (not a comment, not the
    /// end), without consuming anything.
    public func nextLineIsSample() -> Bool {
        var i = position
        while !finished, i < endOffset {
            let b = base[i]
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") || isBlank(b) { i += 1; continue }
            return b != UInt8(ascii: "#")
        }
        return false
    }

    /// Iterates the labels of the current sample.
    public func labels() -> LabelCursor {
        LabelCursor(base: base, range: labelBlock)
    }

    // MARK: - Lines

    @inline(__always)
    private func findLineEnd(from offset: Int) -> Int {
        let remaining = endOffset - offset
        guard remaining > 0 else { return endOffset }
        if let hit = memchr(base + offset, Int32(UInt8(ascii: "\n")), remaining) {
            return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
        }
        return endOffset
    }

    @inline(__always)
    private func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    private func makeError(_ reason: ParseError.Reason, lineStart: Int, lineEnd: Int) -> ParseError {
        let shown = min(lineEnd - lineStart, 120)
        let excerpt = String(decoding: UnsafeBufferPointer(start: base + lineStart, count: max(shown, 0)), as: UTF8.self)
        return ParseError(line: lineNumber, reason: reason, excerpt: excerpt)
    }

    // MARK: - Comments

    private mutating func parseComment(_ from: Int, _ end: Int, lineStart: Int) -> ExpositionEntry {
        var i = from
        while i < end, isBlank(base[i]) { i += 1 }
        let wordStart = i
        while i < end, !isBlank(base[i]) { i += 1 }
        let word = UnsafeRawBufferPointer(start: base + wordStart, count: i - wordStart)
        if equalsLiteral(word, "EOF"), i == end {
            finished = true
            return .eof
        }
        let isType = equalsLiteral(word, "TYPE")
        let isHelp = equalsLiteral(word, "HELP")
        guard isType || isHelp else { return .comment }
        // `# TYPE name type` / `# HELP name text`
        guard i < end else { return .invalid(makeError(isType ? .invalidTypeLine : .invalidHelpLine, lineStart: lineStart, lineEnd: end)) }
        while i < end, isBlank(base[i]) { i += 1 }
        let nameStart = i
        guard let nameEnd = scanMetricName(i, end), nameEnd > nameStart,
              nameEnd == end || isBlank(base[nameEnd])
        else {
            return .invalid(makeError(isType ? .invalidTypeLine : .invalidHelpLine, lineStart: lineStart, lineEnd: end))
        }
        i = nameEnd
        while i < end, isBlank(base[i]) { i += 1 }
        if isHelp {
            familyName = ByteRange(nameStart, nameEnd)
            helpText = ByteRange(i, end)
            return .help
        }
        var typeEnd = end
        while typeEnd > i, isBlank(base[typeEnd - 1]) { typeEnd -= 1 }
        guard let type = MetricType(word: UnsafeRawBufferPointer(start: base + i, count: typeEnd - i)) else {
            return .invalid(makeError(i == typeEnd ? .invalidTypeLine : .unknownType, lineStart: lineStart, lineEnd: end))
        }
        familyName = ByteRange(nameStart, nameEnd)
        familyType = type
        return .type
    }

    private func equalsLiteral(_ word: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard word.count == literal.utf8CodeUnitCount, word.count > 0 else { return false }
        return memcmp(word.baseAddress!, literal.utf8Start, word.count) == 0
    }

    // MARK: - Samples

    /// Scans a metric name starting at `i`; returns its end, or nil if the
    /// first byte cannot start a name.
    @inline(__always)
    private func scanMetricName(_ i: Int, _ end: Int) -> Int? {
        guard i < end, isNameStart(base[i]) || base[i] == UInt8(ascii: ":") else { return nil }
        var j = i + 1
        while j < end {
            let b = base[j]
            if isNameStart(b) || isDigit(b) || b == UInt8(ascii: ":") { j += 1 } else { break }
        }
        return j
    }

    @inline(__always)
    private func isNameStart(_ b: UInt8) -> Bool {
        let lower = b | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    private mutating func parseSample(_ start: Int, _ end: Int, lineStart: Int) -> ExpositionEntry {
        guard let nameEnd = scanMetricName(start, end) else {
            return .invalid(makeError(.invalidMetricName, lineStart: lineStart, lineEnd: end))
        }
        var i = nameEnd
        var block = ByteRange(nameEnd, nameEnd)
        if i < end, base[i] == UInt8(ascii: "{") {
            switch scanLabelBlock(i + 1, end) {
            case .success(let close):
                block = ByteRange(i + 1, close)
                i = close + 1
            case .failure(let reason):
                return .invalid(makeError(reason, lineStart: lineStart, lineEnd: end))
            }
        }
        let keyEnd = i
        guard i < end, isBlank(base[i]) else {
            return .invalid(makeError(i == end ? .missingValue : .expectedBlank, lineStart: lineStart, lineEnd: end))
        }
        if let reason = parseValueAndTimestamp(i, end) {
            return .invalid(makeError(reason, lineStart: lineStart, lineEnd: end))
        }
        metricName = ByteRange(start, nameEnd)
        labelBlock = block
        seriesKey = ByteRange(start, keyEnd)
        role = classify(metricName)
        return .sample
    }

    /// Validates a label set; returns the offset of the closing brace.
    private func scanLabelBlock(_ from: Int, _ end: Int) -> Result<Int, ParseError.Reason> {
        var i = from
        while true {
            while i < end, isBlank(base[i]) { i += 1 }
            guard i < end else { return .failure(.expectedCommaOrBrace) }
            if base[i] == UInt8(ascii: "}") { return .success(i) }
            // label name
            guard isNameStart(base[i]) else { return .failure(.invalidLabelName) }
            i += 1
            while i < end, isNameStart(base[i]) || isDigit(base[i]) { i += 1 }
            while i < end, isBlank(base[i]) { i += 1 }
            guard i < end, base[i] == UInt8(ascii: "=") else { return .failure(.expectedEquals) }
            i += 1
            while i < end, isBlank(base[i]) { i += 1 }
            guard i < end, base[i] == UInt8(ascii: "\"") else { return .failure(.expectedQuote) }
            i += 1
            // label value: until an unescaped quote
            while true {
                guard i < end else { return .failure(.unterminatedLabelValue) }
                let b = base[i]
                if b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < end else { return .failure(.unterminatedLabelValue) }
                    i += 2
                    continue
                }
                i += 1
            }
            i += 1  // closing quote
            while i < end, isBlank(base[i]) { i += 1 }
            guard i < end else { return .failure(.expectedCommaOrBrace) }
            if base[i] == UInt8(ascii: ",") { i += 1; continue }
            if base[i] == UInt8(ascii: "}") { return .success(i) }
            return .failure(.expectedCommaOrBrace)
        }
    }

    /// Parses ` value [timestamp] [# exemplar]` from `from` (at whitespace).
    private mutating func parseValueAndTimestamp(_ from: Int, _ end: Int) -> ParseError.Reason? {
        var i = from
        while i < end, isBlank(base[i]) { i += 1 }
        let valueStart = i
        while i < end, !isBlank(base[i]) { i += 1 }
        guard i > valueStart else { return .missingValue }
        guard NumberParsing.parseValue(base + valueStart, count: i - valueStart, into: &value, integer: &integerValue) else {
            return .invalidValue
        }
        while i < end, isBlank(base[i]) { i += 1 }
        timestamp = nil
        if i < end, base[i] != UInt8(ascii: "#") {
            let tsStart = i
            while i < end, !isBlank(base[i]) { i += 1 }
            guard let ts = NumberParsing.parseTimestamp(base + tsStart, count: i - tsStart) else { return .invalidTimestamp }
            timestamp = ts
            while i < end, isBlank(base[i]) { i += 1 }
        }
        if i < end {
            // OpenMetrics exemplar: `# {labels} value [timestamp]` is skipped.
            guard base[i] == UInt8(ascii: "#") else { return .trailingData }
        }
        return nil
    }

    /// Works out the sample's role from its name and the current family;
    /// a sample outside the current family starts a new untyped family.
    private mutating func classify(_ name: ByteRange) -> SampleRole {
        let family = familyName
        if !family.isEmpty, name.count >= family.count,
           memcmp(base + name.start, base + family.start, family.count) == 0 {
            if name.count == family.count {
                return .value
            }
            let suffix = UnsafeRawBufferPointer(start: base + name.start + family.count, count: name.count - family.count)
            switch familyType {
            case .histogram, .gaugeHistogram:
                if equalsLiteral(suffix, "_bucket") { return .bucket }
                if equalsLiteral(suffix, "_sum") || equalsLiteral(suffix, "_gsum") { return .sum }
                if equalsLiteral(suffix, "_count") || equalsLiteral(suffix, "_gcount") { return .count }
                if equalsLiteral(suffix, "_created") { return .created }
            case .summary:
                if equalsLiteral(suffix, "_sum") { return .sum }
                if equalsLiteral(suffix, "_count") { return .count }
                if equalsLiteral(suffix, "_created") { return .created }
            case .counter:
                if equalsLiteral(suffix, "_total") { return .value }
                if equalsLiteral(suffix, "_created") { return .created }
            case .info:
                if equalsLiteral(suffix, "_info") { return .value }
            default:
                break
            }
        }
        familyName = name
        familyType = .untyped
        return .value
    }

    /// Whether the line at `lineStart` is a sample of `family` (by name only).
    private func lineBelongsToFamily(_ lineStart: Int, _ family: ByteRange) -> Bool {
        let n = family.count
        guard lineStart + n < endOffset, memcmp(base + lineStart, base + family.start, n) == 0 else { return false }
        let next = base[lineStart + n]
        if next == UInt8(ascii: "{") || isBlank(next) { return true }
        guard next == UInt8(ascii: "_") else { return false }
        var j = lineStart + n
        let limit = min(endOffset, j + 16)
        while j < limit, base[j] != UInt8(ascii: "{"), !isBlank(base[j]) { j += 1 }
        let suffix = UnsafeRawBufferPointer(start: base + lineStart + n, count: j - lineStart - n)
        switch familyType {
        case .histogram, .gaugeHistogram:
            return equalsLiteral(suffix, "_bucket") || equalsLiteral(suffix, "_sum") || equalsLiteral(suffix, "_count")
                || equalsLiteral(suffix, "_created") || equalsLiteral(suffix, "_gsum") || equalsLiteral(suffix, "_gcount")
        case .summary:
            return equalsLiteral(suffix, "_sum") || equalsLiteral(suffix, "_count") || equalsLiteral(suffix, "_created")
        case .counter:
            return equalsLiteral(suffix, "_total") || equalsLiteral(suffix, "_created")
        case .info:
            return equalsLiteral(suffix, "_info")
        default:
            return false
        }
    }
}

extension ExpositionParser {
    /// Runs `body` with a parser over `bytes`, keeping the bytes alive.
    public static func withParser<R>(
        over bytes: [UInt8], _ body: (inout ExpositionParser) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeBytes { raw in
            var parser = ExpositionParser(raw)
            return try body(&parser)
        }
    }

    /// The current sample's metric name as a `String` (cold paths, tests).
    public var metricNameString: String { bytes.string(metricName) }
    /// The current family name as a `String` (cold paths, tests).
    public var familyNameString: String { bytes.string(familyName) }
}
