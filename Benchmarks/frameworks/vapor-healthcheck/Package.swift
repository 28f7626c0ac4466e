// swift-tools-version:6.2
// A reference server for Benchmarks/frameworks.sh: Vapor 4 serving GET /healthcheck.
// Standalone (not part of barkd's package); built in release by the script.
import PackageDescription

let package = Package(
    name: "vapor-healthcheck",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", exact: "4.122.3"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "VaporHealthcheck",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
