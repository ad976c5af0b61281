import SiskinSimulator
import Testing

@Suite("Determinism: a seed fully decides every byte")
struct DeterminismTests {
    @Test("the same seed renders byte-identical scrapes", arguments: [Preset.small, .medium])
    func sameSeedSameBytes(preset: Preset) {
        var first = Fleet(preset: preset, seed: 42)
        var second = Fleet(preset: preset, seed: 42)
        #expect(first.focus.render() == second.focus.render())
        for _ in 0..<3 {
            first.advance(by: 15)
            second.advance(by: 15)
        }
        first.restartFocus()
        second.restartFocus()
        first.advance(by: 7.5)
        second.advance(by: 7.5)
        #expect(first.focus.render() == second.focus.render())
    }

    @Test("different seeds render different traffic")
    func differentSeedsDiffer() {
        let first = Fleet(preset: .small, seed: 1).focus.render()
        let second = Fleet(preset: .small, seed: 2).focus.render()
        #expect(first != second)
    }

    @Test("a pod's scrape does not depend on which other pods are simulated")
    func independentOfSimulatedSet() {
        let alone = Fleet(preset: .small, seed: 9)
        let everyone = Fleet(preset: .small, seed: 9, simulating: .all)
        #expect(everyone.sidecars.count == 4)
        #expect(alone.sidecars.count == 1)
        #expect(alone.focus.pod == everyone.focus.pod)
        #expect(alone.focus.render() == everyone.focus.render())
    }

    @Test("pod names are stable Kubernetes-style names that ignore the seed")
    func podNames() {
        let workload = Workload(name: "podinfo-v1", namespace: "test")
        let pods = Workload(name: "podinfo-v1", namespace: "test", podCount: 3).pods
        #expect(pods.map(\.name) == Workload(name: "podinfo-v1", namespace: "test", podCount: 3).pods.map(\.name))
        #expect(Set(pods.map(\.name)).count == 3)
        #expect(workload.pods[0].name == pods[0].name)
        for pod in pods {
            let parts = pod.name.split(separator: "-")
            #expect(pod.name.hasPrefix("podinfo-v1-"))
            #expect(parts.count == 4)
            #expect((9...10).contains(parts[2].count))
            #expect(parts[3].count == 5)
        }
    }
}
