import FuzzSupport
import SiskinAggregation
import SiskinWire
import WireFuzzSupport

/// libFuzzer entry point for the wire-format v1 payload parser: the input is
/// the payload itself (what follows the header once inflated). The harness
/// wraps it in an uncompressed frame (flag bit 0 clear, length = input size)
/// and decodes that with the public decoder, so every mutation reaches the
/// parser instead of dying at zlib's checksum. Seeds are payloads of frames
/// the project's encoder wrote at compression level 0.
///
/// Checks beyond "no crash": a payload that decodes re-encodes (as an
/// uncompressed frame: the compressed path is wire-frame's) to a frame that
/// decodes to the same summary bit for bit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWirePayload(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = fuzzInput(data, size)
    guard size <= Int(UInt32.max) else { return 0 }
    let header = FrameHeader(isCompressed: false, uncompressedLength: size).bytes
    let frame = header + Array(payload)
    if let summary = try? SummaryDecoder().decode(frame) {
        checkReencodes(summary, level: 0)
    }
    return 0
}
