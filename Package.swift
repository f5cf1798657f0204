// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-xapi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "xapid", targets: ["xapid"]),
        .executable(name: "xen-codegen", targets: ["xen-codegen"]),
        .executable(name: "xen-sim", targets: ["xen-sim"]),
        /// The wire codecs alone, for the fuzzing package.
        .library(name: "XenRPCCodecs", targets: ["XenRPC"]),
        /// The typed Swift client: an SDK for XenAPI servers, ours and XenServer alike.
        .library(name: "XenAPIClient", targets: ["XenAPIClient"]),
        /// The server libraries, for the benchmarks package.
        .library(name: "XenToolstack", targets: ["XenHTTP", "XenDBSQLite", "XenCore", "XenDB", "XenAPI", "XenRPC", "XenBackend", "XenSimulation", "XenStorage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "XenAPIModel"),
        .target(name: "XenRPC", dependencies: [.product(name: "Collections", package: "swift-collections")]),
        .target(name: "XenAPI", dependencies: ["XenAPIModel", "XenRPC", .product(name: "Collections", package: "swift-collections")]),
        .target(name: "XenAPIClient", dependencies: ["XenAPI", "XenRPC"]),
        .target(name: "XenDB", dependencies: ["XenAPI", .product(name: "Collections", package: "swift-collections")]),
        .target(name: "XenDBSQLite", dependencies: ["XenDB", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "XenBackend"),
        .target(name: "XenSimulation", dependencies: ["XenBackend"]),
        .target(name: "XenStorage", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "XenCore", dependencies: ["XenDB", "XenBackend", "XenStorage", .product(name: "Collections", package: "swift-collections"), .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .target(name: "XenHTTP", dependencies: [
            "XenStorage",
            "XenCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "xapid", dependencies: ["XenHTTP", "XenDBSQLite", "XenSimulation", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "xen-codegen", dependencies: ["XenAPIModel"]),
        .executableTarget(name: "xen-sim", dependencies: ["XenCore", "XenSimulation", "XenDB", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "XenAPIModelTests", dependencies: ["XenAPIModel", "XenAPI"]),
        .testTarget(name: "XenAPIClientTests", dependencies: ["XenAPIClient", "XenAPI", "XenRPC"]),
        .testTarget(name: "XenHTTPTests", dependencies: ["XenHTTP", "XenCore", "XenDB", "XenRPC", "XenSimulation", .product(name: "Collections", package: "swift-collections"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(name: "XenDBTests", dependencies: ["XenDB", "XenDBSQLite", "XenCore"]),
        .testTarget(name: "XenCoreTests", dependencies: ["XenCore", "XenSimulation", "XenStorage"]),
        .testTarget(
            name: "XenStorageTests", dependencies: ["XenStorage", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"]),
        .testTarget(name: "XenRPCTests", dependencies: ["XenRPC", .product(name: "Collections", package: "swift-collections"), .product(name: "PropertyBased", package: "swift-property-based")]),
    ],
    swiftLanguageModes: [.v6]
)
