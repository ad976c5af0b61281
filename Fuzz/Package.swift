// swift-tools-version:5.4
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's
// `main` to `<Module>_main` on Linux (so tests can link executables), and a
// harness has no `main` of its own (libFuzzer's is the entry point), so the
// link would fail. The harness sources still compile cleanly in Swift 6 mode.
// libFuzzer harnesses for Siskin's three parsers of untrusted input. They live
// in their own package so the main `swift build` / `swift test` never see the
// fuzzer flags; build and run them with `scripts/fuzz` (see docs/fuzzing.md):
//   scripts/fuzz exposition 60
// Each harness is an executable whose entry point is libFuzzer's
// `LLVMFuzzerTestOneInput`, so it is built with
// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`.
import PackageDescription

// Swift 6 language mode (strict concurrency), as in the main package; tools
// version 5.4 has no `swiftLanguageModes`, so it is a compiler flag.
let swift6: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

let wireHarnessDependencies: [Target.Dependency] = [
    "FuzzSupport", "WireFuzzSupport",
    .product(name: "SiskinWire", package: "siskin"),
    .product(name: "SiskinAggregation", package: "siskin"),
]

let package = Package(
    name: "siskin-fuzz",
    dependencies: [
        .package(name: "siskin", path: ".."),
    ],
    targets: [
        // Invariant checks that abort loudly, so libFuzzer saves the input.
        .target(name: "FuzzSupport", swiftSettings: swift6),
        // The wire harnesses' round-trip check.
        .target(
            name: "WireFuzzSupport",
            dependencies: [
                "FuzzSupport",
                .product(name: "SiskinWire", package: "siskin"),
                .product(name: "SiskinAggregation", package: "siskin"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "FuzzExposition",
            dependencies: ["FuzzSupport", .product(name: "SiskinExposition", package: "siskin")],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "FuzzWireFrame",
            dependencies: wireHarnessDependencies,
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "FuzzWirePayload",
            dependencies: wireHarnessDependencies,
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "FuzzPromQL",
            dependencies: ["FuzzSupport", .product(name: "SiskinPromQL", package: "siskin")],
            swiftSettings: swift6
        ),
        // Writes the wire seed corpora with the project's encoder (built
        // without sanitizers; `scripts/fuzz seeds`).
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: [
                .product(name: "SiskinExposition", package: "siskin"),
                .product(name: "SiskinAggregation", package: "siskin"),
                .product(name: "SiskinWire", package: "siskin"),
            ],
            swiftSettings: swift6
        ),
    ]
)
