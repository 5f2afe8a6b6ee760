// swift-tools-version:6.1
// libFuzzer targets for swift-xmpp: one executable per target, each exporting
// LLVMFuzzerTestOneInput. Kept out of the root package so that library users
// and CI never build it. Build and run them with Scripts/fuzz.sh, which uses:
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address \
//     -Xswiftc -parse-as-library -Xswiftc -enable-testing
// (`-enable-testing` lets the SASL and stream-management targets reach the
// library's internal parsers through `@testable import XMPP`.)
import PackageDescription

/// One fuzz target: an executable whose only code is the fuzz entry point.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies)
}

let package = Package(
    name: "swift-xmpp-fuzz",
    dependencies: [
        // Named explicitly: a path dependency's identity is otherwise the
        // checkout's directory name, which differs between clones.
        .package(name: "swift-xmpp", path: ".."),
    ],
    targets: [
        // Reading fuzz input as a stream of choices, and failing loudly.
        .target(name: "FuzzSupport", dependencies: ["CFuzzEntry"]),
        // The programs' entry points, which hand over to libFuzzer's driver.
        .target(name: "CFuzzEntry"),
        fuzzTarget("FuzzReader", [.product(name: "XMPPCore", package: "swift-xmpp")]),
        fuzzTarget("FuzzWriter", [.product(name: "XMPPCore", package: "swift-xmpp")]),
        fuzzTarget("FuzzJID", [.product(name: "XMPPCore", package: "swift-xmpp")]),
        fuzzTarget("FuzzSCRAM", [
            .product(name: "XMPP", package: "swift-xmpp"), .product(name: "XMPPCore", package: "swift-xmpp"),
        ]),
        fuzzTarget("FuzzBase64", [.product(name: "XMPP", package: "swift-xmpp")]),
        fuzzTarget("FuzzSMLedger", [
            .product(name: "XMPP", package: "swift-xmpp"), .product(name: "XMPPCore", package: "swift-xmpp"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
