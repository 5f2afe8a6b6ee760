// swift-tools-version:6.1
// The echo bot: logs in, answers subscription requests, echoes every chat
// message back to its sender. `EchoDemoClient` is the other end of the
// README's demo: it sends the bot a message and prints the echo.
import PackageDescription

let package = Package(
    name: "EchoBot",
    dependencies: [.package(name: "swift-xmpp", path: "../..")],
    targets: [
        .target(
            name: "ExampleSupport",
            dependencies: [.product(name: "XMPP", package: "swift-xmpp")]
        ),
        .executableTarget(
            name: "EchoBot",
            dependencies: ["ExampleSupport", .product(name: "XMPP", package: "swift-xmpp")]
        ),
        .executableTarget(
            name: "EchoDemoClient",
            dependencies: ["ExampleSupport", .product(name: "XMPP", package: "swift-xmpp")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
