import Testing
import XMPP
import XMPPCore

/// The echo bot's behaviour end to end through the real server: a responder
/// echoes each chat message (same body, type and thread) to its sender, as
/// `Examples/EchoBot` does.
@Suite("Echo round trip through Prosody", .serialized, .enabled(if: ProsodyServer.isConfigured))
struct ProsodyEchoTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test("a message to the echo account comes back with the same body, type and thread")
    func echoRoundTrip() async throws {
        let echoConfiguration = try server.sessionConfiguration(user: "echo", port: .startTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        try await XMPPConnection.withConnection(configuration: echoConfiguration) { echo in
            try await echo.send(Presence())
            let responder = Task {
                for try await message in echo.messages() {
                    guard let body = message.body else { continue }
                    var reply = Message(type: message.type, to: message.from, body: body)
                    reply.thread = message.thread
                    try await echo.send(reply)
                }
            }
            defer { responder.cancel() }
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                var message = Message(type: .chat, to: JID(echo.boundJID), id: "echo-1", body: "echo this, please ✓")
                message.thread = Message.Thread("thread-42")
                try await alice.send(message)
                let reply = try await firstMessage(on: alice, within: .seconds(5))
                #expect(reply.body == "echo this, please ✓")
                #expect(reply.type == .chat)
                #expect(reply.thread == Message.Thread("thread-42"))
                #expect(reply.from == JID(echo.boundJID))
            }
        }
    }
}
