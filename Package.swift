// swift-tools-version:6.1
import PackageDescription

/// Every target builds in Swift 6 language mode (complete strict concurrency). Warnings
/// are not errors in the build itself; `scripts/test.sh` fails on any warning in barkd's
/// own code (it reads the build log). Two upcoming features make Swift check imports:
/// `MemberImportVisibility` (a file uses only members of modules it imports itself) and
/// `InternalImportsByDefault` (an import is internal unless written `public import`, so a
/// module's public API names exactly the modules its users need).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The request path's modules (the loop and the HTTP server) check exclusive access to
/// their class properties at compile time and in debug builds (every test), not again at
/// run time in release builds: those checks cost about 2,000 instructions per request,
/// 8% of `/healthcheck` (23,700 → 21,750 in `Benchmarks/instructions.sh`).
let hotPathSettings: [SwiftSetting] =
    swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "barkd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "barkd", targets: ["barkd"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(name: "CLinuxShim"),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        .target(
            name: "EventLoop",
            dependencies: [
                "CLinuxShim",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "Observability",
            dependencies: [
                "CLinuxShim",
                "EventLoop",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// sd_notify (readiness, status, watchdog) and socket activation: only what runs
        /// under systemd links libsystemd.
        .target(
            name: "Systemd",
            dependencies: ["CSystemd", "CLinuxShim", "EventLoop"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Persistence",
            dependencies: [
                "EventLoop",
                "Observability",
                "CLinuxShim",
                "CSQLite",
                "CMariaDB",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The seed GIFs are compiled in from Seed/SeedData.swift (see Seed/embed_seed.py).
            exclude: ["Seed/gifs", "Seed/catalog.json", "Seed/embed_seed.py"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Server",
            dependencies: [
                "EventLoop",
                "Observability",
                "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: hotPathSettings
        ),
        .target(
            name: "App",
            dependencies: [
                "Server",
                "EventLoop",
                "Observability",
                "Systemd",
                "Persistence",
                "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "barkd",
            dependencies: [
                "App",
                "Server",
                "Persistence",
                "EventLoop",
                "Observability",
                "Systemd",
                "CLinuxShim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildInfoPlugin"]
        ),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        /// Reads raw HTTP requests and prints what barkd's parser made of them as JSON:
        /// the differential test compares it with Python's h11 on the same bytes.
        .executableTarget(
            name: "barkd-parse",
            dependencies: ["Server", "Observability"],
            path: "Sources/barkd-parse",
            swiftSettings: swiftSettings
        ),
        /// What several test targets share (bounded waits), kept out of every product.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "EventLoopTests",
            dependencies: ["EventLoop", "CLinuxShim"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: ["Observability"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PersistenceTests",
            dependencies: ["Persistence", "EventLoop", "Observability", "CLinuxShim"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "EventLoop", "Observability", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Server", "EventLoop", "Observability", "Persistence",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        /// barkd's own configuration: option parsing and validation, defaults, the
        /// environment variables, the probe's arguments (`@testable import barkd`).
        .testTarget(
            name: "BarkdTests",
            dependencies: [
                "barkd", "App", "Server", "Persistence", "Observability",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/BarkdTests",
            swiftSettings: swiftSettings
        ),
    ]
)
