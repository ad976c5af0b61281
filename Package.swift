// swift-tools-version: 6.1
// Siskin: Istio sidecar telemetry agent and aggregator.
//
// Modules follow the pipeline, and dependencies point one way:
//   SiskinExposition (text format pull parser)
//     -> SiskinAggregation (rules, reset-aware per-pod pre-aggregation)
//       -> SiskinWire (wire format v1, zlib)
//         -> SiskinAgent / siskin-agent   (never links the server stack)
//         -> SiskinIngest (intake, auth, per-pod reset-aware increases)
//           -> SiskinStore (windowed rings, rollups, persistence)
//             -> SiskinQuery (native workload queries)
//               -> SiskinCanary (canary judge)
//             -> SiskinExport (Prometheus remote write 1.0: protobuf, snappy, libcurl senders)
//               -> SiskinAutoscaling (Kubernetes custom/external metrics APIs' catalogue and documents)
//                 -> SiskinServer (Hummingbird HTTP, HTTPS metrics APIs) / siskin
//                   -> SiskinDemo (`siskin demo`: serve + agents + simulator + a Flagger-style rollout)
// SiskinSimulator (Envoy sidecar simulator) feeds tests, demo and load tools.
// Benchmarks live in Benchmarks/Package.swift so the default graph stays small.
import PackageDescription

let package = Package(
    name: "siskin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "siskin-agent", targets: ["siskin-agent"]),
        .executable(name: "siskin", targets: ["siskin"]),
        .executable(name: "siskin-sim", targets: ["siskin-sim"]),
        .executable(name: "siskin-load", targets: ["siskin-load"]),
        .library(name: "SiskinExposition", targets: ["SiskinExposition"]),
        .library(name: "SiskinAggregation", targets: ["SiskinAggregation"]),
        .library(name: "SiskinWire", targets: ["SiskinWire"]),
        .library(name: "SiskinSimulator", targets: ["SiskinSimulator"]),
        .library(name: "SiskinAgent", targets: ["SiskinAgent"]),
        .library(name: "SiskinIngest", targets: ["SiskinIngest"]),
        .library(name: "SiskinStore", targets: ["SiskinStore"]),
        .library(name: "SiskinQuery", targets: ["SiskinQuery"]),
        .library(name: "SiskinPromQL", targets: ["SiskinPromQL"]),
        .library(name: "SiskinCanary", targets: ["SiskinCanary"]),
        .library(name: "SiskinAutoscaling", targets: ["SiskinAutoscaling"]),
        .library(name: "SiskinExport", targets: ["SiskinExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // Already in the graph through HummingbirdTLS; named so the metrics
        // API can swap certificates per handshake (NIOSSLContextConfigurationOverride).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
    ],
    targets: [
        // C shims for system libraries.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // Snappy block format for Prometheus remote write (the protocol mandates it).
        .systemLibrary(
            name: "CSnappy",
            pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]
        ),

        // Pipeline stages.
        .target(name: "SiskinExposition"),
        .target(name: "SiskinAggregation", dependencies: ["SiskinExposition"]),
        .target(name: "SiskinWire", dependencies: ["SiskinAggregation", "CZlib"]),
        .target(name: "SiskinSimulator"),
        .target(
            name: "SiskinAgent",
            dependencies: [
                "SiskinExposition", "SiskinAggregation", "SiskinWire", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SiskinIngest", dependencies: ["SiskinWire", "SiskinAggregation", "SiskinExposition"]),
        .target(name: "SiskinStore", dependencies: ["SiskinIngest", "SiskinAggregation", "SiskinWire", "CZlib"]),
        .target(name: "SiskinPromQL"),
        .target(name: "SiskinQuery", dependencies: ["SiskinStore", "SiskinAggregation", "SiskinPromQL"]),
        .target(name: "SiskinCanary", dependencies: ["SiskinQuery", "SiskinStore"]),
        // Remote write export: reads the store, sends over the agent's libcurl client.
        .target(
            name: "SiskinExport",
            dependencies: [
                "SiskinStore", "SiskinIngest", "SiskinAggregation", "SiskinAgent", "CSnappy",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SiskinAutoscaling",
            dependencies: [
                "SiskinQuery", "SiskinStore", "SiskinPromQL", "SiskinAggregation", "SiskinIngest", "SiskinExposition",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SiskinServer",
            dependencies: [
                "SiskinIngest", "SiskinStore", "SiskinQuery", "SiskinPromQL", "SiskinCanary", "SiskinWire", "SiskinAggregation",
                "SiskinExposition", "SiskinAutoscaling", "SiskinExport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                // HTTPServerBuilder and HTTP1Channel, to serve the main port over TLS.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // `siskin demo`: the whole loop in one process, over loopback.
        .target(
            name: "SiskinDemo",
            dependencies: [
                "SiskinServer", "SiskinStore", "SiskinIngest", "SiskinQuery", "SiskinCanary", "SiskinAgent",
                "SiskinAggregation", "SiskinSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the command-line tools: SISKIN_* environment defaults, durations.
        .target(
            name: "SiskinCommandLine",
            dependencies: ["SiskinExposition", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Executables.
        .executableTarget(
            name: "siskin-agent",
            dependencies: [
                "SiskinAgent", "SiskinAggregation", "SiskinExposition", "SiskinCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "siskin",
            dependencies: [
                "SiskinServer", "SiskinQuery", "SiskinCanary", "SiskinStore", "SiskinIngest", "SiskinWire",
                "SiskinAggregation", "SiskinExposition", "SiskinCommandLine", "SiskinAgent", "SiskinAutoscaling",
                "SiskinDemo", "SiskinSimulator", "SiskinExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "siskin-load",
            dependencies: [
                "SiskinSimulator", "SiskinAggregation", "SiskinWire", "SiskinAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "siskin-sim",
            dependencies: [
                "SiskinSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Shared test support, as HummingbirdTesting is for Hummingbird.
        .target(
            name: "SiskinTesting",
            dependencies: ["SiskinSimulator", "SiskinExposition", "SiskinAggregation", "SiskinWire", "SiskinIngest", "SiskinAgent"]
        ),

        .testTarget(name: "SiskinExpositionTests", dependencies: ["SiskinExposition", "SiskinTesting"]),
        .testTarget(name: "SiskinAggregationTests", dependencies: ["SiskinAggregation", "SiskinSimulator", "SiskinTesting"]),
        .testTarget(name: "SiskinWireTests", dependencies: ["SiskinWire", "SiskinAggregation"]),
        .testTarget(name: "SiskinSimulatorTests", dependencies: ["SiskinSimulator"]),
        .testTarget(name: "SiskinStoreTests", dependencies: ["SiskinStore", "SiskinIngest", "SiskinWire", "SiskinAggregation", "SiskinTesting"]),
        .testTarget(name: "SiskinIngestTests", dependencies: ["SiskinIngest", "SiskinAggregation", "SiskinWire", "SiskinTesting"]),
        .testTarget(name: "SiskinPromQLTests", dependencies: ["SiskinPromQL"]),
        .testTarget(name: "SiskinQueryTests", dependencies: ["SiskinQuery", "SiskinStore", "SiskinIngest", "SiskinAggregation", "SiskinPromQL", "SiskinTesting"]),
        .testTarget(name: "SiskinCanaryTests", dependencies: ["SiskinCanary", "SiskinTesting"]),
        .testTarget(name: "SiskinAutoscalingTests", dependencies: [
            "SiskinAutoscaling", "SiskinStore", "SiskinIngest", "SiskinAggregation", "SiskinQuery", "SiskinPromQL", "SiskinTesting",
        ]),
        .testTarget(name: "SiskinServerTests", dependencies: [
            "SiskinServer", "SiskinStore", "SiskinIngest", "SiskinQuery", "SiskinCanary", "SiskinWire", "SiskinAggregation",
            "SiskinAgent", "SiskinSimulator", "SiskinTesting", "SiskinAutoscaling",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "SiskinExportTests", dependencies: [
            "SiskinExport", "SiskinStore", "SiskinIngest", "SiskinAggregation", "SiskinAgent", "SiskinTesting", "CSnappy",
        ]),
        .testTarget(name: "SiskinDemoTests", dependencies: ["SiskinDemo", "SiskinSimulator", "SiskinCanary", "SiskinTesting"]),
        // Pages in a real headless Chromium, against `siskin demo`'s live server.
        .testTarget(name: "SiskinWebTests", dependencies: [
            "SiskinDemo", "SiskinServer", "SiskinQuery", "SiskinCanary", "SiskinAgent", "SiskinTesting",
        ]),
        .testTarget(name: "SiskinFidelityTests", dependencies: ["SiskinSimulator", "SiskinTesting", "SiskinAgent"]),
        .testTarget(name: "SiskinAgentTests", dependencies: [
            "SiskinAgent", "SiskinWire", "SiskinSimulator", "SiskinTesting", "SiskinAggregation",
            .product(name: "Logging", package: "swift-log"),
            // The oracle for the agent's own rules-YAML parser.
            .product(name: "Yams", package: "Yams"),
        ]),
    ]
)
