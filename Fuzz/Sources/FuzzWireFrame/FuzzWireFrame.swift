import FuzzSupport
import SiskinAggregation
import SiskinWire
import WireFuzzSupport

/// libFuzzer entry point for whole wire-format v1 frames, as an aggregator
/// receives them: header, then (usually) a zlib stream. Seeds are frames the
/// project's encoder wrote, so mutations reach the header checks, the size
/// limits, zlib and, where the stream survives, the payload parser.
///
/// Checks beyond "no crash":
///  - a frame that decodes re-encodes (compressed) to a frame that decodes to
///    the same summary, bit for bit (compared as re-encoded bytes, which
///    also holds for NaN values);
///  - the same bytes through `Zlib.inflate(format: .automatic)` (the agent's
///    gzip path) either inflate within the cap or throw.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let summary = try? SummaryDecoder().decode(bytes) {
        checkReencodes(summary, level: 1)
    }
    if let inflated = try? Zlib.inflate(bytes, format: .automatic, maxOutput: 1 << 20) {
        invariant(inflated.count <= 1 << 20, "inflate gave \(inflated.count) bytes past its cap")
    }
    return 0
}
