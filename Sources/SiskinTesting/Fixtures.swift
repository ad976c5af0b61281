import Foundation

/// Sample bodies committed under `Tests/Fixtures/` (copies of the shared
/// real-format samples), located relative to this source file so tests run
/// from any working directory.
public enum Fixtures {
    /// `Tests/Fixtures` in the repository.
    public static let directory: String = {
        // <root>/Sources/SiskinTesting/Fixtures.swift -> <root>
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Tests/Fixtures"
    }()

    /// Bytes of a fixture file, e.g. `envoy-sidecar-sample.txt`.
    public static func bytes(_ name: String) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        return [UInt8](data)
    }

    /// Envoy 1.24-era `/stats/prometheus` sample with Istio's 25 labels.
    public static func envoySidecar() throws -> [UInt8] { try bytes("envoy-sidecar-sample.txt") }

    /// Alibaba Service Mesh walkthrough sample (different label order).
    public static func asmSidecar() throws -> [UInt8] { try bytes("asm-sidecar-sample.txt") }
}
