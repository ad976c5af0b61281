import Hummingbird

/// One file of the pages, compiled into the binary (no resource bundle to
/// ship next to it, so the container image needs nothing else). Its URL
/// carries a hash of its bytes: a changed asset gets a new URL, so browsers
/// may cache every asset forever and the page (always revalidated) picks the
/// new one up.
struct WebAsset: Sendable {
    /// `/assets/<name>.<hash>.<extension>`, or a fixed path for the page.
    let path: String
    let contentType: String
    let bytes: ByteBuffer
    /// Strong ETag: the content hash, quoted.
    let etag: String

    init(name: String, extension ext: String, contentType: String, content: String) {
        let hash = Self.hash(content)
        self.init(path: "/assets/\(name).\(hash.prefix(12)).\(ext)", contentType: contentType, content: content, hash: hash)
    }

    init(path: String, contentType: String, content: String) {
        self.init(path: path, contentType: contentType, content: content, hash: Self.hash(content))
    }

    private init(path: String, contentType: String, content: String, hash: String) {
        self.path = path
        self.contentType = contentType
        self.bytes = ByteBuffer(string: content)
        self.etag = "\"\(hash)\""
    }

    /// FNV-1a, 64 bits, in hex: enough to tell versions of a file apart (it
    /// names a version, it protects nothing).
    static func hash(_ content: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in content.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
