// swift-tools-version:6.1
// swift-xmpp: an embeddable XMPP client library for Swift on Linux.
// Layering (see Docs/Architecture.md): XMPPCore is pure (XML, JIDs, stanzas)
// and depends only on Expat; transport and session layers build on top.
import PackageDescription

/// Settings every Swift target shares.
let defaultSwiftSettings: [SwiftSetting] = [
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-xmpp",
    products: [
        .library(name: "XMPPCore", targets: ["XMPPCore"]),
        .library(name: "NIOGnuTLS", targets: ["NIOGnuTLS"]),
        .library(name: "XMPPTransport", targets: ["XMPPTransport"]),
        .library(name: "XMPP", targets: ["XMPP"]),
        .library(name: "XMPPExtensions", targets: ["XMPPExtensions"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CExpat",
            pkgConfig: "expat",
            providers: [.apt(["libexpat1-dev"])]
        ),
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        .systemLibrary(name: "CResolv"),
        .target(
            name: "XMPPCore",
            dependencies: ["CExpat"],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "NIOGnuTLS",
            dependencies: [
                "CGnuTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "XMPPTransport",
            dependencies: [
                "NIOGnuTLS",
                "CResolv",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "XMPP",
            dependencies: [
                "XMPPCore",
                "XMPPTransport",
                "NIOGnuTLS",
                "CGnuTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "XMPPExtensions",
            dependencies: [
                "XMPP",
                "XMPPCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .target(
            name: "XMPPTestSupport",
            dependencies: [
                "CGnuTLS",
                "NIOGnuTLS",
                "XMPPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "XMPPCoreTests",
            // CExpat: the namespace tests compare the reader with Expat's
            // own namespace processing.
            dependencies: ["XMPPCore", "CExpat"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "NIOGnuTLSTests",
            dependencies: [
                "NIOGnuTLS",
                "XMPPTestSupport",
                "CGnuTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "XMPPTests",
            dependencies: [
                "XMPP",
                "XMPPCore",
                "XMPPTransport",
                "XMPPTestSupport",
                "NIOGnuTLS",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "XMPPExtensionsTests",
            dependencies: ["XMPPExtensions", "XMPP", "XMPPCore"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "XMPPTransportTests",
            dependencies: [
                "XMPPTransport",
                "XMPPTestSupport",
                "NIOGnuTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "XMPP",
                "XMPPExtensions",
                "XMPPTransport",
                "NIOGnuTLS",
                "XMPPCore",
                "XMPPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: defaultSwiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
