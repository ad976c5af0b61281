/// Parameters of a Prometheus API request: the URL query and, for POST, an
/// `application/x-www-form-urlencoded` body, merged as Go's `ParseForm`
/// does (repeats kept, so `match[]` can be given many times).
struct FormParameters: Sendable {
    private(set) var pairs: [(String, String)] = []
    /// Names of parameters whose name or value was not UTF-8 once
    /// percent-decoded: answered 400, as Prometheus refuses invalid UTF-8.
    private(set) var invalidUTF8: [String] = []

    init(query: String?, body: [UInt8]? = nil) {
        if let body, !body.isEmpty { add(String(decoding: body, as: UTF8.self)) }
        if let query { add(query) }
    }

    private mutating func add(_ encoded: String) {
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (name, nameValid) = Self.decodeChecked(pieces[0])
            let (value, valueValid) = pieces.count > 1 ? Self.decodeChecked(pieces[1]) : ("", true)
            if !nameValid || !valueValid { invalidUTF8.append(name) }
            pairs.append((name, value))
        }
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? { pairs.first(where: { $0.0 == name })?.1 }

    func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// Percent-decoding with `+` as space; malformed escapes are kept as is.
    static func decode(_ text: Substring) -> String { decodeChecked(text).0 }

    /// `decode`, and whether the bytes were valid UTF-8 (if not, the string
    /// has replacement characters in their place).
    static func decodeChecked(_ text: Substring) -> (String, Bool) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2, let high = hex(iterator[iterator.startIndex]),
                   let low = hex(iterator[iterator.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    iterator = iterator.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
        }
        if let valid = String(validating: bytes, as: UTF8.self) { return (valid, true) }
        return (String(decoding: bytes, as: UTF8.self), false)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
