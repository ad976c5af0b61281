/// One metric of the catalogue: its name in the metrics APIs, the PromQL
/// template that computes it over Siskin's store, the objects it describes
/// and the window its rates are taken over.
///
/// The template is PromQL with three placeholders the server fills for each
/// request, as prometheus-adapter's `<<.LabelMatchers>>` and `<<.GroupBy>>` are:
/// - `$window`: the metric's window (`60s`);
/// - `$matchers`: label matchers narrowing the series to the request
///   (`namespace="shop",destination_workload="podinfo"`, never empty), for
///   use inside a selector's braces;
/// - `$by`: the labels one value is kept per (`namespace,pod` for pods).
public struct MetricDefinition: Sendable, Hashable {
    public var name: String
    public var query: String
    /// Objects the custom metrics API serves it for.
    public var resources: [MetricResource]
    /// Whether the external metrics API serves it.
    public var external: Bool
    public var windowMilliseconds: Int64

    public init(name: String, query: String, resources: [MetricResource], external: Bool = true,
                windowMilliseconds: Int64 = 60_000) {
        self.name = name
        self.query = query
        self.resources = resources
        self.external = external
        self.windowMilliseconds = windowMilliseconds
    }

    /// Whole seconds of the window (`windowSeconds` in the documents).
    public var windowSeconds: Int64 { windowMilliseconds / 1000 }

    /// The template with the placeholders filled. `by` always includes
    /// `namespace`.
    public func expand(matchers: [String], by: [String]) -> String {
        query
            .replacing("$window", with: "\(windowMilliseconds)ms")
            .replacing("$matchers", with: matchers.joined(separator: ","))
            .replacing("$by", with: by.joined(separator: ","))
    }
}
