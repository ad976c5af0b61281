import SiskinWire
import Testing

@Suite("Zlib wrapper")
struct ZlibTests {
    private let text = Array(String(repeating: "istio_requests_total{reporter=\"destination\"} 18231\n", count: 200).utf8)

    @Test("zlib, gzip and raw deflate round-trip", arguments: [Zlib.Format.zlib, .gzip, .raw])
    func roundTrip(format: Zlib.Format) throws {
        let compressed = try Zlib.deflate(text, level: 6, format: format)
        #expect(compressed.count < text.count / 10)
        #expect(try Zlib.inflate(compressed, format: format, maxOutput: text.count) == text)
    }

    @Test("Automatic detection inflates both zlib and gzip")
    func automatic() throws {
        for format in [Zlib.Format.zlib, .gzip] {
            let compressed = try Zlib.deflate(text, format: format)
            #expect(try Zlib.inflate(compressed, format: .automatic, maxOutput: 1 << 20) == text)
        }
    }

    @Test("gzip output carries the gzip magic")
    func gzipMagic() throws {
        let compressed = try Zlib.deflate(text, format: .gzip)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
    }

    @Test("Smaller windows still round-trip", arguments: [9, 12, 15] as [Int32])
    func windows(bits: Int32) throws {
        let compressed = try Zlib.deflate(text, level: 9, windowBits: bits, memLevel: 9)
        #expect(try Zlib.inflate(compressed, maxOutput: text.count) == text)
    }

    @Test("Empty input round-trips")
    func empty() throws {
        let compressed = try Zlib.deflate([UInt8]())
        #expect(try Zlib.inflate(compressed, maxOutput: 0) == [])
    }

    @Test("Inflating past maxOutput stops with an error, even without a size hint")
    func outputLimit() throws {
        let compressed = try Zlib.deflate(text)
        #expect(throws: ZlibError.outputLimitExceeded(limit: text.count - 1)) {
            try Zlib.inflate(compressed, maxOutput: text.count - 1)
        }
        #expect(try Zlib.inflate(compressed, maxOutput: text.count, sizeHint: 1) == text)
    }

    @Test("A 100 MB zip bomb is stopped at 1 MiB, with no more work than inflating 1 MiB")
    func zipBomb() throws {
        let bomb = try ZipBomb.shared()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: ZlibError.outputLimitExceeded(limit: 1 << 20)) {
                try Zlib.inflate(bomb.compressed, maxOutput: 1 << 20)
            }
        }
        // Against inflating a legitimate 1 MiB of zeros in the same run (the
        // best of three), not a wall-clock limit: a sanitizer or a loaded
        // machine slows both alike, and inflating the whole 100 MB would
        // take about a hundred times as long.
        let legitimate = try Zlib.deflate([UInt8](repeating: 0, count: 1 << 20))
        let oneMiB = try (0..<3).map { _ in
            try clock.measure { _ = try Zlib.inflate(legitimate, maxOutput: 1 << 20) }
        }.min()!
        #expect(elapsed < oneMiB * 10 + .milliseconds(20), "bomb \(elapsed), 1 MiB \(oneMiB)")
    }

    @Test("Truncated, corrupt and over-long streams are rejected")
    func badStreams() throws {
        let compressed = try Zlib.deflate(text)
        #expect(throws: ZlibError.self) { try Zlib.inflate(Array(compressed.dropLast(5)), maxOutput: 1 << 20) }
        #expect(throws: ZlibError.self) { try Zlib.inflate([0x78, 0x9C, 0xFF, 0xFF, 0xFF], maxOutput: 1 << 20) }
        #expect(throws: ZlibError.trailingBytes(offset: compressed.count, count: 3)) {
            try Zlib.inflate(compressed + [1, 2, 3], maxOutput: 1 << 20)
        }
        #expect(throws: ZlibError.self) { try Zlib.inflate([], maxOutput: 1 << 20) }
    }
}
