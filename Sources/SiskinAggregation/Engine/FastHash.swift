/// A fast non-cryptographic 64-bit hash over bytes, for the scrape caches.
///
/// Series keys are ~900 bytes; hashing them 8 bytes at a time with a
/// multiply-mix keeps the cold path cheap. Not DoS-resistant by design: a
/// hostile body can only slow its own pod's agent, and table size is bounded.
enum FastHash {
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> UInt64 {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return seed }
        var h = seed ^ UInt64(n)
        var i = 0
        while i + 16 <= n {
            let a = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            h = mix(a ^ 0xA076_1D64_78BD_642F, b ^ h)
            i += 16
        }
        if i + 8 <= n {
            h = mix(p.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0xE703_7ED1_A0B4_28DB, h)
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        return mix(h ^ 0x8EBC_6AF0_9C88_C6E3, tail ^ 0x5899_65CC_7537_4CC3)
    }
}
