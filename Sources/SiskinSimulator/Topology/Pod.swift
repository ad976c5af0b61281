/// One replica of a workload, i.e. one Envoy sidecar to scrape.
public struct Pod: Sendable, Hashable, CustomStringConvertible {
    /// Kubernetes-style name: `<workload>-<pod-template-hash>-<suffix>`, e.g.
    /// "podinfo-v1-7d9c8b5f6-x2k4q". Derived from the workload's name and namespace only,
    /// so pod names do not change with the simulation seed.
    public var name: String
    /// Name of the owning workload (the key into `MeshTopology.workloads`).
    public var workloadName: String
    public var namespace: String
    /// Replica index within the workload, from 0.
    public var index: Int

    /// The `index`-th replica of `workload`.
    public init(workload: Workload, index: Int) {
        self.workloadName = workload.name
        self.namespace = workload.namespace
        self.index = index
        self.name = Pod.kubernetesName(workload: workload.name, namespace: workload.namespace, index: index)
    }

    public var description: String { "\(namespace)/\(name)" }

    /// Characters Kubernetes uses for generated name suffixes (no vowels, no confusables).
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    static func kubernetesName(workload: String, namespace: String, index: Int) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over "namespace/workload"
        for byte in "\(namespace)/\(workload)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var templateRNG = SplitMix64(seed: hash)
        let templateLength = 9 + Int(templateRNG.next() % 2)
        let template = randomWord(length: templateLength, using: &templateRNG)
        var podRNG = SplitMix64(seed: SplitMix64.derive(hash, UInt64(index)))
        let suffix = randomWord(length: 5, using: &podRNG)
        return "\(workload)-\(template)-\(suffix)"
    }

    private static func randomWord(length: Int, using rng: inout SplitMix64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for _ in 0..<length {
            bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
