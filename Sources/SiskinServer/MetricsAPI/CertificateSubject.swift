/// The subject common name of a DER certificate: what the front-proxy check
/// compares with `--requestheader-allowed-names`. NIOSSL keeps its own
/// accessor internal, and a full X.509 library would be a large dependency
/// for one field, so this walks the few DER elements in front of it.
enum CertificateSubject {
    /// The first CN (OID 2.5.4.3) of the subject, nil when the DER is not a
    /// certificate this can read or the subject has no CN.
    static func commonName(der: [UInt8]) -> String? {
        var reader = DERReader(bytes: der[...])
        guard let certificate = reader.next(tag: 0x30) else { return nil }
        var certificateContent = DERReader(bytes: certificate)
        guard let tbs = certificateContent.next(tag: 0x30) else { return nil }
        var fields = DERReader(bytes: tbs)
        if fields.peekTag == 0xA0 { _ = fields.next(tag: 0xA0) }  // [0] version
        guard fields.next(tag: 0x02) != nil,  // serial number
              fields.next(tag: 0x30) != nil,  // signature algorithm
              fields.next(tag: 0x30) != nil,  // issuer
              fields.next(tag: 0x30) != nil,  // validity
              let subject = fields.next(tag: 0x30)
        else { return nil }
        var names = DERReader(bytes: subject)
        while let set = names.next(tag: 0x31) {
            var attributes = DERReader(bytes: set)
            while let attribute = attributes.next(tag: 0x30) {
                var pair = DERReader(bytes: attribute)
                guard let oid = pair.next(tag: 0x06) else { break }
                guard Array(oid) == [0x55, 0x04, 0x03], let value = pair.nextAny() else { continue }
                return String(decoding: value, as: UTF8.self)
            }
        }
        return nil
    }

    /// Reads one DER element at a time: tag, definite length, contents.
    struct DERReader {
        var bytes: ArraySlice<UInt8>

        var peekTag: UInt8? { bytes.first }

        /// The contents of the next element if its tag is `tag`.
        mutating func next(tag: UInt8) -> ArraySlice<UInt8>? {
            guard peekTag == tag else { return nil }
            return nextAny()
        }

        /// The contents of the next element, whatever its tag.
        mutating func nextAny() -> ArraySlice<UInt8>? {
            var rest = bytes
            guard rest.popFirst() != nil, let first = rest.popFirst() else { return nil }
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard (1...4).contains(count), rest.count >= count else { return nil }
                for _ in 0..<count { length = length << 8 | Int(rest.popFirst()!) }
            }
            guard length <= rest.count else { return nil }
            let contents = rest.prefix(length)
            bytes = rest.dropFirst(length)
            return contents
        }
    }
}
