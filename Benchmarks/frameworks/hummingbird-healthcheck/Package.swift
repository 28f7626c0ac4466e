// swift-tools-version:6.2
// A reference server for Benchmarks/frameworks.sh: Hummingbird 2 serving GET /healthcheck.
// Standalone (not part of barkd's package); built in release by the script.
import PackageDescription

let package = Package(
    name: "hummingbird-healthcheck",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdHealthcheck",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
