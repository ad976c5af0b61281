#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import SiskinStore
import SiskinSync
import Synchronization

/// Remote write for `siskin serve`: collects completed slots from the
/// database as cumulative series (`CumulativeCollector`) and hands them to
/// one sender per endpoint. The server calls `tick` every
/// `collectIntervalSeconds`, and `saveTotals` and `shutdown` when it stops.
///
/// With a `directory` (`<data-dir>/remote-write`) the senders' queues are on
/// disk and the running totals are saved there every
/// `checkpointIntervalSeconds` (`totals.siskin`), so a restart, even after
/// `kill -9`, sends what was queued and continues every exported counter
/// where it was (docs/remote-write.md, "Restarts").
public final class RemoteWriteExporter: Sendable {
    public let configuration: RemoteWriteConfiguration
    public let senders: [RemoteWriteSender]
    /// Where the queues and the totals live; nil: in memory only.
    public let directory: String?
    private let logger: Logger
    private let collector: Mutex<CumulativeCollector>
    private let collected: Mutex<(samples: Int, through: Int64?, series: Int)>
    private struct Persistence {
        /// A checkpoint read at start-up, applied at the first tick (it needs
        /// the store's slot width).
        var pending: [UInt8]?
        var slotMilliseconds: Int64?
        var lastSaved: Int64?
        /// Whether the last save held any slot: the first collection with
        /// data is saved at once, so an early crash does not reset counters.
        var savedSlot = false
        var failing = false
    }
    private let persistence: Mutex<Persistence>

    static let totalsName = "totals.siskin"

    public init(
        configuration: RemoteWriteConfiguration, logger: Logger, directory: String? = nil,
        makeClient: @escaping @Sendable () -> any RemoteWriteClient = { CurlRemoteWriteClient() }
    ) {
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
        senders = configuration.endpoints.map {
            RemoteWriteSender(endpoint: $0, configuration: configuration, logger: logger, directory: directory, makeClient: makeClient)
        }
        var collector = CumulativeCollector(
            selection: configuration.selection, externalLabels: configuration.externalLabels,
            intervalMilliseconds: Int64(configuration.intervalSeconds * 1000))
        collector.suppressThrough = senders.compactMap(\.restoredThrough).max()
        self.collector = Mutex(collector)
        collected = Mutex((0, nil, 0))
        var state = Persistence()
        if let directory, let file = try? SystemFile.open(directory + "/" + Self.totalsName, flags: O_RDONLY),
           let size = try? file.size, size <= Int64(Int32.max) {
            state.pending = try? file.read(count: Int(size), at: 0)
        }
        persistence = Mutex(state)
    }

    /// Collects what completed since the last tick and queues it for every
    /// endpoint. Returns the samples collected. Blocks (encoding, disk
    /// writes): call it off Swift concurrency's pool.
    @discardableResult
    public func tick(database: Database, now: Int64) -> Int {
        let slot = database.read { $0.clock.slotMilliseconds }
        restoreTotals(slotMilliseconds: slot)
        var samples = 0
        while true {
            let (batch, through, tracked, behind) = collector.locked { collector in
                database.read { store in
                    (collector.collect(store, now: now), collector.exportedThrough(store), collector.trackedSeries, collector.isBehind)
                }
            }
            // Labels are built and batches encoded outside the store's lock,
            // once for every endpoint.
            let series = CumulativeCollector.series(batch)
            let count = series.reduce(0) { $0 + $1.samples.count }
            samples += count
            collected.locked { $0 = ($0.samples + count, through ?? $0.through, tracked) }
            if count > 0 {
                let batches = RemoteWriteSender.batches(
                    series, shards: configuration.shards, maxSamples: configuration.maxSamplesPerSend, through: through ?? 0)
                for sender in senders { sender.enqueue(batches: batches) }
            }
            if !behind { break }
        }
        let collecting = collector.locked { $0.lastSlot != nil }
        let due = persistence.locked { state in
            (collecting && !state.savedSlot)
                || (state.lastSaved.map { now - $0 >= Int64(configuration.checkpointIntervalSeconds * 1000) } ?? true)
        }
        if due { saveTotals(now: now) }
        return samples
    }

    /// Applies the checkpoint read at start-up, once.
    private func restoreTotals(slotMilliseconds: Int64) {
        guard let bytes = persistence.locked({ state -> [UInt8]? in
            state.slotMilliseconds = slotMilliseconds
            defer { state.pending = nil }
            return state.pending
        }) else { return }
        let outcome = collector.locked { collector -> Result<(Int64?, Int), CumulativeCollector.CheckpointError> in
            do throws(CumulativeCollector.CheckpointError) {
                try collector.restore(bytes, slotMilliseconds: slotMilliseconds)
                return .success((collector.lastSlot, collector.restored.count))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let (last, series)):
            logger.info("remote write: running totals restored; exported counters continue", metadata: [
                "series": "\(series)", "through_slot": "\(last.map(String.init) ?? "none")",
                "already_queued_through_ms": "\(collector.locked { $0.suppressThrough }.map(String.init) ?? "none")",
            ])
        case .failure(let error):
            logger.warning("remote write: running totals not restored; exported counters start again from 0", metadata: [
                "file": "\(Self.totalsName)", "error": "\(error)",
            ])
        }
    }

    /// Saves the running totals (`totals.siskin`: written aside, synced,
    /// renamed over the old one), so a restart continues the counters. A
    /// failure is logged and retried at the next interval; nothing else
    /// depends on it.
    public func saveTotals(now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        guard let directory else { return }
        guard let slot = persistence.locked({ state -> Int64? in
            guard state.pending == nil else { return nil }  // not restored yet: keep the file as it is
            state.lastSaved = now
            return state.slotMilliseconds
        }) else { return }
        let (bytes, hasSlot) = collector.locked { ($0.checkpoint(slotMilliseconds: slot), $0.lastSlot != nil) }
        let temporary = directory + "/" + Self.totalsName + ".tmp"
        let target = directory + "/" + Self.totalsName
        var failure: PersistenceError?
        do throws(PersistenceError) {
            let file = try SystemFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.writeAll(bytes)
            try file.syncData()
            guard rename(temporary, target) == 0 else { throw .system(operation: "rename", path: temporary, errno: errno) }
            try SystemFile.open(directory, flags: O_RDONLY | O_DIRECTORY).sync()
        } catch {
            _ = unlink(temporary)
            failure = error
        }
        let wasFailing = persistence.locked { state in
            defer {
                state.failing = failure != nil
                if failure == nil { state.savedSlot = hasSlot }
            }
            return state.failing
        }
        if let failure, !wasFailing {
            logger.error("remote write: cannot save the running totals; a restart now would reset the exported counters",
                         metadata: ["error": "\(failure)"])
        } else if failure == nil, wasFailing {
            logger.notice("remote write: running totals saved again")
        }
    }

    /// Samples collected since start-up, the end of the last slot collected
    /// (ms), and the series with a running total.
    public var collection: (samples: Int, through: Int64?, series: Int) { collected.locked { $0 } }

    public var statistics: [RemoteWriteStats] { senders.map(\.statistics) }

    /// Stops the senders after they sent what they hold in memory (bounded
    /// by `grace`); what is queued on disk stays for the next start.
    public func shutdown(grace: Double = 5) {
        for sender in senders { sender.shutdown(grace: grace) }
    }
}
