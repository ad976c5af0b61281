import SiskinIngest

/// Checks a decoded store against the invariants `WindowedStore` relies on
/// and rebuilds what snapshots leave out (indexes, postings, interner).
///
/// Ingest indexes arrays with ids from these tables without checking, as it
/// may for state it built itself; state read from disk has to earn that
/// trust here first. The checks are the invariants ingest and expiry keep,
/// no stricter, so every store they can build loads again.
enum SnapshotLinker {
    static func link(_ store: inout WindowedStore) throws(SnapshotDecoder.Failure) {
        try checkFreeList(store.freePods, live: store.pods.map(\.live), "pod")
        try checkFreeList(store.freeSeries, live: store.series.map(\.live), "series")
        try checkFreeList(store.freeRollups, live: store.rollups.map(\.live), "rollup")

        // Pods and the series their slots map to: each live series belongs
        // to exactly one slot of its owner.
        var referenced = [Bool](repeating: false, count: store.series.count)
        var podIndex: [PodKey: Int] = [:]
        for (podID, pod) in store.pods.enumerated() where pod.live {
            guard podIndex.updateValue(podID, forKey: pod.key) == nil else { throw .corrupt("pod \(pod.key) stored twice") }
            for slot in pod.seriesOfSlot.count..<max(pod.seriesOfSlot.count, pod.stream.slotCount)
            where pod.stream.key(ofSlot: slot) != nil {
                throw .corrupt("pod \(pod.key): stream slot \(slot) has no series entry")
            }
            for (slot, id) in pod.seriesOfSlot.enumerated() where id >= 0 {
                guard id < store.series.count, store.series[id].live else {
                    throw .corrupt("pod \(pod.key): slot \(slot) maps to missing series \(id)")
                }
                guard store.series[id].owner == podID, !referenced[id] else {
                    throw .corrupt("series \(id) claimed by pod \(pod.key) slot \(slot) but owned elsewhere")
                }
                guard let key = pod.stream.key(ofSlot: slot), key == store.series[id].key else {
                    throw .corrupt("pod \(pod.key): slot \(slot) and series \(id) disagree on the series")
                }
                referenced[id] = true
            }
        }

        var owners = [Int](repeating: 0, count: store.rollups.count)
        for (id, series) in store.series.enumerated() where series.live {
            // A series no slot maps to can exist: a push naming one series
            // twice with two layouts registers both. It stays harmless as
            // long as its owner is a pod id.
            // Owner -1: detached (its pod went stale or forgot it), kept
            // for its data until it leaves the detail retention.
            guard referenced[id] || (series.owner >= -1 && series.owner < store.pods.count) else {
                throw .corrupt("series \(id) is owned by missing pod \(series.owner)")
            }
            if series.owner == -1 {
                guard !referenced[id], store.detachedIndex.updateValue(id, forKey: series.key) == nil else {
                    throw .corrupt("detached series \(series.key) stored twice")
                }
            }
            try checkLayout(series, "series \(id)")
            guard series.rollup >= -1, series.rollup < store.rollups.count else {
                throw .corrupt("series \(id) feeds missing rollup \(series.rollup)")
            }
            guard series.rollup >= 0 else { continue }
            let rollup = store.rollups[series.rollup]
            guard rollup.live, rollup.kind == series.kind, rollup.bounds == series.bounds else {
                throw .corrupt("series \(id) feeds rollup \(series.rollup) of another layout")
            }
            if series.owner >= 0 { owners[series.rollup] += 1 }
        }

        var rollupIndex: [SeriesKey: Int] = [:]
        for (id, rollup) in store.rollups.enumerated() where rollup.live {
            try checkLayout(rollup, "rollup \(id)")
            guard rollup.owner == owners[id], rollup.rollup == -1 else {
                throw .corrupt("rollup \(id) counts \(rollup.owner) feeding series, \(owners[id]) feed it")
            }
            guard rollupIndex.updateValue(id, forKey: rollup.key) == nil else {
                throw .corrupt("rollup \(rollup.key) stored twice")
            }
        }

        store.podIndex = podIndex
        store.rollupIndex = rollupIndex
        for (id, series) in store.series.enumerated() where series.live {
            store.podPostings.insert(id, key: series.key)
            _ = store.interner.intern(series.key.name)
            for label in series.key.labels {
                _ = store.interner.intern(label.name)
                _ = store.interner.intern(label.value)
            }
        }
        for (id, rollup) in store.rollups.enumerated() where rollup.live {
            store.rollupPostings.insert(id, key: rollup.key)
        }
    }

    /// Free ids: in range, each a dead entry, each once, and every dead
    /// entry listed (allocation pops them and overwrites).
    private static func checkFreeList(_ free: [Int], live: [Bool], _ what: String) throws(SnapshotDecoder.Failure) {
        var listed = [Bool](repeating: false, count: live.count)
        for id in free {
            guard id >= 0, id < live.count else { throw .corrupt("free \(what) \(id) out of range 0..<\(live.count)") }
            guard !live[id], !listed[id] else { throw .corrupt("free \(what) \(id) is live or listed twice") }
            listed[id] = true
        }
        let dead = live.count(where: { !$0 })
        guard dead == free.count else { throw .corrupt("\(dead) dead \(what) entries but \(free.count) free") }
    }

    private static func checkLayout(_ series: StoredSeries, _ what: String) throws(SnapshotDecoder.Failure) {
        let width = series.kind == .histogram ? series.bounds.count + 3 : 1
        guard series.ring.width == width else {
            throw .corrupt("\(what) ring holds \(series.ring.width) values per slot, its layout needs \(width)")
        }
    }
}
