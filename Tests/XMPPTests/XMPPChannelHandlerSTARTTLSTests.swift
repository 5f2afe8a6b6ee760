import Foundation
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// STARTTLS through the handler end to end, in memory: the scripted server
/// answers in the clear, then a GnuTLS test server takes over the same
/// connection, and the rest of the negotiation runs inside TLS.
@Suite struct XMPPChannelHandlerSTARTTLSTests {
    typealias S = ScriptedServer

    /// Collects the plaintext that reaches the server's end of the pipeline.
    final class PlaintextRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var received = ""

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
        }

        func take() -> String {
            defer { received = "" }
            return received
        }
    }

    /// Moves bytes between the client harness and the server channel until
    /// neither has anything to send.
    private func shuttle(_ harness: SessionHandlerHarness, _ server: EmbeddedChannel) throws {
        var moved = true
        while moved {
            moved = false
            harness.channel.embeddedEventLoop.run()
            server.embeddedEventLoop.run()
            while let bytes = try harness.channel.readOutbound(as: ByteBuffer.self) {
                moved = true
                if server.isActive { try server.writeInbound(bytes) }
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                if harness.channel.isActive { try harness.channel.writeInbound(bytes) }
            }
        }
    }

    @Test("<proceed/>, handshake, restart inside TLS; channel binding from the handshake reaches SASL; a refusal inside TLS is typed")
    func startTLSEndToEnd() throws {
        let certificates = try TestCertificates.load()
        var clientTLS = GnuTLSConfiguration()
        clientTLS.trustRoots = .pem(certificates.caPEM)
        let clientContext = try GnuTLSContext(configuration: clientTLS)
        let configuration = SessionTest.configuration(mechanisms: [.scramSHA256Plus, .plain])
        let harness = try SessionHandlerHarness(transport: .plain, configuration: configuration) {
            // The test leaf is for xmpp.test; the name checked is the client's choice.
            try GnuTLSClientHandler(context: clientContext, serverName: "xmpp.test")
        }
        let server = EmbeddedChannel()
        let recorder = PlaintextRecorder()
        try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).wait()

        // In the clear.
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.startTLSFeatures)
        #expect(try harness.clientWrote() == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        try harness.serverSends(S.proceed)

        // The server switches to TLS on the same connection.
        let serverContext = try GnuTLSTestServerContext(identity: certificates.identity(.server))
        try server.pipeline.syncOperations.addHandler(try GnuTLSServerHandler(context: serverContext))
        try server.pipeline.syncOperations.addHandler(recorder)
        try shuttle(harness, server)

        let header = recorder.take()
        #expect(header.hasPrefix("<?xml version='1.0'?><stream:stream"), "the restarted header arrives inside TLS")
        #expect(header.contains("from='alice@example.com'"))

        let mechanisms =
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + "<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-256-PLUS</mechanism></mechanisms>"
            + "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-server-end-point'/>"
            + "<channel-binding type='tls-exporter'/></sasl-channel-binding></stream:features>"
        server.writeAndFlush(ByteBuffer(string: S.header + mechanisms), promise: nil)
        try shuttle(harness, server)
        let auth = recorder.take()
        // XEP-0440 lists tls-exporter; the data for it came from the handshake.
        #expect(auth.contains("mechanism='SCRAM-SHA-256-PLUS'"), "binding data from the handshake made -PLUS possible")
        let payload = auth.split(separator: ">")[1].split(separator: "<")[0]
        let clientFirst = String(decoding: Data(base64Encoded: String(payload)) ?? Data(), as: UTF8.self)
        #expect(clientFirst.hasPrefix("p=tls-exporter,,n=alice,r="), "\(clientFirst)")

        // The server refuses: the failure is typed, and it all happened inside TLS.
        server.writeAndFlush(
            ByteBuffer(string: "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>"), promise: nil)
        try shuttle(harness, server)
        #expect(harness.failure?.code == .authenticationFailed)
        #expect(harness.failure?.saslError?.serverCondition == "not-authorized")
        #expect(recorder.take() == "</stream:stream>")
        #expect(harness.tlsHandlersMade.value == 1)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        server.embeddedEventLoop.advanceTime(by: .seconds(10))
        _ = try? server.finish(acceptAlreadyClosed: true)
    }
}
