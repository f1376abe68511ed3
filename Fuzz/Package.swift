// swift-tools-version: 6.0
// libFuzzer targets for Touchstone's parsers (docs/fuzzing.md). A separate package, so the
// main build and `swift test` never build it. Build and run with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "TouchstoneFuzz",
    dependencies: [
        .package(name: "Touchstone", path: ".."),
    ],
    targets: [
        // Each target defines `LLVMFuzzerTestOneInput` and its `<Target>_main` (the name SwiftPM
        // links `main` to), which hands over to libFuzzer's driver (-sanitize=fuzzer links it).
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzSSEParser", dependencies: [
            "FuzzDriver", .product(name: "TouchstoneKit", package: "Touchstone"),
        ]),
        .executableTarget(name: "FuzzJSONPath", dependencies: [
            "FuzzDriver", .product(name: "TouchstoneKit", package: "Touchstone"),
        ]),
        .executableTarget(name: "FuzzSuiteLoader", dependencies: [
            "FuzzDriver", .product(name: "TouchstoneKit", package: "Touchstone"),
        ]),
        .executableTarget(name: "FuzzTargetsFile", dependencies: [
            "FuzzDriver", .product(name: "TouchstoneKit", package: "Touchstone"),
        ]),
        .executableTarget(name: "FuzzExpectations", dependencies: [
            "FuzzDriver", .product(name: "TouchstoneKit", package: "Touchstone"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
