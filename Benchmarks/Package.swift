// swift-tools-version: 6.1
// Benchmarks live in their own package so `swift build` / `swift test` of the
// main package never compile ordo-one/benchmark. Run from this folder:
//   swift package benchmark
import PackageDescription

let package = Package(
    name: "siskin-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "siskin", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PipelineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SiskinExposition", package: "siskin"),
                .product(name: "SiskinAggregation", package: "siskin"),
                .product(name: "SiskinWire", package: "siskin"),
                .product(name: "SiskinSimulator", package: "siskin"),
            ],
            path: "Benchmarks/PipelineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SiskinAggregation", package: "siskin"),
                .product(name: "SiskinIngest", package: "siskin"),
                .product(name: "SiskinStore", package: "siskin"),
                .product(name: "SiskinQuery", package: "siskin"),
                .product(name: "SiskinCanary", package: "siskin"),
                .product(name: "SiskinPromQL", package: "siskin"),
                .product(name: "SiskinWire", package: "siskin"),
                .product(name: "SiskinSimulator", package: "siskin"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
