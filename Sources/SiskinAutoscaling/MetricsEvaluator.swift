import SiskinAggregation
import SiskinIngest
import SiskinPromQL
import SiskinQuery
import SiskinStore

/// Answers the metrics APIs' questions from the store: fills a catalogue
/// template for the request and evaluates it with Siskin's PromQL engine, so
/// a rate here is exactly the `rate()` the Prometheus API answers (same
/// windows, same watermark, same reset handling).
public struct MetricsEvaluator: Sendable {
    public var catalogue: MetricsCatalogue
    /// Seconds one evaluation may take before it fails with 500.
    public var timeoutSeconds: Double

    public init(catalogue: MetricsCatalogue, timeoutSeconds: Double = 10) {
        self.catalogue = catalogue
        self.timeoutSeconds = timeoutSeconds
    }

    // MARK: Custom metrics

    /// `namespaces/{ns}/pods/*/{metric}?labelSelector=…` (or one pod when
    /// `pod` is given): one value per live pod of the namespace whose labels
    /// (the agent's downward-API labels) match `selector` and that has a
    /// value. A pod without any of the metric's series yet (no request
    /// served) has none and is left out, as prometheus-adapter leaves it out;
    /// the HPA then treats it as a missing pod.
    public func pods(
        metric name: String, namespace: String, pod: String? = nil, selector: LabelSelector = .everything,
        metricSelector: LabelSelector = .everything, store: borrowing WindowedStore, now: Int64
    ) throws(MetricsAPIError) -> [MetricValue] {
        let metric = try customMetric(name, resource: .pods, objectName: pod ?? "*")
        let live = store.livePods(inNamespace: namespace)
        guard !live.isEmpty else { throw .notFound("namespaces", namespace) }
        var wanted: Set<String> = []
        for record in live {
            if let pod, record.key.pod != pod { continue }
            let labels = Dictionary(record.stream.podLabels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            if pod != nil || selector.matches(labels) { wanted.insert(record.key.pod) }
        }
        if let pod, wanted.isEmpty { throw .notFound("pods", pod) }
        if wanted.isEmpty { return [] }
        let matchers = [PromQLMatchers.equal("namespace", namespace), PromQLMatchers.oneOf("pod", wanted.sorted())]
            + PromQLMatchers.matchers(for: metricSelector)
        let samples = try evaluate(metric, matchers: matchers, by: ["namespace", "pod"], store: store, now: now)
        var out: [MetricValue] = []
        for sample in samples {
            guard let podName = sample.labels["pod"], wanted.contains(podName), sample.value.isFinite else { continue }
            out.append(MetricValue(
                describedObject: ObjectReference(.pods, namespace: namespace, name: podName), metricName: metric.name,
                timestampMilliseconds: now, windowSeconds: metric.windowSeconds, value: sample.value,
                selector: metricSelector))
        }
        if let pod, out.isEmpty { throw .metricNotFound(metric.name, for: "pods", pod) }
        return out.sorted { $0.describedObject.name < $1.describedObject.name }
    }

    /// `namespaces/{ns}/{deployments.apps|services}/{name}/{metric}` and
    /// `namespaces/{ns}/metrics/{metric}`: one value for the whole object,
    /// from the series of every pod it covers.
    public func object(
        metric name: String, resource: MetricResource, namespace: String, name object: String,
        metricSelector: LabelSelector = .everything, store: borrowing WindowedStore, now: Int64
    ) throws(MetricsAPIError) -> MetricValue {
        let metric = try customMetric(name, resource: resource, objectName: object)
        guard store.hasLivePods(inNamespace: namespace) else {
            throw .notFound("namespaces", namespace)
        }
        var matchers = [PromQLMatchers.equal("namespace", namespace)] + PromQLMatchers.matchers(for: metricSelector)
        var by = ["namespace"]
        if resource != .namespaces {
            matchers.append(PromQLMatchers.equal(resource.objectLabel, object))
            by.append(resource.objectLabel)
        }
        let samples = try evaluate(metric, matchers: matchers, by: by, store: store, now: now)
        guard let sample = samples.first(where: { $0.value.isFinite }) else {
            throw .metricNotFound(metric.name, for: resource.apiName, object)
        }
        return MetricValue(
            describedObject: ObjectReference(resource, namespace: namespace, name: object), metricName: metric.name,
            timestampMilliseconds: now, windowSeconds: metric.windowSeconds, value: sample.value,
            selector: metricSelector)
    }

    // MARK: External metrics

    /// `namespaces/{ns}/{metric}?labelSelector=…`: the metric over the
    /// namespace's series that `selector` selects (it applies to series
    /// labels, e.g. `destination_workload=podinfo`), one item per value of
    /// the labels it pins with `=`; `[]` when no series matches.
    public func external(
        metric name: String, namespace: String, selector: LabelSelector = .everything,
        store: borrowing WindowedStore, now: Int64
    ) throws(MetricsAPIError) -> [ExternalMetricValue] {
        guard let metric = catalogue.metric(named: name), metric.external else {
            throw MetricsAPIError(reason: "NotFound", code: 404, message: "the server could not find the external metric \(name)",
                                  details: .init(name: name, group: MetricsAPIGroup.external.rawValue, kind: "externalmetrics"))
        }
        guard store.hasLivePods(inNamespace: namespace) else {
            throw .notFound("namespaces", namespace)
        }
        var by = ["namespace"]
        for case .equal(let key, _) in selector.requirements where !by.contains(key) { by.append(key) }
        let matchers = [PromQLMatchers.equal("namespace", namespace)] + PromQLMatchers.matchers(for: selector)
        let samples = try evaluate(metric, matchers: matchers, by: by.map(PromQLMatchers.labelName), store: store, now: now)
        return samples.filter { $0.value.isFinite }
            .sorted { $0.sortKey < $1.sortKey }
            .map {
                ExternalMetricValue(metricName: metric.name, metricLabels: $0.labels, timestampMilliseconds: now,
                                    windowSeconds: metric.windowSeconds, value: $0.value)
            }
    }

    // MARK: Evaluation

    /// One result of a filled template: its labels and value.
    struct Sample {
        var labels: [String: String]
        var value: Double

        /// Orders items by their labels, so answers are stable.
        var sortKey: String {
            labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
    }

    private func customMetric(_ name: String, resource: MetricResource, objectName: String) throws(MetricsAPIError) -> MetricDefinition {
        guard let metric = catalogue.metric(named: name), metric.resources.contains(resource) else {
            throw .metricNotFound(name, for: resource.apiName, objectName)
        }
        return metric
    }

    private func evaluate(
        _ metric: MetricDefinition, matchers: [String], by: [String], store: borrowing WindowedStore, now: Int64
    ) throws(MetricsAPIError) -> [Sample] {
        let text = metric.expand(matchers: matchers, by: by)
        let expr: Expr
        do {
            expr = try PromQLParser.parse(text)
        } catch {
            // Only a selector's values end up in the query, and they are
            // quoted: a failure here is a selector PromQL cannot express.
            throw .badRequest("cannot evaluate \(metric.name) for this request: \(error)")
        }
        let value: PromValue
        do {
            value = try PromQLEngine().instant(expr, at: now, store: store, now: now, timeout: timeoutSeconds)
        } catch {
            throw .internalError("evaluating \(metric.name): \(error)")
        }
        switch value {
        case .vector(let samples):
            return samples.map { sample in
                Sample(labels: Dictionary(sample.labels.filter { $0.name != "__name__" }.map { ($0.name, $0.value) },
                                          uniquingKeysWith: { a, _ in a }),
                       value: sample.value)
            }
        case .scalar(let v):
            return [Sample(labels: [:], value: v)]
        default:
            throw .internalError("\(metric.name) evaluates to a \(value.typeName), not an instant vector")
        }
    }
}
