import SiskinAggregation

/// One series as remote write carries it: labels (`__name__` included) and
/// samples in time order.
public struct ExportSeries: Sendable, Equatable {
    public var labels: [ExportLabel]
    public var samples: [ExportSample]

    public init(labels: [ExportLabel], samples: [ExportSample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// A label pair: the aggregation's own (sorted by name, then value).
public typealias ExportLabel = Label

public struct ExportSample: Sendable, Equatable {
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var value: Double

    public init(timestamp: Int64, value: Double) {
        self.timestamp = timestamp
        self.value = value
    }
}

/// Prometheus remote write 1.0 (`prometheus/prompb/remote.proto`,
/// `types.proto`), the subset receivers need:
///
/// ```
/// message WriteRequest { repeated TimeSeries timeseries = 1; }
/// message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
/// message Label        { string name = 1; string value = 2; }
/// message Sample       { double value = 1; int64 timestamp = 2; }
/// ```
///
/// Labels go out sorted by name, without empty values (receivers reject
/// unsorted labels; Prometheus has no empty label values), and without
/// duplicate names (the first wins, after sorting stably).
public enum RemoteWriteEncoder {
    /// Sorted by name, empty values dropped, one value per name.
    public static func canonical(_ labels: [ExportLabel]) -> [ExportLabel] {
        if isCanonical(labels) { return labels }
        var out: [ExportLabel] = []
        out.reserveCapacity(labels.count)
        for label in labels.filter({ !$0.value.isEmpty }).enumerated().sorted(by: {
            $0.element.name == $1.element.name ? $0.offset < $1.offset : $0.element.name < $1.element.name
        }).map(\.element) where out.last?.name != label.name {
            out.append(label)
        }
        return out
    }

    /// Names strictly increasing, no empty value: nothing to do (the
    /// collector's label sets always are).
    static func isCanonical(_ labels: [ExportLabel]) -> Bool {
        for i in labels.indices {
            if labels[i].value.isEmpty { return false }
            if i > 0, !(labels[i - 1].name < labels[i].name) { return false }
        }
        return true
    }

    /// The protobuf `WriteRequest` for `series` (labels canonicalised here).
    public static func encode(_ series: [ExportSeries]) -> [UInt8] {
        var sizes: [(labels: [ExportLabel], labelSizes: [Int], sampleSizes: [Int], total: Int)] = []
        sizes.reserveCapacity(series.count)
        var total = 0
        for s in series {
            let labels = canonical(s.labels)
            let labelSizes = labels.map { ProtobufWriter.stringSize(1, $0.name) + ProtobufWriter.stringSize(2, $0.value) }
            let sampleSizes = s.samples.map { ProtobufWriter.doubleSize(1, $0.value) + ProtobufWriter.int64Size(2, $0.timestamp) }
            let inner = labelSizes.reduce(0) { $0 + ProtobufWriter.messageSize(1, length: $1) }
                + sampleSizes.reduce(0) { $0 + ProtobufWriter.messageSize(2, length: $1) }
            sizes.append((labels, labelSizes, sampleSizes, inner))
            total += ProtobufWriter.messageSize(1, length: inner)
        }
        var writer = ProtobufWriter(capacity: total)
        for (s, size) in zip(series, sizes) {
            writer.messageHeader(1, length: size.total)
            for (label, length) in zip(size.labels, size.labelSizes) {
                writer.messageHeader(1, length: length)
                writer.string(1, label.name)
                writer.string(2, label.value)
            }
            for (sample, length) in zip(s.samples, size.sampleSizes) {
                writer.messageHeader(2, length: length)
                writer.double(1, sample.value)
                writer.int64(2, sample.timestamp)
            }
        }
        return writer.bytes
    }
}
