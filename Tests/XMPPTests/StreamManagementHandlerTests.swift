import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// XEP-0198 through the channel handler on an `EmbeddedChannel` with a
/// scripted server: the bytes on the wire, virtual time for ack requests,
/// acknowledged sends and what ends them.
@Suite struct StreamManagementHandlerTests {
    typealias S = ScriptedServer

    /// Features after authentication as Prosody announces them: bind, and
    /// stream management in both versions.
    static let smFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        + "<sm xmlns='urn:xmpp:sm:2'><optional/></sm><sm xmlns='urn:xmpp:sm:3'><optional/></sm></stream:features>"
    static let enabled = "<enabled xmlns='urn:xmpp:sm:3'/>"
    static let request = "<r xmlns='urn:xmpp:sm:3'/>"

    static func ack(_ h: Int) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }

    static let reply = Message(type: .chat, to: try! JID("bob@example.com/x"), id: "m2", body: "hello").element
    static let replyXML = "<message id='m2' to='bob@example.com/x' type='chat'><body>hello</body></message>"

    /// A harness whose machine has acknowledgements on (threshold 5, delay 5 s).
    static func harness() throws -> SessionHandlerHarness {
        try SessionHandlerHarness(
            transport: .tls(SessionTest.encrypted),
            configuration: SessionTest.configuration(streamManagement: StreamManagementConfiguration(ackAnswerDelay: .zero, requestsResumption: false)))
    }

    /// PLAIN over TLS up to the bind request, with `features` after authentication.
    private func negotiateToBind(_ harness: SessionHandlerHarness, features: String = smFeatures) throws {
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + S.plainFeatures)
        _ = try harness.clientWrote()
        try harness.serverSends(S.success)
        _ = try harness.clientWrote()
        try harness.serverSends(S.header + features)
        #expect(try harness.clientWrote().hasPrefix("<iq id='bind-1'"))
    }

    /// Up to `<enabled/>`: the session is established with acknowledgements.
    private func negotiate(_ harness: SessionHandlerHarness) throws {
        try negotiateToBind(harness)
        try harness.serverSends(S.bindResult)
        #expect(try harness.clientWrote() == "<enable xmlns='urn:xmpp:sm:3'/>")
        #expect(harness.session == nil, "announced only once the server answered")
        try harness.serverSends(Self.enabled)
        #expect(harness.session?.streamManagementEnabled == true)
    }

    @Test("<r/> is answered with the stanzas handled (a malformed one too); SM elements never reach subscriptions; <a/> precedes the close")
    func answerAndClose() async throws {
        let harness = try Self.harness()
        try negotiate(harness)
        try harness.serverSends(S.chat + S.chat + "<presence from='bob@example.com/x'/>" + Self.request)
        #expect(try harness.clientWrote() == Self.ack(3))
        try harness.serverSends("<message from='@@' type='chat'><body>bad from</body></message>" + Self.request)
        #expect(try harness.clientWrote() == Self.ack(4))

        harness.channel.close(promise: nil)
        #expect(try harness.clientWrote() == Self.ack(4) + "</stream:stream>")
        try harness.serverSends(Self.ack(0) + S.end)
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map(\.name.localName) == ["message", "message", "presence", "message"])
        #expect(inbound.error == nil)
    }

    @Test("A stanza no request covers gets <r/> after 5 s of virtual time; the server's <a/> retires it")
    func requestByTime() async throws {
        let harness = try Self.harness()
        try negotiate(harness)
        try await harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(Self.reply)).get()
        #expect(try harness.clientWrote() == Self.replyXML)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(try harness.clientWrote() == "")
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try harness.clientWrote() == Self.request)
        try harness.serverSends(Self.ack(1))
        #expect(harness.handler.machine.streamManagement.stanzas.isEmpty)
        #expect(harness.channel.isActive)
    }

    @Test("Acknowledged sends: completed by <a/>, failed with a CancellationError when the wait stops, failed with the session's error at its end")
    func acknowledgedSends() throws {
        let harness = try Self.harness()
        try negotiate(harness)
        let outcomes = Locked<[Int: Result<Void, XMPPClientError>]>([:])
        func record(_ n: Int, _ future: EventLoopFuture<Void>) {
            future.whenComplete { result in
                outcomes.value[n] = result.mapError { $0 as? XMPPClientError ?? .connectionClosed(detail: "other") }
            }
        }
        let (_, first) = try harness.handler.startAcknowledgedSend(.element(Self.reply))
        record(1, first)
        #expect(try harness.clientWrote() == Self.replyXML + Self.request)
        try harness.serverSends(Self.ack(1))
        #expect(outcomes.value[1].map { if case .success = $0 { true } else { false } } == true)

        let (token, second) = try harness.handler.startAcknowledgedSend(.element(Self.reply))
        record(2, second)
        harness.handler.stopWaitingForAcknowledgement(token)
        guard case .failure(let cancelled)? = outcomes.value[2] else {
            Issue.record("not failed")
            return
        }
        #expect(cancelled.code == .notAcknowledged && cancelled.underlying is CancellationError)

        let (_, third) = try harness.handler.startAcknowledgedSend(.element(Self.reply))
        record(3, third)
        try harness.serverSends(S.end)
        guard case .failure(let ended)? = outcomes.value[3] else {
            Issue.record("not failed")
            return
        }
        #expect(ended.code == .notAcknowledged)
        #expect((ended.underlying as? XMPPClientError)?.code == .streamClosedByPeer)
        #expect(
            harness.logs.all.contains { $0.message.hasPrefix("XMPP stanzas not known to be delivered") && $0.metadata["xmpp.sm_unacknowledged"] == "1" },
            "the second stanza, whose wait stopped, is logged")
    }

    @Test("An <a/> above what was sent: stream error with handled-count-too-high, close, violation on the subscriptions")
    func handledCountTooHigh() async throws {
        let harness = try Self.harness()
        try negotiate(harness)
        try harness.serverSends(Self.ack(5))
        let written = try harness.clientWrote()
        #expect(written.hasPrefix("<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
        #expect(written.contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='5' send-count='0'/>"))
        #expect(written.hasSuffix("</stream:error></stream:stream>"))
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect((inbound.error as? XMPPClientError)?.code == .streamManagementViolation)
    }

    @Test("Configured, but the scripted server offers no <sm/>: nothing changes on the wire")
    func notOffered() throws {
        let harness = try Self.harness()
        try negotiateToBind(harness, features: S.bindFeatures)
        try harness.serverSends(S.bindResult)
        #expect(try harness.clientWrote() == "")
        #expect(harness.session?.streamManagementEnabled == false)
        harness.channel.close(promise: nil)
        #expect(try harness.clientWrote() == "</stream:stream>")
    }

    @Test("A stanza that cannot be serialised is refused before it is counted: the counts stay in step")
    func unserializableNotCounted() throws {
        let harness = try Self.harness()
        try negotiate(harness)
        let broken = Message(type: .chat, to: try JID("bob@example.com"), body: "nul \u{0} inside").element
        let write = harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(broken))
        #expect(throws: XMPPClientError.self) { try write.wait() }
        #expect(throws: XMPPClientError.self) { try harness.handler.startAcknowledgedSend(.element(broken)) }
        #expect(throws: XMPPClientError.self) {
            try harness.handler.startRequest(.get, payload: XMLElement("q", namespace: "urn:x", text: "\u{0}"), to: nil, timeout: nil)
        }
        try harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(Self.reply)).wait()
        #expect(try harness.clientWrote() == Self.replyXML)
        try harness.serverSends(Self.ack(1))
        #expect(harness.channel.isActive, "h=1 matches the one stanza sent")
    }
}
