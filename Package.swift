// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "modelwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "modelwatch", targets: ["modelwatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // System libraries: SwiftPM compiles nothing here; it reads the module map, asks
        // pkg-config for flags and prints the provider hint when the -dev package is missing.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // Linux headers Glibc does not export (epoll, eventfd); header-only, links nothing.
        .systemLibrary(name: "CLinux"),
        // The only target that imports the C libraries: gzip, SHA-256, HMAC.
        .target(name: "MWNative", dependencies: ["CZlib", "COpenSSL"]),
        // POSIX sockets, epoll and eventfd wrappers; every libc call in one file.
        .target(name: "MWSockets", dependencies: ["CLinux"]),
        // Our HTTP/1.1 server: parser, connection state machine, router, event loops.
        .target(name: "MWHTTP", dependencies: ["MWSockets", "MWNative",
                                               .product(name: "Logging", package: "swift-log")]),
        // Prometheus text exposition: families, series, rendering. No I/O.
        .target(name: "MWExposition"),
        // The statistics core: windows, metrics, drift. No I/O, no locks.
        .target(name: "MWStats", dependencies: [.product(name: "DequeModule", package: "swift-collections")]),
        // The daemon: configuration, routes, collectors, process metrics.
        .target(name: "MWDaemon", dependencies: [
            "MWHTTP", "MWSockets", "MWExposition", "MWStats", "MWNative", "CLinux",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .executableTarget(name: "modelwatch", dependencies: [
            "MWDaemon", "MWNative",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Micro-benchmarks of the decoder and the statistics core (prints figures; see Benchmarks/README.md).
        .executableTarget(name: "stats-bench", dependencies: ["MWDaemon", "MWStats", "CLinux"], path: "Benchmarks/StatsBench"),
        // libFuzzer targets (debug builds; see Fuzz/README.md). Built normally, each replays the
        // inputs named on its command line; built with -sanitize=fuzzer -DFUZZING, it fuzzes.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "fuzz-http-parser", dependencies: ["MWHTTP", "FuzzSupport"], path: "Fuzz/HTTPParserFuzz"),
        .executableTarget(name: "fuzz-event-decoder", dependencies: ["MWDaemon", "MWStats", "FuzzSupport"], path: "Fuzz/EventDecoderFuzz"),
        .executableTarget(name: "fuzz-persistence", dependencies: ["MWDaemon", "MWStats", "FuzzSupport"], path: "Fuzz/PersistenceFuzz"),
        // A raw-socket HTTP client shared by the test targets.
        .target(name: "MWTestSupport", dependencies: ["MWSockets", "MWHTTP"], path: "Tests/MWTestSupport"),
        .testTarget(name: "MWNativeTests", dependencies: ["MWNative"]),
        .testTarget(name: "MWSocketsTests", dependencies: ["MWSockets"]),
        .testTarget(name: "MWHTTPTests", dependencies: ["MWHTTP", "MWSockets", "MWNative", "MWTestSupport"]),
        .testTarget(name: "MWExpositionTests", dependencies: ["MWExposition"]),
        .testTarget(name: "MWStatsTests", dependencies: ["MWStats", "MWTestSupport"]),
        .testTarget(name: "MWDaemonTests", dependencies: ["MWDaemon", "MWHTTP", "MWExposition", "MWSockets", "MWStats", "MWTestSupport",
                                                      .product(name: "Logging", package: "swift-log")],
                    resources: [.copy("Fixtures")]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
