/// A metric value as a Kubernetes `resource.Quantity` string.
///
/// The HPA parses `value` with `resource.ParseQuantity`, and custom metrics
/// servers (prometheus-adapter) build it with `NewMilliQuantity(_, DecimalSI)`:
/// milli precision, written in the canonical form Go's `Quantity.String()`
/// gives (`"1500m"`, `"2"`, `"2500"`, `"3k"`), never exponent notation, which
/// some clients of these APIs do not read.
public enum Quantity {
    /// SI suffixes by power of ten, as `resource.Quantity` writes DecimalSI.
    static let suffixes: [Int: String] = [-3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]

    /// `value` rounded to the nearest thousandth and written canonically;
    /// nil for NaN and infinities, which a Quantity cannot hold.
    public static func string(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        let scaled = (value * 1000).rounded(.toNearestOrAwayFromZero)
        // Int64 milli-units reach 9.2e15, far beyond any rate or ratio.
        guard abs(scaled) < 9.2e18 else { return nil }
        return string(milliUnits: Int64(scaled))
    }

    /// `milli` thousandths in canonical DecimalSI form: trailing zeros are
    /// folded into the exponent, which is then lowered to a multiple of three
    /// so it has a suffix (Go's `int64Amount.AsCanonicalBytes`).
    public static func string(milliUnits milli: Int64) -> String {
        guard milli != 0 else { return "0" }
        var mantissa = milli
        var exponent = -3
        while mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        switch ((exponent % 3) + 3) % 3 {
        case 1:
            mantissa *= 10
            exponent -= 1
        case 2:
            mantissa *= 100
            exponent -= 2
        default:
            break
        }
        return String(mantissa) + (suffixes[exponent] ?? "")
    }
}
