// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for the hand-written parsers, outside the main build. See fuzz/README.md.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
let package = Package(
    name: "swift-xapi-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "xmlrpc-fuzz", dependencies: [.product(name: "XenRPCCodecs", package: root)],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    ],
    swiftLanguageModes: [.v6]
)
