/// Envoy's `/stats/prometheus` query parameters, applied to a rendered body family by
/// family (families are `# TYPE name type` + samples + one blank line, as the simulator
/// renders them), so the result is exact and byte-identical to the kept parts of the input.
///
/// - `filter=<regex>` keeps the families whose *Prometheus family name* contains a match
///   (search semantics, like Envoy's partial matching). Envoy matches its internal stat
///   name (`cluster.outbound|9898||podinfo…`) instead; for the simulator's families a
///   pattern on the exported name is what tests and scrape configs need.
/// - `usedonly` drops counter samples whose value is 0: a simulated counter only ever goes
///   up, so 0 means it was never touched since the (re)start, which is Envoy's notion of
///   unused. Gauges are kept (Envoy marks gauges used when set, and the simulator sets them
///   all at startup, including those that read 0), and so are histograms (the simulator
///   prints Istio histograms only for series with observations and the initialization
///   histogram always has one). Istio series are all used. A family left without samples
///   disappears with its `# TYPE` line, as in Envoy.
struct ExpositionFilter {
    struct InvalidPattern: Error {
        var message: String
    }

    var usedOnly: Bool
    var pattern: Regex<AnyRegexOutput>?

    /// Reads `usedonly` and `filter` from a query; throws for a pattern that does not compile.
    init(query: [String: String]) throws(InvalidPattern) {
        usedOnly = query["usedonly"] != nil
        if let source = query["filter"], !source.isEmpty {
            do {
                pattern = try Regex(source)
            } catch {
                throw InvalidPattern(message: "Invalid regex: \(error)")
            }
        }
    }

    /// Whether the body would come out unchanged.
    var isIdentity: Bool { !usedOnly && pattern == nil }

    /// The kept families of `body`, in order.
    func apply(to body: [UInt8]) -> [UInt8] {
        guard !isIdentity else { return body }
        var output: [UInt8] = []
        output.reserveCapacity(pattern == nil ? body.count : body.count / 4)
        var position = 0
        while position < body.count {
            let family = Self.nextFamily(in: body, from: position)
            defer { position = family.end }
            guard let typeLine = family.typeLine else {
                continue  // not a family block (never produced by the renderer): dropped
            }
            let header = body[typeLine]
            let words = header.split(separator: UInt8(ascii: " "))
            guard words.count >= 4 else { continue }
            let name = String(decoding: words[2], as: UTF8.self)
            if let pattern, (try? pattern.firstMatch(in: name)) == nil {
                continue
            }
            if usedOnly && words[3].elementsEqual("counter".utf8) {
                var samples: [ArraySlice<UInt8>] = []
                var lineStart = typeLine.upperBound + 1
                while lineStart < family.samplesEnd {
                    let lineEnd = body[lineStart..<family.samplesEnd].firstIndex(of: 10) ?? family.samplesEnd
                    let line = body[lineStart..<lineEnd]
                    if let space = line.lastIndex(of: UInt8(ascii: " ")),
                        !body[(space + 1)..<lineEnd].elementsEqual("0".utf8)
                    {
                        samples.append(line)
                    }
                    lineStart = lineEnd + 1
                }
                guard !samples.isEmpty else { continue }
                output.append(contentsOf: header)
                output.append(10)
                for sample in samples {
                    output.append(contentsOf: sample)
                    output.append(10)
                }
                output.append(10)
            } else {
                output.append(contentsOf: body[family.start..<family.end])
            }
        }
        return output
    }

    /// One block: `start..<end` spans the block and its trailing blank line;
    /// `typeLine` is the `# TYPE` line without its newline (nil if the block has none);
    /// samples run from after the type line to `samplesEnd` (before the blank line).
    private static func nextFamily(
        in body: [UInt8], from start: Int
    ) -> (start: Int, end: Int, samplesEnd: Int, typeLine: Range<Int>?) {
        // The block ends at the first empty line.
        var lineStart = start
        var samplesEnd = body.count
        var end = body.count
        while lineStart < body.count {
            let lineEnd = body[lineStart...].firstIndex(of: 10) ?? body.count
            if lineEnd == lineStart {
                samplesEnd = lineStart
                end = lineStart + 1
                break
            }
            lineStart = lineEnd + 1
        }
        let firstLineEnd = body[start..<samplesEnd].firstIndex(of: 10) ?? samplesEnd
        let isType = body[start..<firstLineEnd].starts(with: "# TYPE ".utf8)
        return (start, end, samplesEnd, isType ? start..<firstLineEnd : nil)
    }
}
