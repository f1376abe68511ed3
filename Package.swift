// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Touchstone",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "touchstone", targets: ["touchstone"]),
        .library(name: "TouchstoneKit", targets: ["TouchstoneKit"]),
        .library(name: "TouchstoneEmulator", targets: ["TouchstoneEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // System libraries, each behind a small shim of typed wrappers (Swift cannot call C variadics).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),

        // Pure values: JSON, SSE, report model, text filters. No I/O.
        .target(name: "TouchstoneCore"),
        // HTTP on one libcurl multi handle driven by one thread.
        .target(name: "TouchstoneHTTP", dependencies: ["CCurl", "TouchstoneCore"]),
        // Report writers (JSON, JUnit via libxml2, Markdown, HTML matrix) and the report tools:
        // expectations, diff, merge, presets.
        .target(name: "TouchstoneReports", dependencies: [
            "CLibXML2", "TouchstoneCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The engine: suites, checks, runner, feature catalogue.
        .target(name: "TouchstoneKit", dependencies: [
            "TouchstoneCore", "TouchstoneHTTP", "TouchstoneReports",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Local upstreams with the documented quirks of real servers.
        // Its personalities are the YAML files of personalities/, compiled in.
        .target(name: "TouchstoneEmulator", dependencies: [
            "TouchstoneCore",
            .product(name: "Yams", package: "Yams"),
            .product(name: "FlyingFox", package: "FlyingFox"),
            .product(name: "FlyingSocks", package: "FlyingFox"),
        ]),
        // The thin command-line front end.
        .executableTarget(name: "touchstone", dependencies: [
            "TouchstoneKit", "TouchstoneEmulator", "TouchstoneCore", "TouchstoneHTTP", "TouchstoneReports",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "TouchstoneTests", dependencies: [
            "TouchstoneKit", "TouchstoneEmulator", "TouchstoneReports", "TouchstoneHTTP", "CLibXML2",
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "FlyingFox", package: "FlyingFox"),
        ], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
