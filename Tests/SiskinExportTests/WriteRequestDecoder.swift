import SiskinExport

/// A minimal protobuf reader for the tests: decodes a remote-write
/// `WriteRequest` back into series, independently of the encoder (it reads
/// keys and wire types as protobuf defines them and rejects anything else).
struct WriteRequestDecoder {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) {
        self.bytes = bytes[...]
    }

    static func decode(_ bytes: [UInt8]) throws -> [ExportSeries] {
        var reader = WriteRequestDecoder(bytes)
        var out: [ExportSeries] = []
        while !reader.bytes.isEmpty {
            let (field, type) = try reader.key()
            guard field == 1, type == 2 else { throw Malformed(description: "WriteRequest: unexpected field \(field)/\(type)") }
            out.append(try decodeSeries(reader.lengthDelimited()))
        }
        return out
    }

    static func decodeSeries(_ bytes: ArraySlice<UInt8>) throws -> ExportSeries {
        var reader = WriteRequestDecoder(Array(bytes))
        var series = ExportSeries(labels: [], samples: [])
        while !reader.bytes.isEmpty {
            let (field, type) = try reader.key()
            guard type == 2 else { throw Malformed(description: "TimeSeries: wire type \(type)") }
            let body = try reader.lengthDelimited()
            var inner = WriteRequestDecoder(Array(body))
            switch field {
            case 1:
                var label = ExportLabel("", "")
                while !inner.bytes.isEmpty {
                    let (f, t) = try inner.key()
                    guard t == 2 else { throw Malformed(description: "Label: wire type \(t)") }
                    let text = String(decoding: try inner.lengthDelimited(), as: UTF8.self)
                    if f == 1 { label.name = text } else if f == 2 { label.value = text } else { throw Malformed(description: "Label field \(f)") }
                }
                series.labels.append(label)
            case 2:
                var sample = ExportSample(timestamp: 0, value: 0)
                while !inner.bytes.isEmpty {
                    let (f, t) = try inner.key()
                    if f == 1, t == 1 {
                        sample.value = Double(bitPattern: try inner.fixed64())
                    } else if f == 2, t == 0 {
                        sample.timestamp = Int64(bitPattern: try inner.varint())
                    } else {
                        throw Malformed(description: "Sample field \(f)/\(t)")
                    }
                }
                series.samples.append(sample)
            default:
                throw Malformed(description: "TimeSeries field \(field)")
            }
        }
        return series
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Malformed(description: "truncated varint")
    }

    mutating func key() throws -> (Int, Int) {
        let k = try varint()
        return (Int(k >> 3), Int(k & 7))
    }

    mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
        let n = Int(try varint())
        guard n <= bytes.count else { throw Malformed(description: "length \(n) past the end") }
        let out = bytes.prefix(n)
        bytes = bytes.dropFirst(n)
        return out
    }

    mutating func fixed64() throws -> UInt64 {
        guard bytes.count >= 8 else { throw Malformed(description: "truncated fixed64") }
        var value: UInt64 = 0
        for (i, byte) in bytes.prefix(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
        bytes = bytes.dropFirst(8)
        return value
    }
}
