#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A rule's label selection as bytes, so the cold path decides whether a raw
/// label survives without making a `String` of its name.
struct LabelNameFilter {
    private let names: [[UInt8]]
    private let keepListed: Bool

    init(_ selection: AggregationRule.LabelSelection) {
        switch selection {
        case .by(let names):
            self.names = names.map { Array($0.utf8) }
            keepListed = true
        case .without(let names):
            self.names = names.map { Array($0.utf8) }
            keepListed = false
        }
    }

    func keeps(_ name: UnsafeRawBufferPointer) -> Bool {
        for candidate in names where candidate.count == name.count {
            let equal = candidate.withUnsafeBytes { memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }
            if equal { return keepListed }
        }
        return !keepListed
    }
}
