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
        .target(
            name: "XMPPCore",
            dependencies: ["CExpat"],
            swiftSettings: defaultSwiftSettings
        ),
        .testTarget(
            name: "XMPPCoreTests",
            dependencies: ["XMPPCore"],
            swiftSettings: defaultSwiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
