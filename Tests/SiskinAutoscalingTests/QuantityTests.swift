import SiskinAutoscaling
import Testing

@Suite("Quantity: metric values as Kubernetes resource.Quantity strings")
struct QuantityTests {
    @Test("whole numbers are written without a suffix, fractions in thousandths",
          arguments: [(0.0, "0"), (5, "5"), (2500, "2500"), (1.5, "1500m"), (0.1, "100m"), (0.25, "250m"),
                      (12.0, "12"), (123_456.789, "123456789m"), (-1.5, "-1500m")])
    func canonicalForms(value: Double, expected: String) {
        #expect(Quantity.string(value) == expected)
    }

    @Test("multiples of a thousand take the SI suffix resource.Quantity chooses",
          arguments: [(3000.0, "3k"), (1_500_000, "1500k"), (2_000_000, "2M"), (1e12, "1T"), (20_000, "20k")])
    func siSuffixes(value: Double, expected: String) {
        #expect(Quantity.string(value) == expected)
    }

    @Test("values are rounded to the nearest thousandth, as NewMilliQuantity keeps them")
    func rounding() {
        #expect(Quantity.string(0.0125) == "13m")
        #expect(Quantity.string(0.0004) == "0")
        #expect(Quantity.string(19.9996) == "20")
        #expect(Quantity.string(2.0 / 3.0) == "667m")
    }

    @Test("never exponent notation, however large or small")
    func noExponent() {
        for value in [1e-3, 1e-2, 7.5e5, 3.3e9, 1e15, 123e-3] {
            let text = Quantity.string(value)
            #expect(text != nil)
            #expect(!(text ?? "e").contains("e") && !(text ?? "E").contains("E"), "\(value) → \(text ?? "nil")")
        }
    }

    @Test("NaN and infinities have no Quantity")
    func nonFinite() {
        #expect(Quantity.string(.nan) == nil)
        #expect(Quantity.string(.infinity) == nil)
        #expect(Quantity.string(-.infinity) == nil)
    }
}
