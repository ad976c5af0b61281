extension PodAggregator {
    /// The current cumulative values as a summary, ready to encode and push.
    ///
    /// Families come in first-seen order, series sorted by labels, so equal
    /// state gives equal summaries.
    public mutating func summary(
        agentInstance: String, sequence: UInt64, timestampMilliseconds: Int64,
        podLabels: [Label] = [], metadata: [Label] = []
    ) -> PodSummary {
        var result: [SummaryFamily] = []
        result.reserveCapacity(families.count)
        for f in families.indices {
            if families[f].needsSorting {
                let outputs = self.outputs
                families[f].members.sort { outputs[Int($0)].labels.lexicographicallyPrecedes(outputs[Int($1)].labels) }
                families[f].needsSorting = false
            }
            let family = families[f]
            guard !family.members.isEmpty else { continue }
            var series: [SummarySeries] = []
            series.reserveCapacity(family.members.count)
            for id in family.members {
                let output = outputs[Int(id)]
                series.append(SummarySeries(labels: output.labels, value: value(of: output)))
            }
            result.append(SummaryFamily(name: family.name, kind: family.kind, series: series))
        }
        return PodSummary(
            pod: pod, namespace: namespace, podLabels: podLabels, agentInstance: agentInstance,
            sequence: sequence, timestampMilliseconds: timestampMilliseconds, metadata: metadata,
            families: result)
    }

    private func value(of output: OutputSeries) -> SummarySeries.Value {
        switch output.kind {
        case .counter:
            return .counter(slots[Int(output.valueSlot)].cumulative)
        case .gauge:
            return .gauge(slots[Int(output.valueSlot)].gauge)
        case .histogram:
            var buckets = output.bucketSlots.map { slots[Int($0)].cumulative }
            let count = slots[Int(output.countSlot)].cumulative
            // A body without `le="+Inf"` still has a total: `_count`.
            buckets.append(output.infSlot >= 0 ? slots[Int(output.infSlot)].cumulative : count)
            return .histogram(HistogramValue(
                bounds: output.bounds, bucketCounts: buckets,
                sum: slots[Int(output.sumSlot)].cumulative.doubleValue, count: count))
        }
    }

    /// Live raw series (cached by bytes).
    public var rawSeriesCount: Int { rawKeys.liveCount }
    /// Live output series.
    public var outputSeriesCount: Int { outputKeys.liveCount }
    /// Approximate heap bytes held by the caches.
    public var memoryFootprint: Int {
        rawKeys.memoryFootprint + outputKeys.memoryFootprint
            + raw.capacity * MemoryLayout<RawSeries>.stride + slots.capacity * MemoryLayout<Slot>.stride
    }
}
