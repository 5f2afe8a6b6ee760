import NIOCore
import NIOEmbedded
import NIOGnuTLS
import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// security.md §6 group C: stream negotiation, STARTTLS and stream errors,
/// through the real channel handler with a scripted server (and the pure
/// machine where the handler adds nothing).
@Suite struct HostileNegotiationTests {
    typealias S = ScriptedServer
    typealias H = Hostile
    typealias T = SessionTest

    static let streamErrorPrefix = "<stream:error>"

    @Test("H31: features without <starttls/> on a plain connection: tlsRequired, no <auth/> written")
    func H31_startTLSStripped() async throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        #expect(harness.failure?.code == .tlsRequired)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
        #expect((await harness.drainInbound().error as? XMPPClientError)?.code == .tlsRequired)
    }

    @Test("H32: <failure/> to <starttls/>: tlsFailed, no retry in cleartext, no <auth/>")
    func H32_startTLSRefused() throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        try harness.serverSends(S.header + S.startTLSFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + S.plainFeatures)
        #expect(harness.failure?.code == .tlsFailed)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
        #expect(harness.tlsHandlersMade.value == 0)
    }

    @Test(
        "H33: <proceed/> followed in the same segment by features or a message: proceedInjection, no TLS, nothing delivered",
        arguments: [S.bindFeatures, "<message from='example.com'><body>injected</body></message>"])
    func H33_proceedInjection(trailing: String) async throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        try harness.serverSends(S.header + S.startTLSFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.proceed + trailing)
        #expect(harness.failure?.code == .proceedInjection)
        #expect(harness.tlsHandlersMade.value == 0)
        #expect(try harness.clientWrote() == "")
        #expect(!harness.channel.isActive)
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("H34: garbage instead of a ServerHello fails with a TLS error; nothing sent in the clear")
    func H34_handshakeGarbage() throws {
        let harness = try Hostile.startingTLS()
        try harness.serverSends("HTTP/1.1 400 Bad Request\r\n\r\n" + String(repeating: "x", count: 64))
        #expect(harness.failure?.code == .tlsFailed)
        #expect(!String(decoding: try harness.clientWroteBytes(), as: UTF8.self).contains("<auth"))
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(!harness.channel.isActive)
    }

    @Test("H35: <starttls/> offered again after TLS is ignored: SASL goes on over the secured stream")
    func H35_startTLSAgain() throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        let written = try harness.clientWrote()
        #expect(written.hasPrefix("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>"))
        #expect(!written.contains("starttls"))
    }

    @Test("H35: SASL offered beside <starttls/> before TLS: <starttls/> is sent, never <auth/>")
    func H35_saslBeforeTLS() throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        #expect(try harness.clientWrote() == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    }

    @Test("H36: see-other-host before TLS ends the attempt with the redirect target, closing, no <auth/>")
    func H36_seeOtherHostBeforeTLS() throws {
        let harness = try SessionHandlerHarness(transport: .plain)
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>other.example</see-other-host></stream:error>")
        guard case .success(.redirect(let target)) = harness.outcome else {
            Issue.record("no redirect: \(String(describing: harness.outcome))")
            return
        }
        #expect(target == SeeOtherHostTarget(host: "other.example", port: nil))
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }

    @Test("H37: a redirect chain stops at the limit (3) with seeOtherHostLimit")
    func H37_redirectLoop() {
        var machine = T.started(T.configuration(maximumRedirects: 3), redirects: 3)
        _ = machine.receivedStreamHeader(T.serverHeader())
        let actions = machine.received(element: T.streamError(.seeOtherHost, otherHost: "a.example"), bytesFollowing: 0)
        #expect(actions.failure?.code == .seeOtherHostLimit)
        #expect(!actions.contains(.followSeeOtherHost(host: "a.example", port: nil)))
        #expect(actions.last == .closeConnection)
    }

    @Test("H38: <conflict/> after bind is surfaced typed and the channel closes; the handler never reconnects by itself")
    func H38_conflictAfterBind() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            H.chat("ok-1") + "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>" + H.chat("never"))
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map { $0[attribute: "id"] } == ["ok-1"])
        #expect((inbound.error as? XMPPClientError)?.streamError?.condition == .conflict)
        #expect(try harness.clientWrote() == "", "no new stream header: no reconnect")
    }

    @Test("H39: a stream error with only an application child surfaces undefined-condition with the raw child, then closes")
    func H39_unknownCondition() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends("<stream:error><weird xmlns='urn:example:app'>x</weird></stream:error>")
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
        let error = (await harness.drainInbound().error as? XMPPClientError)?.streamError
        #expect(error?.condition == .undefinedCondition)
        #expect(error?.applicationCondition?.name == XMLQualifiedName("weird", namespace: "urn:example:app"))
    }

    @Test("H40: <reset/> or <system-shutdown/>: typed stream error, close (reconnection is the connection's policy)", arguments: ["reset", "system-shutdown"])
    func H40_resetOrShutdown(condition: String) async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends("<stream:error><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
        let error = (await harness.drainInbound().error as? XMPPClientError)?.streamError
        #expect(error?.condition.description == condition)
    }

    @Test("H41: a <message> or <iq type='set'> before bind completes is never delivered")
    func H41_stanzaBeforeBind() async throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        try harness.serverSends(S.header + S.bindFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(
            "<message from='mallory@evil.example' id='early'><body>x</body></message>"
                + "<iq type='set' id='early-iq' from='mallory@evil.example'><query xmlns='jabber:iq:roster'/></iq>")
        if harness.channel.isActive {
            try harness.serverSends(S.bindResult + H.chat("ok-1") + S.end)
        }
        let inbound = await harness.drainInbound()
        #expect(!inbound.elements.contains { ["early", "early-iq"].contains($0[attribute: "id"] ?? "") })
    }

    @Test("H42: <bind/> listed twice: one bind request")
    func H42_bindTwice() throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>")
        #expect(try harness.clientWrote() == "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
        try harness.serverSends(S.bindResult)
        #expect(harness.session != nil)
    }

    @Test("H42: <sm/> before authentication is ignored: <auth/> is sent, never <enable/>")
    func H42_smBeforeAuth() throws {
        let harness = try SessionHandlerHarness(
            transport: .tls(T.encrypted), configuration: T.configuration(streamManagement: StreamManagementConfiguration()))
        _ = try harness.clientWrote()
        try harness.serverSends(
            S.header + "<stream:features><sm xmlns='urn:xmpp:sm:3'/>"
                + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>")
        let written = try harness.clientWrote()
        #expect(written.hasPrefix("<auth "))
        #expect(!written.contains("enable"))
    }

    @Test("H42: an empty <mechanisms/> aborts with noAcceptableMechanism")
    func H42_emptyMechanisms() throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>")
        #expect(harness.failure?.code == .authenticationFailed)
        #expect(harness.failure?.saslError == .noAcceptableMechanism)
        #expect(!(try harness.clientWrote()).contains("<auth"))
        #expect(!harness.channel.isActive)
    }

    @Test("H43: a response header whose from is not our domain aborts the stream")
    func H43_wrongFrom() throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        _ = try harness.clientWrote()
        try harness.serverSends(("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                + "from='evil.example' id='s1' version='1.0'>") + S.plainFeatures)
        #expect(harness.failure?.code == .invalidStreamHeader)
        #expect(!(try harness.clientWrote()).contains("<auth"))
        #expect(!harness.channel.isActive)
    }

    @Test("H44: the server closes the stream mid-negotiation: answered, streamClosedByPeer, channel closed")
    func H44_closedMidNegotiation() throws {
        let harness = try SessionHandlerHarness(transport: .tls(T.encrypted))
        try harness.serverSends(S.header + S.plainFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.end)
        #expect(harness.failure?.code == .streamClosedByPeer)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive)
    }
}
