// swift-tools-version:6.1
// Throughput benchmark for XMPPCore's XMLStreamReader against a raw-Expat C
// baseline, both in one process. Kept out of the root package so that library
// users and CI never build it; run it with:
//   cd Benchmarks && swift run -c release ReaderBenchmark
// The session benchmarks (SessionBenchmark + libstrophe) run with
//   Benchmarks/Scripts/session-bench.sh
import PackageDescription

let package = Package(
    name: "swift-xmpp-benchmarks",
    dependencies: [
        // Named explicitly: a path dependency's identity is otherwise the
        // checkout's directory name, which differs between clones.
        .package(name: "swift-xmpp", path: ".."),
    ],
    targets: [
        // The C reference: raw Expat building a minimal tree per stanza.
        .target(
            name: "CExpatBaseline",
            linkerSettings: [.linkedLibrary("expat")]
        ),
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
            ]
        ),
        .executableTarget(
            name: "ReaderBenchmark",
            dependencies: [
                .product(name: "XMPPCore", package: "swift-xmpp"),
                "CExpatBaseline",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
