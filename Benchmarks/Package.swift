// swift-tools-version:6.1
// Throughput benchmark for XMPPCore's XMLStreamReader against a raw-Expat C
// baseline, both in one process. Kept out of the root package so that library
// users and CI never build it; run it with:
//   cd Benchmarks && swift run -c release ReaderBenchmark
// The session benchmarks (SessionBenchmark + libstrophe) run with
//   Benchmarks/Scripts/session-bench.sh
// The micro-benchmarks (writer, stanza model, SCRAM, TLS, allocations) run with
//   swift build -c release --product MicroBenchmark --scratch-path .build-micro
//   .build-micro/release/MicroBenchmark --help
import PackageDescription

/// The upcoming features the library's own targets enable; XMPPUnderTest
/// compiles the library's XMPP sources, so it must use the same ones.
let librarySwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The `-package-name` SwiftPM gives the library's targets: its identity,
/// which for a path dependency is the checkout directory's name (lowercased,
/// other characters than letters, digits and `_` made `_`). XMPPUnderTest
/// needs it to see the `package` declarations the XMPP sources use from
/// the library's other modules.
let libraryPackageName: String = {
    let checkout = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "swift-xmpp"
    let name = String(checkout.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "_" ? $0 : "_" })
    return name.first?.isNumber == true ? "_" + name : name
}()

let package = Package(
    name: "swift-xmpp-benchmarks",
    dependencies: [
        // Named explicitly: a path dependency's identity is otherwise the
        // checkout's directory name, which differs between clones.
        .package(name: "swift-xmpp", path: ".."),
        // Already in the graph through swift-xmpp (same pins in
        // Package.resolved); named here only because SwiftPM lets a target
        // use products of directly declared packages alone. MicroBenchmark
        // needs NIOEmbedded, and XMPPUnderTest the library's own imports.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The C reference: raw Expat building a minimal tree per stanza.
        .target(
            name: "CExpatBaseline",
            linkerSettings: [.linkedLibrary("expat")]
        ),
        // glibc's heap counters (mallinfo2) for the idle-sessions scenario.
        .target(name: "CMemoryStats"),
        .target(name: "CCacheNoise"),
        // Session benchmarks against the local Prosody (see README); the
        // libstrophe side is a plain C program built by
        // Scripts/build-strophe-bench.sh, not by SwiftPM.
        .executableTarget(
            name: "SessionBenchmark",
            dependencies: [
                .product(name: "XMPP", package: "swift-xmpp"),
                .product(name: "XMPPCore", package: "swift-xmpp"),
                .product(name: "XMPPTransport", package: "swift-xmpp"),
                .product(name: "NIOGnuTLS", package: "swift-xmpp"),
                "CMemoryStats",
            ]
        ),
        .executableTarget(
            name: "ReaderBenchmark",
            dependencies: [
                .product(name: "XMPPCore", package: "swift-xmpp"),
                "CExpatBaseline",
            ]
        ),
        // Counts malloc-family calls for the allocation benchmark by
        // defining them in the executable (glibc forwards to __libc_*).
        .target(name: "CAllocCounter"),
        // C side of the TLS and SCRAM benchmarks: a throwaway PKI, an
        // in-memory GnuTLS server, a plain GnuTLS client (the C floor) and
        // the SCRAM key schedule in C.
        .target(
            name: "CGnuTLSPeer",
            linkerSettings: [.linkedLibrary("gnutls")]
        ),
        // The library's XMPP module sources (a symlink to ../Sources/XMPP),
        // compiled unchanged as a module of this package plus a small
        // facade, so that release builds can reach internal types (the
        // SCRAM client, the channel handler) without -enable-testing.
        .target(
            name: "XMPPUnderTest",
            dependencies: [
                .product(name: "XMPPCore", package: "swift-xmpp"),
                .product(name: "XMPPTransport", package: "swift-xmpp"),
                .product(name: "NIOGnuTLS", package: "swift-xmpp"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Library/XMPP.docc"],
            // Not this package's name but the library's (below), so SwiftPM
            // must not add its own.
            packageAccess: false,
            swiftSettings: librarySwiftSettings + [.unsafeFlags(["-package-name", libraryPackageName])]
        ),
        .executableTarget(
            name: "MicroBenchmark",
            dependencies: [
                "CCacheNoise",
                .product(name: "XMPPCore", package: "swift-xmpp"),
                .product(name: "NIOGnuTLS", package: "swift-xmpp"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                "XMPPUnderTest",
                "CExpatBaseline",
                "CAllocCounter",
                "CGnuTLSPeer",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
