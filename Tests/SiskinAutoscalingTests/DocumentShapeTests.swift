import Foundation
import SiskinAutoscaling
import Testing

/// The documents as JSON objects, checked field by field against the Go
/// definitions in k8s.io/metrics (custom_metrics v1beta1/v1beta2,
/// external_metrics v1beta1) and k8s.io/apimachinery (Status, discovery).
@Suite("Kubernetes JSON documents: field names and shapes")
struct DocumentShapeTests {
    func json(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    let podValue = MetricValue(
        describedObject: ObjectReference(.pods, namespace: "test", name: "podinfo-7d9c8b6f5d-x2x9k"),
        metricName: "istio_requests_per_second", timestampMilliseconds: 1_700_000_000_000, windowSeconds: 60,
        value: 1.5, selector: nil)

    @Test("v1beta2 MetricValueList: metric.name, windowSeconds, describedObject with apiVersion /v1")
    func v1beta2() throws {
        let list = try json(MetricValueList(version: "v1beta2", items: [podValue]))
        #expect(list["kind"] as? String == "MetricValueList")
        #expect(list["apiVersion"] as? String == "custom.metrics.k8s.io/v1beta2")
        #expect((list["metadata"] as? [String: Any])?.isEmpty == true)
        let item = try #require((list["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["describedObject", "metric", "timestamp", "windowSeconds", "value"])
        let object = try #require(item["describedObject"] as? [String: String])
        #expect(object == ["kind": "Pod", "namespace": "test", "name": "podinfo-7d9c8b6f5d-x2x9k", "apiVersion": "/v1"])
        #expect((item["metric"] as? [String: String]) == ["name": "istio_requests_per_second"])
        #expect(item["timestamp"] as? String == "2023-11-14T22:13:20Z")
        #expect(item["windowSeconds"] as? Int == 60)
        #expect(item["value"] as? String == "1500m")
    }

    @Test("v1beta1 MetricValueList: metricName, window, and selector written as null")
    func v1beta1() throws {
        let list = try json(MetricValueList(version: "v1beta1", items: [podValue]))
        #expect(list["apiVersion"] as? String == "custom.metrics.k8s.io/v1beta1")
        let item = try #require((list["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["describedObject", "metricName", "timestamp", "window", "value", "selector"])
        #expect(item["metricName"] as? String == "istio_requests_per_second")
        #expect(item["window"] as? Int == 60)
        #expect(item["selector"] is NSNull)
    }

    @Test("a metric selector is echoed as a metav1.LabelSelector")
    func selectorEcho() throws {
        var value = podValue
        value.selector = try LabelSelector(parsing: "destination_workload=podinfo,response_code in (500,503)")
        let item = try #require((try json(MetricValueList(version: "v1beta2", items: [value]))["items"] as? [[String: Any]])?.first)
        let selector = try #require((item["metric"] as? [String: Any])?["selector"] as? [String: Any])
        #expect(selector["matchLabels"] as? [String: String] == ["destination_workload": "podinfo"])
        let expression = try #require((selector["matchExpressions"] as? [[String: Any]])?.first)
        #expect(expression["key"] as? String == "response_code")
        #expect(expression["operator"] as? String == "In")
        #expect(expression["values"] as? [String] == ["500", "503"])
    }

    @Test("object metrics describe a Deployment as apps/v1 and a Service as /v1")
    func objectReferences() throws {
        #expect(try json(ObjectReference(.deployments, namespace: "test", name: "podinfo")) as? [String: String]
            == ["kind": "Deployment", "namespace": "test", "name": "podinfo", "apiVersion": "apps/v1"])
        #expect(try json(ObjectReference(.services, namespace: "test", name: "podinfo")) as? [String: String]
            == ["kind": "Service", "namespace": "test", "name": "podinfo", "apiVersion": "/v1"])
        #expect(try json(ObjectReference(.namespaces, namespace: "test", name: "test")) as? [String: String]
            == ["kind": "Namespace", "name": "test", "apiVersion": "/v1"])
    }

    @Test("an empty list has items: [], not null or a missing field")
    func emptyLists() throws {
        let custom = try json(MetricValueList(version: "v1beta2", items: []))
        #expect((custom["items"] as? [Any])?.isEmpty == true)
        let external = try json(ExternalMetricValueList(items: []))
        #expect((external["items"] as? [Any])?.isEmpty == true)
    }

    @Test("ExternalMetricValueList: metricName, metricLabels, timestamp, window, value")
    func external() throws {
        let list = try json(ExternalMetricValueList(items: [ExternalMetricValue(
            metricName: "istio_requests_per_second", metricLabels: ["destination_workload": "podinfo"],
            timestampMilliseconds: 1_700_000_000_000, windowSeconds: 60, value: 42)]))
        #expect(list["kind"] as? String == "ExternalMetricValueList")
        #expect(list["apiVersion"] as? String == "external.metrics.k8s.io/v1beta1")
        let item = try #require((list["items"] as? [[String: Any]])?.first)
        #expect(Set(item.keys) == ["metricName", "metricLabels", "timestamp", "window", "value"])
        #expect(item["metricLabels"] as? [String: String] == ["destination_workload": "podinfo"])
        #expect(item["value"] as? String == "42")
    }

    @Test("Status errors carry kind, apiVersion, status Failure, message, reason and code")
    func status() throws {
        let status = try json(MetricsAPIError.notFound("namespaces", "nowhere").status)
        #expect(status["kind"] as? String == "Status")
        #expect(status["apiVersion"] as? String == "v1")
        #expect(status["status"] as? String == "Failure")
        #expect(status["reason"] as? String == "NotFound")
        #expect(status["code"] as? Int == 404)
        #expect(status["message"] as? String == "namespaces \"nowhere\" not found")
        #expect((status["details"] as? [String: String]) == ["name": "nowhere", "kind": "namespaces"])
        let bad = try json(MetricsAPIError.badRequest("unable to parse requirement").status)
        #expect(bad["reason"] as? String == "BadRequest")
        #expect(bad["code"] as? Int == 400)
    }

    @Test("discovery: APIGroupList, APIGroup with v1beta2 preferred, APIResourceList naming <resource>/<metric>")
    func discovery() throws {
        let groups = try json(Discovery.GroupList())
        #expect(groups["kind"] as? String == "APIGroupList")
        let names = (groups["groups"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["custom.metrics.k8s.io", "external.metrics.k8s.io"])

        let custom = try json(Discovery.GroupDocument(.custom))
        #expect(custom["kind"] as? String == "APIGroup")
        #expect((custom["preferredVersion"] as? [String: String]) == ["groupVersion": "custom.metrics.k8s.io/v1beta2", "version": "v1beta2"])
        #expect((custom["versions"] as? [[String: String]])?.map { $0["version"] ?? "" } == ["v1beta2", "v1beta1"])

        let resources = try json(Discovery.ResourceList(.custom, version: "v1beta2", catalogue: .builtIn()))
        #expect(resources["kind"] as? String == "APIResourceList")
        #expect(resources["groupVersion"] as? String == "custom.metrics.k8s.io/v1beta2")
        let list = try #require(resources["resources"] as? [[String: Any]])
        let resourceNames = Set(list.compactMap { $0["name"] as? String })
        #expect(resourceNames.isSuperset(of: [
            "pods/istio_requests_per_second", "deployments.apps/istio_requests_per_second", "services/istio_requests_per_second",
            "namespaces/istio_requests_per_second", "deployments.apps/istio_request_error_ratio",
            "services/istio_request_duration_p99_milliseconds",
        ]))
        #expect(!resourceNames.contains("pods/istio_request_error_ratio"))
        let pods = try #require(list.first { $0["name"] as? String == "pods/istio_requests_per_second" })
        #expect(pods["namespaced"] as? Bool == true)
        #expect(pods["kind"] as? String == "MetricValueList")
        #expect(pods["verbs"] as? [String] == ["get"])
        #expect(list.first { $0["name"] as? String == "namespaces/istio_requests_per_second" }?["namespaced"] as? Bool == false)

        let external = try json(Discovery.ResourceList(.external, version: "v1beta1", catalogue: .builtIn()))
        let externalList = try #require(external["resources"] as? [[String: Any]])
        #expect(externalList.compactMap { $0["name"] as? String } == [
            "istio_requests_per_second", "istio_request_error_ratio", "istio_request_duration_p99_milliseconds",
        ])
        #expect(externalList.allSatisfy { $0["kind"] as? String == "ExternalMetricValueList" })
    }

    @Test("timestamps are RFC 3339 in UTC", arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (1_700_000_000_000, "2023-11-14T22:13:20Z"),
        (951_782_400_999, "2000-02-29T00:00:00Z"), (4_102_444_799_000, "2099-12-31T23:59:59Z"),
    ])
    func timestamps(milliseconds: Int64, expected: String) {
        #expect(RFC3339.string(milliseconds: milliseconds) == expected)
    }
}
