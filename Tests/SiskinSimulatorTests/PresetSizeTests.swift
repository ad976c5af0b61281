import SiskinSimulator
import Testing

@Suite("Presets: realistic scrapes of a known size")
struct PresetSizeTests {
    @Test("small is fixture-scale: tens of KB")
    func small() {
        let stats = ExpositionStats(measuring: Fleet(preset: .small, seed: 42).focus.render())
        #expect((50_000...100_000).contains(stats.bytes), "\(stats)")
        #expect((250...450).contains(stats.series), "\(stats)")
    }

    @Test("medium is about 3 MB")
    func medium() {
        let stats = ExpositionStats(measuring: Fleet(preset: .medium, seed: 42).focus.render())
        #expect((2_700_000...3_300_000).contains(stats.bytes), "\(stats)")
        #expect((4_300...5_300).contains(stats.series), "\(stats)")
    }

    @Test("large is about 7.5 MB and 11.4k series lines, almost all Istio lines of ~900 bytes")
    func large() {
        let fleet = Fleet(preset: .large, seed: 42)
        let body = fleet.focus.render()
        let stats = ExpositionStats(measuring: body)
        #expect((7_200_000...7_800_000).contains(stats.bytes), "\(stats)")
        #expect((11_000...11_800).contains(stats.series), "\(stats)")
        let parsed = ParsedExposition(body)
        let istioLines = parsed.lines.filter { $0.hasPrefix("istio_") && !$0.hasPrefix("istio_build") }
        let istioBytes = istioLines.reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(Double(istioBytes) / Double(stats.bytes) > 0.9)
        let averageLine = Double(istioBytes) / Double(istioLines.count)
        #expect(averageLine > 850 && averageLine < 960, "average Istio line \(averageLine) bytes")
        #expect(fleet.focus.estimatedRenderSize >= stats.bytes)
    }

    @Test("sizes are stable from one scrape to the next (every label set exists after warm-up)")
    func stableSize() {
        var fleet = Fleet(preset: .large, seed: 42)
        let first = ExpositionStats(measuring: fleet.focus.render())
        fleet.advance(by: 15)
        let second = ExpositionStats(measuring: fleet.focus.render())
        #expect(first.series == second.series)
        #expect(first.families == second.families)
    }

    @Test("presets are selectable by name, as the CLI does")
    func names() {
        #expect(Preset(rawValue: "large") == .large)
        #expect(Preset.allCases.map(\.rawValue) == ["small", "medium", "large"])
    }
}
