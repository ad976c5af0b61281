/// Rendering of the Prometheus text exposition body, byte for byte in Envoy's format:
/// one `# TYPE` line per family and no `# HELP`; every family followed by a blank line;
/// counters, then gauges, then histograms; label-less series printed with `{}`.
extension Sidecar {
    /// The body a scrape of `:15090/stats/prometheus` would return right now.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(estimatedRenderSize)
        render(into: &buffer)
        return buffer
    }

    /// Appends the body to `buffer` (reuse one buffer across scrapes to avoid regrowth).
    public func render(into buffer: inout [UInt8]) {
        for family in FamilySpec.printOrder {
            let start = buffer.count
            buffer.append(contentsOf: family.typeLine)
            let firstSample = buffer.count
            renderSamples(of: family, into: &buffer)
            if buffer.count == firstSample {
                // Envoy prints no TYPE line for a family without series.
                buffer.removeSubrange(start...)
            } else {
                buffer.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// A capacity hint close to the real size, so `render()` allocates once.
    public var estimatedRenderSize: Int {
        let istioLine = 960
        let histograms = [IstioMetricSet.requestDuration, .requestBytes, .responseBytes]
            .filter { options.istioMetrics.contains($0) }.count
        return 16_384 + clusters.clusters.count * 4_200 + http.liveCount * istioLine * (1 + 22 * histograms)
            + tcp.liveCount * istioLine * 4
    }

    private func renderSamples(of family: FamilySpec, into buffer: inout [UInt8]) {
        let uptime = self.uptime
        switch family.source {
        case .clusterCounter(let counter):
            for index in clusters.clusters.indices {
                buffer.append(contentsOf: family.nameBytes)
                buffer.append(contentsOf: clusters.clusters[index].plainLabels)
                buffer.appendDecimal(clusters.value(counter, cluster: index, uptime: uptime))
                buffer.append(UInt8(ascii: "\n"))
            }
        case .clusterRequestsByCode:
            for (index, cluster) in clusters.clusters.enumerated() {
                for entry in clusters.requestsByCode[index] {
                    buffer.append(contentsOf: family.nameBytes)
                    buffer.appendStatic("{envoy_response_code=\"")
                    buffer.appendEscapedLabelValue(entry.code)
                    buffer.appendStatic("\",cluster_name=\"")
                    buffer.append(contentsOf: cluster.escapedName)
                    buffer.appendStatic("\"} ")
                    buffer.appendDecimal(entry.count)
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        case .clusterRequestsByClass:
            for (index, cluster) in clusters.clusters.enumerated() {
                for responseClass in 1...5 {
                    let count = clusters.requestsByClass[index * 5 + responseClass - 1]
                    guard count > 0 else { continue }
                    buffer.append(contentsOf: family.nameBytes)
                    buffer.appendStatic("{envoy_response_code_class=\"")
                    buffer.appendDecimal(UInt64(responseClass))
                    buffer.appendStatic("\",cluster_name=\"")
                    buffer.append(contentsOf: cluster.escapedName)
                    buffer.appendStatic("\"} ")
                    buffer.appendDecimal(count)
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        case .clusterGauge(let gauge):
            for index in clusters.clusters.indices {
                buffer.append(contentsOf: family.nameBytes)
                buffer.append(contentsOf: clusters.clusters[index].plainLabels)
                buffer.appendDecimal(clusterGaugeValue(gauge, cluster: index))
                buffer.append(UInt8(ascii: "\n"))
            }
        case .connectionManager(let stat):
            for index in connectionManagers.managers.indices {
                buffer.append(contentsOf: family.nameBytes)
                buffer.append(contentsOf: connectionManagers.managers[index].plainLabels)
                buffer.appendDecimal(connectionManagers.value(stat, manager: index, uptime: uptime))
                buffer.append(UInt8(ascii: "\n"))
            }
        case .connectionManagerRequestsByClass:
            for (index, manager) in connectionManagers.managers.enumerated() {
                for responseClass in 1...5 {
                    buffer.append(contentsOf: family.nameBytes)
                    buffer.appendStatic("{envoy_response_code_class=\"")
                    buffer.appendDecimal(UInt64(responseClass))
                    buffer.append(contentsOf: manager.classSuffix)
                    buffer.appendDecimal(connectionManagers.requests(manager: index, responseClass: responseClass, uptime: uptime))
                    buffer.append(UInt8(ascii: "\n"))
                }
            }
        case .proxy(let stat):
            buffer.append(contentsOf: family.nameBytes)
            buffer.appendStatic("{} ")
            buffer.appendDecimal(proxyStatValue(stat))
            buffer.append(UInt8(ascii: "\n"))
        case .istioRequests:
            guard options.istioMetrics.contains(.requests) else { return }
            for index in http.order where http.entries[index].live {
                buffer.append(contentsOf: family.nameBytes)
                buffer.append(contentsOf: http.entries[index].labelBlock)
                buffer.appendStatic("} ")
                buffer.appendDecimal(http.entries[index].current.requests)
                buffer.append(UInt8(ascii: "\n"))
            }
        case .istioTCP(let counter):
            guard options.istioMetrics.contains(.tcp) else { return }
            for index in tcp.order where tcp.entries[index].live {
                let counts = tcp.entries[index].current
                buffer.append(contentsOf: family.nameBytes)
                buffer.append(contentsOf: tcp.entries[index].labelBlock)
                buffer.appendStatic("} ")
                switch counter {
                case .closed: buffer.appendDecimal(counts.connectionsClosed)
                case .opened: buffer.appendDecimal(counts.connectionsOpened)
                case .received: buffer.appendDecimal(counts.receivedBytes)
                case .sent: buffer.appendDecimal(counts.sentBytes)
                }
                buffer.append(UInt8(ascii: "\n"))
            }
        case .istioHistogram(let metric):
            let enabled: IstioMetricSet
            switch metric {
            case .requestDuration: enabled = .requestDuration
            case .requestBytes: enabled = .requestBytes
            case .responseBytes: enabled = .responseBytes
            }
            guard options.istioMetrics.contains(enabled) else { return }
            for index in http.order where http.entries[index].live {
                let entry = http.entries[index]
                renderHistogram(family, labelBlock: entry.labelBlock, entry.current[metric], into: &buffer)
            }
        case .istioBuild:
            buffer.append(contentsOf: family.nameBytes)
            buffer.append(contentsOf: istioBuildLine)
        case .initializationTime:
            renderHistogram(family, labelBlock: nil, initializationTime, into: &buffer)
        }
    }

    /// 20 cumulative `_bucket` lines, then `_sum` and `_count`. A nil `labelBlock` prints
    /// `{le="..."}` and `{}` like Envoy does for label-less histograms.
    private func renderHistogram(
        _ family: FamilySpec, labelBlock: [UInt8]?, _ counts: HistogramCounts, into buffer: inout [UInt8]
    ) {
        var cumulative: UInt64 = 0
        for bucket in 0..<EnvoyHistogramBuckets.bucketCount {
            cumulative &+= counts.bucketCounts[bucket]
            buffer.append(contentsOf: family.bucketName)
            if let labelBlock {
                buffer.append(contentsOf: labelBlock)
                buffer.append(contentsOf: EnvoyHistogramBuckets.leSuffixes[bucket])
            } else {
                buffer.append(contentsOf: EnvoyHistogramBuckets.bareLeSuffixes[bucket])
            }
            buffer.appendDecimal(cumulative)
            buffer.append(UInt8(ascii: "\n"))
        }
        buffer.append(contentsOf: family.sumName)
        if let labelBlock {
            buffer.append(contentsOf: labelBlock)
            buffer.appendStatic("} ")
        } else {
            buffer.appendStatic("{} ")
        }
        buffer.appendHundredths(counts.sumHundredths)
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: family.countName)
        if let labelBlock {
            buffer.append(contentsOf: labelBlock)
            buffer.appendStatic("} ")
        } else {
            buffer.appendStatic("{} ")
        }
        buffer.appendDecimal(counts.count)
        buffer.append(UInt8(ascii: "\n"))
    }

    private func clusterGaugeValue(_ gauge: ClusterGauge, cluster index: Int) -> UInt64 {
        switch gauge {
        case .membershipHealthy, .membershipTotal: clusters.members(cluster: index)
        case .upstreamCxActive: clusters.activeConnections(cluster: index, uptime: uptime)
        default: 0
        }
    }

    private func proxyStatValue(_ stat: ProxyStat) -> UInt64 {
        let t = max(0, uptime)
        let pushes = 1 + UInt64(t / 300)
        let listeners = UInt64(connectionManagers.managers.count + 3)
        let clusterCount = UInt64(clusters.clusters.count)
        let series = UInt64(liveIstioSeriesCount)
        let allocated = UInt64(Double(6_500_000 + 45_000 * clusterCount + 2_600 * series) * (1 + memoryJitter))
        switch stat {
        case .clusterManagerCdsUpdateAttempt, .clusterManagerCdsUpdateSuccess: return pushes
        case .clusterManagerClusterAdded, .clusterManagerActiveClusters: return clusterCount
        case .clusterManagerClusterModified: return UInt64(t / 600)
        case .clusterManagerClusterRemoved, .clusterManagerWarmingClusters: return 0
        case .listenerManagerLdsUpdateAttempt, .listenerManagerLdsUpdateSuccess: return pushes
        case .listenerManagerListenerAdded, .listenerManagerTotalListenersActive: return listeners
        case .listenerManagerListenerCreateSuccess: return listeners * 2
        case .serverDebugAssertionFailures, .serverDynamicUnknownFields, .serverEnvoyBugFailures,
            .serverStaticUnknownFields, .serverDaysUntilFirstCertExpiring, .serverHotRestartEpoch,
            .serverParentConnections, .serverState:
            return 0
        case .serverMainThreadWatchdogMiss: return UInt64(t / 3_600)
        case .serverConcurrency: return 2
        case .serverLive: return 1
        case .serverMemoryAllocated: return allocated
        case .serverMemoryHeapSize: return (allocated / 2_097_152 + 3) * 2_097_152
        case .serverMemoryPhysicalSize: return (allocated / 2_097_152 + 4) * 2_097_152
        case .serverStatsRecentLookups: return 4_000 + series * 3 + clusterCount * 40
        case .serverTotalConnections:
            return connectionManagers.managers.indices.reduce(0) {
                $0 + connectionManagers.value(.downstreamCxActive, manager: $1, uptime: t)
            }
        case .serverUptime: return UInt64(t)
        }
    }
}
