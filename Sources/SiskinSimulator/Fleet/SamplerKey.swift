/// Samplers are shared between edges with identical distributions.
struct SamplerKey: Hashable {
    let distribution: LogNormalDistribution
    let quantum: UInt64
}
