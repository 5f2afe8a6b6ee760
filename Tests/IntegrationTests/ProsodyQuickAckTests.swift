import NIOCore
import Testing
import XMPPCore

@testable import XMPP
import XMPPTestSupport
import XMPPTransport

/// Quick ACKs against the real Prosody (which keeps Nagle's algorithm on):
/// by default the handler that re-arms `TCP_QUICKACK` leaves the pipeline
/// once the session is established, with `.always` it stays, and in both
/// modes a burst of messages the server writes back to back all arrive.
@Suite("Prosody: quick ACKs while negotiating, delayed ACKs after", .serialized, .enabled(if: ProsodyServer.isConfigured))
struct ProsodyQuickAckTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test(
        "The quick-ACK handler's presence follows the setting; 200 messages to ourselves all come back",
        arguments: [XMPPConnection.Configuration.QuickAcknowledgements.whileNegotiating, .always])
    func burst(setting: XMPPConnection.Configuration.QuickAcknowledgements) async throws {
        var configuration = try server.sessionConfiguration(user: "alice", port: .startTLS)
        configuration.quickAcknowledgements = setting
        #expect(configuration.quickAcknowledgements == setting)
        let count = 200
        let (hasHandler, received) = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            let channel = connection.channel
            let hasHandler = try await channel.eventLoop.submit {
                (try? channel.pipeline.syncOperations.handler(type: QuickAckHandler.self)) != nil
            }.get()
            let own = JID(connection.boundJID)
            let echoes = connection.messages(from: own)
            for index in 0..<count {
                try await connection.send(Message(type: .chat, to: own, id: "qa-\(index)", body: "burst \(index)"))
            }
            var ids: [String] = []
            for try await message in echoes {
                guard let id = message.id, id.hasPrefix("qa-") else { continue }
                ids.append(id)
                if ids.count == count { break }
            }
            return (hasHandler, ids)
        }
        #expect(hasHandler == (setting == .always))
        #expect(received == (0..<count).map { "qa-\($0)" }, "every message, in order")
    }
}
