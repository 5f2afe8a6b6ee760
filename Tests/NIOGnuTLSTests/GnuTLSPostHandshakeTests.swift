import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPTestSupport

/// TLS 1.3 messages after the handshake. Deployed servers (Prosody among
/// them) send session tickets with or right after their handshake flight.
/// When the client next reads, GnuTLS first consumes a queued ticket and
/// answers "again", although the record that just arrived is still waiting:
/// the handler must keep reading rather than strand it (found against a real
/// Prosody, where the stream features never arrived).
@Suite("GnuTLS post-handshake messages", .serialized)
struct GnuTLSPostHandshakeTests {
    @Test("a record arriving while a session ticket is still queued is delivered")
    func ticketsAndDataInOneRead() throws {
        let server = try TestContexts.makeServer(.server, sendsSessionTickets: true)
        let pair = try BackToBackChannels(clientContext: try TestContexts.client(), serverContext: server)
        defer { try? pair.tearDown() }
        try pair.activate()

        // Run the handshake by hand until the server has finished it; its
        // session ticket travels with its handshake flight.
        var rounds = 0
        while !pair.serverRecorder.handshakeCompleted, rounds < 20 {
            rounds += 1
            pair.client.embeddedEventLoop.run()
            while let bytes = try pair.client.readOutbound(as: ByteBuffer.self) { try pair.server.writeInbound(bytes) }
            pair.server.embeddedEventLoop.run()
            if pair.serverRecorder.handshakeCompleted { break }
            while let bytes = try pair.server.readOutbound(as: ByteBuffer.self) { try pair.client.writeInbound(bytes) }
        }
        #expect(pair.clientRecorder.handshakeCompleted)
        #expect(pair.serverRecorder.handshakeCompleted)

        try pair.server.writeAndFlush(ByteBuffer("<stream:features/>")).wait()
        pair.server.embeddedEventLoop.run()
        var segment = ByteBuffer()
        while var bytes = try pair.server.readOutbound(as: ByteBuffer.self) { segment.writeBuffer(&bytes) }
        #expect(segment.readableBytes > 0)
        try pair.client.writeInbound(segment)
        pair.client.embeddedEventLoop.run()

        #expect(pair.clientRecorder.receivedString == "<stream:features/>")
        #expect(pair.clientRecorder.errors.isEmpty)
    }
}
