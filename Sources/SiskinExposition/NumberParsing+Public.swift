/// Number parsing for callers outside the parser (bucket bounds in `le`,
/// quantiles), with the same rules as sample values.
public enum ExpositionNumbers {
    /// Parses a float as the text format spells it (`0.5`, `3.6e+06`, `+Inf`).
    public static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        var value = 0.0
        var integer: UInt64? = nil
        guard NumberParsing.parseValue(base.assumingMemoryBound(to: UInt8.self), count: bytes.count,
                                       into: &value, integer: &integer) else { return nil }
        return value
    }
}
