import Logging
import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// The channel handler on an `EmbeddedChannel` with a scripted server: the
/// real reader, writer and machine, the actions carried out for real.
@Suite struct XMPPChannelHandlerTests {
    typealias S = ScriptedServer

    /// Runs the PLAIN-over-TLS negotiation up to established.
    private func negotiate(_ harness: SessionHandlerHarness, bytewise: Bool = false) throws {
        let send = bytewise ? harness.serverSendsBytewise : harness.serverSends
        let header = try harness.clientWrote()
        #expect(header.hasPrefix("<?xml version='1.0'?><stream:stream"))
        #expect(header.contains("to='example.com'"))
        #expect(header.contains("from='alice@example.com'"))
        #expect(header.contains("version='1.0'"))

        try send(S.header + S.plainFeatures)
        let auth = try harness.clientWrote()
        #expect(auth.hasPrefix("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"))

        try send(S.success)
        #expect(try harness.clientWrote().hasPrefix("<?xml version='1.0'?><stream:stream"), "the stream restarts")

        try send(S.header + S.bindFeatures)
        let bind = try harness.clientWrote()
        #expect(bind == "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
    }

    @Test("Negotiates, delivers what follows the bind result in the same read, sends, closes cleanly")
    func happyPath() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness)
        try harness.serverSends(S.bindResult + S.chat)
        #expect(harness.session?.boundJID == (try FullJID("alice@example.com/r1")))
        #expect(harness.session?.authenticationMechanism == .plain)

        let reply = Message(type: .chat, to: try JID("bob@example.com/x"), id: "m2", body: "hello")
        try await harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(reply.element)).get()
        let sent = try harness.clientWrote()
        #expect(sent == "<message id='m2' to='bob@example.com/x' type='chat'><body>hello</body></message>")

        harness.channel.close(promise: nil)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(harness.channel.isActive, "waits for the server's close")
        try harness.serverSends(S.end)
        #expect(!harness.channel.isActive)

        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map(\.name.localName) == ["message"])
        #expect(inbound.error == nil)
    }

    @Test("The same negotiation with every server byte in its own read")
    func bytewise() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness, bytewise: true)
        try harness.serverSendsBytewise(S.bindResult)
        #expect(harness.session != nil)
    }

    @Test("An element XML cannot carry fails its write as unserializableElement; the session goes on")
    func unserializable() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness)
        try harness.serverSends(S.bindResult)
        let broken = Message(type: .chat, to: try JID("bob@example.com"), body: "nul \u{0} inside").element
        let write = harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(broken))
        let error = #expect(throws: XMPPClientError.self) { try write.wait() }
        #expect(error?.code == .unserializableElement)
        #expect(try harness.clientWrote() == "")
        let fine = harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(SessionTest.chat))
        try fine.wait()
        #expect(try harness.clientWrote().hasPrefix("<message"))
    }

    @Test("Sending before the session is established fails the write; nothing is written")
    func sendTooEarly() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        let write = harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(SessionTest.chat))
        #expect(throws: XMPPClientError.self) { try write.wait() }
        #expect(try harness.clientWrote() == "")
    }

    @Test(
        "<proceed/> followed by anything in the same read: abort, no TLS handler, nothing more written (P03)",
        arguments: [
            "<message to='alice@example.com'><body>injected</body></message>",
            S.header,
            " ",
            "<",
        ])
    func proceedInjection(trailing: String) async throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        #expect(try !harness.clientWrote().contains("from="), "the cleartext header does not name the user")
        try harness.serverSends(S.header + S.startTLSFeatures)
        #expect(try harness.clientWrote() == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")

        try harness.serverSends(S.proceed + trailing)
        #expect(harness.failure?.code == .proceedInjection)
        #expect(harness.tlsHandlersMade.value == 0)
        #expect(try harness.clientWrote() == "")
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.isEmpty)
        #expect((inbound.error as? XMPPClientError)?.code == .proceedInjection)
    }

    @Test("<proceed/> alone: the GnuTLS handler goes to the front and starts the handshake")
    func proceedAddsTLS() throws {
        let certificates = try TestCertificates.load()
        var tlsConfiguration = GnuTLSConfiguration()
        tlsConfiguration.trustRoots = .pem(certificates.caPEM)
        let context = try GnuTLSContext(configuration: tlsConfiguration)
        let harness = try SessionHandlerHarness(transport: .plain) {
            try GnuTLSClientHandler(context: context, serverName: "example.com")
        }
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.startTLSFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.proceed)
        #expect(harness.tlsHandlersMade.value == 1)
        #expect(harness.failure == nil)
        _ = try harness.channel.pipeline.syncOperations.handler(type: GnuTLSClientHandler.self)
        // Our handler's writes now pass through TLS: it sits in front of us.
        let hello = try harness.clientWroteBytes()
        #expect(hello.first == 0x16, "a TLS handshake record (ClientHello), not XML")
        harness.channel.close(promise: nil)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
    }

    @Test("No <starttls/> on a plain connection: tlsRequired, no <auth/> written")
    func tlsRequired() throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        #expect(harness.failure?.code == .tlsRequired)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("Restricted XML from the server: the client answers <restricted-xml/> and closes")
    func restrictedXML() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + "<!-- hello -->")
        #expect(harness.failure?.code == .xmlError)
        #expect(
            try harness.clientWrote()
                == "<stream:error><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("A silent server: the stream-opening deadline fails the attempt as timeout(streamOpening)")
    func openingDeadline() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        _ = try harness.clientWrote()
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(harness.outcome == nil)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(harness.failure?.step == .streamOpening)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("A clean close the server never answers ends at the close deadline, without an error")
    func closeDeadline() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness)
        try harness.serverSends(S.bindResult)
        harness.channel.close(promise: nil)
        #expect(try harness.clientWrote() == "</stream:stream>")
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(harness.channel.isActive)
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!harness.channel.isActive)
        #expect(await harness.drainInbound().error == nil)
    }

    @Test("A stream error after establishment ends the inbound sequence with the typed error")
    func streamErrorEndsInbound() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness)
        try harness.serverSends(
            S.bindResult + S.chat
                + "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        #expect(try harness.clientWrote() == "</stream:stream>")
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.count == 1)
        #expect((inbound.error as? XMPPClientError)?.streamError?.condition == .conflict)
    }

    @Test("see-other-host completes the negotiation with the redirect and closes the stream")
    func redirect() throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header
                + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::5]:5223</see-other-host></stream:error>")
        guard case .success(.redirect(let target)) = harness.outcome else {
            Issue.record("no redirect: \(String(describing: harness.outcome))")
            return
        }
        #expect(target == SeeOtherHostTarget(host: "2001:db8::5", port: 5223))
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("The server dropping the connection fails the negotiation with connectionClosed")
    func dropped() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try harness.serverSends(S.header)
        harness.channel.pipeline.fireChannelInactive()
        #expect(harness.failure?.code == .connectionClosed)
    }

    @Test("Logs: nothing above debug, raw XML only at trace, the PLAIN payload and password never appear")
    func logging() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted))
        try negotiate(harness)
        try harness.serverSends(S.bindResult)
        let records = harness.logs.all
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0.level <= .debug })
        let payload = SessionTest.plainAuth.text
        for record in records {
            let text = record.message + " " + record.metadata.values.joined(separator: " ")
            #expect(!text.contains(payload))
            #expect(!text.contains(SessionTest.password))
            if record.metadata[XMPPLoggingKey.xml] != nil { #expect(record.level == .trace) }
        }
        let auths = records.filter {
            $0.message == "Sending XMPP element" && $0.metadata[XMPPLoggingKey.element] == "{urn:ietf:params:xml:ns:xmpp-sasl}auth"
        }
        #expect(auths.count == 1)
        #expect(auths.first?.metadata[XMPPLoggingKey.xml]?.contains(XMLLogRedaction.placeholder) == true)
    }
}
