// swift-tools-version:6.1
// A tiny example: reads an XMPP stream from standard input with XMPPCore's
// XMLStreamReader and prints one line per top-level element.
import PackageDescription

let package = Package(
    name: "StreamDump",
    dependencies: [.package(name: "swift-xmpp", path: "../..")],
    targets: [
        .executableTarget(
            name: "StreamDump",
            dependencies: [.product(name: "XMPPCore", package: "swift-xmpp")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
