/// A deliberately small Prometheus text-format reader for these tests only (the project's
/// real parser lives in another module, which this test target must not depend on).
struct ParsedExposition {
    struct Sample: Equatable {
        var name: String
        var labels: [(name: String, value: String)]
        var value: String

        static func == (a: Sample, b: Sample) -> Bool {
            a.name == b.name && a.value == b.value && a.labels.map(\.name) == b.labels.map(\.name)
                && a.labels.map(\.value) == b.labels.map(\.value)
        }

        func label(_ name: String) -> String? {
            labels.first { $0.name == name }?.value
        }

        /// Labels without `le`, joined: identifies a histogram series.
        var seriesKey: String {
            labels.filter { $0.name != "le" }.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        }

        var number: Double { Double(value)! }
        var integer: UInt64 { UInt64(value)! }
    }

    struct Family {
        var name: String
        var type: String
        var samples: [Sample]
    }

    /// Raw lines without their trailing newline (the body always ends in one).
    let lines: [Substring]
    let families: [Family]

    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
        var families: [Family] = []
        for line in lines where !line.isEmpty {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                families.append(Family(name: String(parts[2]), type: String(parts[3]), samples: []))
            } else if !line.hasPrefix("#") {
                families[families.count - 1].samples.append(Self.parseSample(line))
            }
        }
        self.families = families
    }

    init(_ text: String) {
        self.init(Array(text.utf8))
    }

    func family(_ name: String) -> Family? {
        families.first { $0.name == name }
    }

    /// All samples whose name is exactly `name`.
    func samples(_ name: String) -> [Sample] {
        families.flatMap(\.samples).filter { $0.name == name }
    }

    static func parseSample(_ line: Substring) -> Sample {
        let bytes = Array(line.utf8)
        var index = 0
        while index < bytes.count && bytes[index] != UInt8(ascii: "{") && bytes[index] != UInt8(ascii: " ") {
            index += 1
        }
        let name = String(decoding: bytes[0..<index], as: UTF8.self)
        var labels: [(name: String, value: String)] = []
        if index < bytes.count && bytes[index] == UInt8(ascii: "{") {
            index += 1
            while bytes[index] != UInt8(ascii: "}") {
                let nameStart = index
                while bytes[index] != UInt8(ascii: "=") { index += 1 }
                let labelName = String(decoding: bytes[nameStart..<index], as: UTF8.self)
                index += 2  // ="
                var value: [UInt8] = []
                while bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        index += 1
                        value.append(bytes[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : bytes[index])
                    } else {
                        value.append(bytes[index])
                    }
                    index += 1
                }
                index += 1  // closing quote
                labels.append((labelName, String(decoding: value, as: UTF8.self)))
                if bytes[index] == UInt8(ascii: ",") { index += 1 }
            }
            index += 1  // }
        }
        precondition(bytes[index] == UInt8(ascii: " "), "expected a space before the value in: \(line)")
        let value = String(decoding: bytes[(index + 1)...], as: UTF8.self)
        return Sample(name: name, labels: labels, value: value)
    }
}
