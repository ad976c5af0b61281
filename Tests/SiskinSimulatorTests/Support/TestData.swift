import SiskinSimulator

/// Shared inputs of the simulator's specifications.
enum TestData {
    /// `Tests/Fixtures/envoy-sidecar-sample.txt`, the real Envoy + Istio format.
    static func envoyFixture() throws -> [UInt8] {
        try readFile(fixturesDirectory + "/envoy-sidecar-sample.txt")
    }

    static var fixturesDirectory: String {
        var path = #filePath
        for _ in 0..<3 {  // Support/TestData.swift -> SiskinSimulatorTests -> Tests
            path = String(path[..<path.lastIndex(of: "/")!])
        }
        return path + "/Fixtures"
    }

    /// A label set for hand-recorded traffic.
    static func labels(
        reporter: String = "destination", source: String = "frontend", responseCode: String = "200",
        version: String = "v1"
    ) -> IstioRequestLabels {
        IstioRequestLabels(
            reporter: reporter, sourceWorkload: source, sourceCanonicalService: source,
            sourceCanonicalRevision: "latest", sourceWorkloadNamespace: "shop",
            sourcePrincipal: "spiffe://cluster.local/ns/shop/sa/\(source)", sourceApp: source,
            sourceVersion: "unknown", sourceCluster: "Kubernetes", destinationWorkload: "podinfo",
            destinationWorkloadNamespace: "test", destinationPrincipal: "spiffe://cluster.local/ns/test/sa/default",
            destinationApp: "podinfo", destinationVersion: version, destinationService: "podinfo.test.svc.cluster.local",
            destinationCanonicalService: "podinfo", destinationCanonicalRevision: "v1",
            destinationServiceName: "podinfo", destinationServiceNamespace: "test", destinationCluster: "Kubernetes",
            requestProtocol: "http", responseCode: responseCode, grpcResponseStatus: "", responseFlags: "-",
            connectionSecurityPolicy: "mutual_tls")
    }

    /// A standalone sidecar of the fixture-scale mesh's first podinfo pod.
    static func standaloneSidecar() -> Sidecar {
        let topology = MeshTopology.fixtureScale()
        let pod = topology.workload(named: "podinfo")!.pods[0]
        return Sidecar(pod: pod, topology: topology, seed: 1)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct FileReadError: Error {
    let path: String
}

/// Reads a whole file with libc, so the tests need no Foundation.
func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw FileReadError(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let read = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65_536, file) }
        if read == 0 { break }
        bytes.append(contentsOf: chunk[0..<read])
    }
    return bytes
}
