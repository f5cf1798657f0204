// swift-tools-version: 6.1
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder, so look the root package's folder up.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Benchmarks live in their own package so the main build and CI do not compile the HTTP client.
// Run with: cd benchmarks && swift run -c release xapi-bench (and pool-bench, rolling-bench, storage-bench, xe-bench, xva-bench)
let package = Package(
    name: "swift-xapi-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "XenAPIClient", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .executableTarget(
            name: "xapi-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "XenToolstack", package: root),
                .product(name: "XenAPIClient", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "xe-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "XenToolstack", package: root),
                .product(name: "XenAPIClient", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "xva-bench",
            dependencies: [
                .product(name: "XenToolstack", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .executableTarget(
            name: "rolling-bench",
            dependencies: [.product(name: "XenToolstack", package: root)]),
        .executableTarget(
            name: "storage-bench",
            dependencies: [.product(name: "XenToolstack", package: root)]),
        .executableTarget(
            name: "pool-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "XenToolstack", package: root),
                .product(name: "XenAPIClient", package: root),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
