// swift-tools-version: 6.0
// The benchmarks of BENCHMARKS.md: their own package, so the main package's `swift build`
// and `swift test` (and CI) never build them. Run them all with `scripts/bench.sh`.
import PackageDescription

let package = Package(
    name: "TouchstoneBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Touchstone", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The recorded stream and the decoding loop measured (shared by both executables).
        .target(name: "BenchStreams", dependencies: [.product(name: "TouchstoneKit", package: "Touchstone")]),
        .executableTarget(name: "touchstone-bench", dependencies: [
            "BenchStreams",
            .product(name: "TouchstoneKit", package: "Touchstone"),
            .product(name: "TouchstoneEmulator", package: "Touchstone"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/TouchstoneBench"),
        // The decoding loop alone, with a synchronous main: valgrind cannot run Dispatch's main queue.
        .executableTarget(name: "touchstone-decode", dependencies: ["BenchStreams"]),
    ],
    swiftLanguageModes: [.v6]
)
