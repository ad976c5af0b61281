import FuzzSupport
import SiskinExposition

/// libFuzzer entry point for the exposition text parser (`ExpositionParser`).
///
/// Beyond "no crash" (ASan catches any read outside the body), each input is
/// parsed three ways and checked:
///  1. plain `next()`: it terminates within one entry per line, its position
///     only moves forward, every byte range it hands out lies inside the
///     body, labels stay inside their label block, an exact integer value
///     equals the double, and `nextLineIsSample()` predicts the entry's kind;
///  2. the scrape-cache path, `consumeSample(ifKeyEquals:)` with the keys of
///     pass 1: where a key matches, the result must equal what `next()` said
///     of that line (value bits, integer, timestamp, or the same error), and
///     where it does not, nothing is consumed;
///  3. `next()` with `skipFamily()` after every `# TYPE`: terminates, and
///     never moves backwards.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExposition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = fuzzInput(data, size)
    let lines = 1 + body.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    let records = plainPass(body, lines: lines)
    scrapeCachePass(body, records: records)
    skipFamilyPass(body, lines: lines)
    return 0
}

/// What pass 1 saw of the line starting at one offset.
struct Record {
    var entry: ExpositionEntry
    var key: ByteRange
    var valueBits: UInt64
    var integer: UInt64?
    var timestamp: Int64?
    var role: SampleRole
    var positionAfter: Int
    var lineNumber: Int
}

func inBody(_ range: ByteRange, _ body: UnsafeRawBufferPointer) -> Bool {
    0 <= range.start && range.start <= range.end && range.end <= body.count
}

func isBlankOrBreak(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
}

func checkSample(_ parser: ExpositionParser, _ body: UnsafeRawBufferPointer) {
    invariant(inBody(parser.metricName, body) && !parser.metricName.isEmpty, "metric name \(parser.metricName)")
    invariant(inBody(parser.seriesKey, body), "series key \(parser.seriesKey)")
    invariant(inBody(parser.labelBlock, body), "label block \(parser.labelBlock)")
    invariant(parser.seriesKey.start == parser.metricName.start, "key and name start apart")
    invariant(parser.metricName.end <= parser.seriesKey.end, "name longer than key")
    if !parser.labelBlock.isEmpty {
        invariant(parser.labelBlock.start > parser.metricName.end && parser.labelBlock.end < parser.seriesKey.end,
                  "label block \(parser.labelBlock) outside key \(parser.seriesKey)")
    }
    if let integer = parser.integerValue {
        invariant(Double(integer) == parser.value, "integer \(integer) but value \(parser.value)")
    }
    var labels = 0
    var unescaped: [UInt8] = []
    for label in parser.labels() {
        labels += 1
        invariant(labels <= parser.labelBlock.count, "more labels than bytes in the block")
        for range in [label.name, label.value] {
            invariant(range.start >= parser.labelBlock.start && range.start <= range.end
                      && range.end <= parser.labelBlock.end, "label range \(range) outside \(parser.labelBlock)")
        }
        unescaped.removeAll(keepingCapacity: true)
        LabelEscaping.unescape(body[range: label.value], into: &unescaped)
        invariant(unescaped.count <= label.value.count, "unescaping grew a value")
    }
}

/// Pass 1's records, found by the offset of the line they start at.
struct Records {
    var list: [Record] = []
    /// `index[offset]` is the position in `list` of the record for the line
    /// starting at `offset`, or -1.
    var index: [Int32]

    init(bodySize: Int) { index = Array(repeating: -1, count: bodySize + 1) }

    subscript(offset: Int) -> Record? {
        get { index[offset] < 0 ? nil : list[Int(index[offset])] }
        set {
            guard let newValue else { return }
            index[offset] = Int32(list.count)
            list.append(newValue)
        }
    }
}

func plainPass(_ body: UnsafeRawBufferPointer, lines: Int) -> Records {
    var records = Records(bodySize: body.count)
    var parser = ExpositionParser(body)
    var entries = 0
    while true {
        let before = parser.position
        let predictedSample = parser.nextLineIsSample()
        guard let entry = parser.next() else { break }
        entries += 1
        invariant(entries <= lines, "\(entries) entries from \(lines) lines")
        invariant(parser.position > before && parser.position <= body.count,
                  "position \(before) -> \(parser.position) of \(body.count)")
        invariant(parser.lineNumber <= lines, "line \(parser.lineNumber) of \(lines)")
        invariant(inBody(parser.familyName, body) && inBody(parser.helpText, body), "family or help range")
        switch entry {
        case .sample:
            invariant(predictedSample, "nextLineIsSample() said no, next() gave a sample")
            checkSample(parser, body)
        case .type, .help, .comment, .eof:
            invariant(!predictedSample, "nextLineIsSample() said yes, next() gave \(entry)")
        case .invalid(let error):
            invariant(error.line == parser.lineNumber, "error on line \(error.line), parser at \(parser.lineNumber)")
            invariant(error.excerpt.utf8.count <= 120 * 3, "excerpt of \(error.excerpt.utf8.count) bytes")
        }
        // Lines that start at `before` with a name byte: what the scrape
        // cache would see there.
        if before < body.count, !isBlankOrBreak(body[before]) {
            records[before] = Record(
                entry: entry, key: entry == .sample ? parser.seriesKey : .empty,
                valueBits: parser.value.bitPattern, integer: parser.integerValue, timestamp: parser.timestamp,
                role: parser.role, positionAfter: parser.position, lineNumber: parser.lineNumber)
        }
    }
    invariant(parser.isAtEnd, "next() returned nil before the end")
    return records
}

func scrapeCachePass(_ body: UnsafeRawBufferPointer, records: Records) {
    let keys = records.list.compactMap { $0.entry == .sample ? $0.key : nil }
    guard !keys.isEmpty else { return }
    var parser = ExpositionParser(body)
    var step = 0
    while !parser.isAtEnd {
        step += 1
        let before = parser.position
        let record = records[before]
        // Its own key where pass 1 saw a sample here, otherwise another one.
        let key = record.flatMap { $0.entry == .sample ? $0.key : nil } ?? keys[step % keys.count]
        let keyBytes = body[range: key]
        switch parser.consumeSample(ifKeyEquals: keyBytes) {
        case .matched:
            guard let record, record.entry == .sample else {
                invariant(false, "consumeSample matched at \(before) where next() saw \(String(describing: records[before]?.entry))")
                return
            }
            invariant(body[range: record.key].elementsEqual(keyBytes), "matched a different key")
            invariant(parser.value.bitPattern == record.valueBits && parser.integerValue == record.integer
                      && parser.timestamp == record.timestamp,
                      "consumeSample read \(parser.value)/\(String(describing: parser.integerValue))/\(String(describing: parser.timestamp)) at \(before)")
            invariant(parser.position == record.positionAfter, "consumeSample ended at \(parser.position), next() at \(record.positionAfter)")
        case .invalid(let error):
            guard let record, case .invalid(let expected) = record.entry else {
                invariant(false, "consumeSample failed at \(before) (\(error)) where next() did not")
                return
            }
            invariant(error.reason == expected.reason, "consumeSample: \(error.reason), next(): \(expected.reason)")
            invariant(parser.position == record.positionAfter, "consumeSample ended at \(parser.position), next() at \(record.positionAfter)")
        case .notMatched:
            invariant(parser.position == before, "notMatched consumed bytes")
            invariant(record?.entry != .sample || record?.key != key,
                      "consumeSample did not match the key next() read at \(before)")
            guard let entry = parser.next() else { return }
            if let record {
                invariant(entry == record.entry, "second pass: \(entry), first pass: \(record.entry) at \(before)")
                if entry == .sample {
                    invariant(parser.value.bitPattern == record.valueBits && parser.role == record.role, "second pass value or role differs")
                }
            }
        }
    }
}

func skipFamilyPass(_ body: UnsafeRawBufferPointer, lines: Int) {
    var parser = ExpositionParser(body)
    var steps = 0
    while true {
        let before = parser.position
        guard let entry = parser.next() else { break }
        steps += 1
        invariant(steps <= lines, "\(steps) steps from \(lines) lines")
        invariant(parser.position > before, "next() did not move")
        if entry == .type {
            let at = parser.position
            let skipped = parser.skipFamily()
            invariant(skipped >= 0 && skipped <= lines && parser.position >= at && parser.position <= body.count,
                      "skipFamily skipped \(skipped), moved \(at) -> \(parser.position)")
            invariant(skipped == 0 || parser.position > at, "skipFamily skipped \(skipped) lines without moving")
        }
    }
}
