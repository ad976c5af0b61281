/// Builds the opening of a label block, `{name="value",name2="value2"` (no closing brace),
/// so that callers can finish it with `}` or with `,le="0.5"}`.
func openLabelBlock(_ pairs: [(name: String, value: String)]) -> [UInt8] {
    var bytes: [UInt8] = [UInt8(ascii: "{")]
    for (index, pair) in pairs.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        bytes.appendString(pair.name)
        bytes.appendStatic("=\"")
        bytes.appendEscapedLabelValue(pair.value)
        bytes.append(UInt8(ascii: "\""))
    }
    return bytes
}
