import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// Builders for sessions with liveness on, through the real channel
/// handler on an `EmbeddedChannel` (virtual time starts at 0 and the
/// session is established at 0).
enum LivenessTest {
    typealias S = ScriptedServer

    /// Keepalive 60 s, probe after 90 s of silence, 30 s to answer (the
    /// public defaults).
    static let standard = LivenessMonitor.Configuration(
        keepaliveInterval: .seconds(60), probeAfterSilence: .seconds(90), probeTimeout: .seconds(30))

    static let request = "<r xmlns='urn:xmpp:sm:3'/>"
    static let ping = "<iq id='q-1' to='example.com' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"

    static func ack(_ h: Int) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }

    /// An established session over direct TLS with `liveness`; with
    /// `streamManagement`, acknowledgements are on (threshold 5, delay 5 s).
    static func established(
        streamManagement: Bool, liveness: LivenessMonitor.Configuration? = standard
    ) throws -> SessionHandlerHarness {
        var configuration = SessionTest.configuration(
            streamManagement: streamManagement ? StreamManagementConfiguration(requestsResumption: false) : nil)
        configuration.liveness = liveness
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted), configuration: configuration)
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        if streamManagement {
            try harness.serverSends(
                S.header + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                    + "<sm xmlns='urn:xmpp:sm:3'><optional/></sm></stream:features>")
            try harness.serverSends(S.bindResult)
            try harness.serverSends("<enabled xmlns='urn:xmpp:sm:3'/>")
        } else {
            try harness.serverSends(S.header + S.bindFeatures)
            try harness.serverSends(S.bindResult)
        }
        #expect(harness.session?.streamManagementEnabled == streamManagement)
        _ = try harness.clientWrote()
        return harness
    }

    /// Advances virtual time by `seconds`.
    static func advance(_ harness: SessionHandlerHarness, seconds: Int64) {
        harness.channel.embeddedEventLoop.advanceTime(by: .seconds(seconds))
    }

    /// Advances virtual time one second at a time until the channel closes
    /// or `limit` seconds passed; returns the seconds advanced.
    static func advanceUntilClosed(_ harness: SessionHandlerHarness, limit: Int) -> Int {
        var elapsed = 0
        while harness.channel.isActive && elapsed < limit {
            advance(harness, seconds: 1)
            elapsed += 1
        }
        return elapsed
    }

    /// The error the subscriptions ended with.
    static func endError(_ harness: SessionHandlerHarness) async -> (elements: [XMLElement], error: XMPPClientError?) {
        let inbound = await harness.drainInbound()
        return (inbound.elements, inbound.error as? XMPPClientError)
    }
}

/// Liveness through the channel handler: the exact bytes written, virtual
/// time, and how an unresponsive server ends the session.
@Suite struct LivenessHandlerTests {
    typealias L = LivenessTest
    typealias S = ScriptedServer

    @Test("Keepalive: a lone space after 60 s without writing; reads do not push it back, writes do")
    func keepalive() throws {
        let liveness = LivenessMonitor.Configuration(keepaliveInterval: .seconds(60), probeAfterSilence: nil, probeTimeout: .seconds(30))
        let harness = try L.established(streamManagement: false, liveness: liveness)
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(59_999))
        #expect(try harness.clientWrote() == "")
        harness.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(try harness.clientWroteBytes() == [UInt8(ascii: " ")])
        L.advance(harness, seconds: 30)
        try harness.serverSends(S.chat)
        L.advance(harness, seconds: 29)
        #expect(try harness.clientWrote() == "")
        L.advance(harness, seconds: 1)
        #expect(try harness.clientWrote() == " ", "120 s: the read at 90 s did not count")
        let message = Message(type: .chat, to: try JID("bob@example.com/x"), id: "m2", body: "hello").element
        try harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(message)).wait()
        #expect(try harness.clientWrote().hasPrefix("<message"))
        L.advance(harness, seconds: 59)
        #expect(try harness.clientWrote() == "", "the message at 120 s pushed the keepalive to 180 s")
        L.advance(harness, seconds: 1)
        #expect(try harness.clientWrote() == " ")
        #expect(harness.channel.isActive)
    }

    @Test("With acknowledgements on, silence is probed with <r/>; the server's <a/> answers it")
    func probeWithAck() throws {
        let harness = try L.established(streamManagement: true)
        L.advance(harness, seconds: 60)
        #expect(try harness.clientWrote() == " ")
        L.advance(harness, seconds: 30)
        #expect(try harness.clientWrote() == L.request)
        L.advance(harness, seconds: 29)
        try harness.serverSends(L.ack(0))
        L.advance(harness, seconds: 60)
        #expect(harness.channel.isActive)
        #expect(try harness.clientWrote() == " ", "a keepalive at 150 s, nothing else")
    }

    @Test("Without acknowledgements, silence is probed with a XEP-0199 ping; its result or error is not delivered")
    func probeWithPing() async throws {
        let harness = try L.established(streamManagement: false)
        L.advance(harness, seconds: 90)
        #expect(try harness.clientWrote() == " " + L.ping)
        try harness.serverSends("<iq type='result' id='q-1' from='example.com'/>")
        #expect(harness.handler.machine.requests.isEmpty)
        L.advance(harness, seconds: 90)
        #expect(try harness.clientWrote() == " " + "<iq id='q-2' to='example.com' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        try harness.serverSends(
            "<iq type='error' id='q-2' from='example.com'><error type='cancel'>"
                + "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        L.advance(harness, seconds: 60)
        #expect(harness.channel.isActive, "an error answer proves liveness too")
        try harness.serverSends(S.chat)
        harness.channel.close(promise: nil)
        try harness.serverSends(S.end)
        let end = await L.endError(harness)
        #expect(end.elements.map(\.name.localName) == ["message"], "only the chat message reaches subscriptions")
        #expect(end.error == nil)
    }

    @Test("No answer to the probe within 30 s: peerUnresponsive, </stream:stream>, channel closed at once")
    func probeTimeout() async throws {
        let harness = try L.established(streamManagement: false)
        L.advance(harness, seconds: 90)
        _ = try harness.clientWrote()
        L.advance(harness, seconds: 29)
        #expect(harness.channel.isActive)
        L.advance(harness, seconds: 1)
        #expect(try harness.clientWrote() == "</stream:stream>")
        #expect(!harness.channel.isActive, "closed without waiting for the server's close")
        let end = await L.endError(harness)
        #expect(end.error?.code == .peerUnresponsive)
        #expect(end.error?.description == "XMPP: the server stopped responding (nothing read within 30 seconds of a probe); the connection is treated as dead")
    }

    @Test("A pending sendAcknowledged fails with notAcknowledged(peerUnresponsive) when its <r/> goes unanswered for 30 s")
    func ackDeadlineFailsAcknowledgedSend() throws {
        let harness = try L.established(streamManagement: true)
        L.advance(harness, seconds: 10)
        let message = Message(type: .chat, to: try JID("bob@example.com/x"), id: "m2", body: "hello").element
        let (_, acknowledged) = try harness.handler.startAcknowledgedSend(.element(message))
        #expect(try harness.clientWrote().hasSuffix(L.request))
        let outcome = Locked<Result<Void, XMPPClientError>?>(nil)
        acknowledged.whenComplete { result in outcome.value = result.mapError { $0 as? XMPPClientError ?? .connectionClosed(detail: "other") } }
        L.advance(harness, seconds: 20)
        try harness.serverSends(S.chat)   // reads do not answer an <r/>
        L.advance(harness, seconds: 9)
        #expect(outcome.value == nil)
        L.advance(harness, seconds: 1)
        guard case .failure(let error)? = outcome.value else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .notAcknowledged)
        #expect((error.underlying as? XMPPClientError)?.code == .peerUnresponsive)
        #expect(!harness.channel.isActive)
    }

    @Test("No keepalive after close: nothing is written while the close waits, nor after")
    func nothingAfterClose() throws {
        let liveness = LivenessMonitor.Configuration(keepaliveInterval: .seconds(3), probeAfterSilence: .seconds(4), probeTimeout: .seconds(1))
        let harness = try L.established(streamManagement: false, liveness: liveness)
        harness.channel.close(promise: nil)
        #expect(try harness.clientWrote() == "</stream:stream>")
        L.advance(harness, seconds: 4)
        #expect(try harness.clientWrote() == "", "closing: no keepalive, no probe")
        #expect(harness.channel.isActive, "still waiting for the server's close (5 s)")
        L.advance(harness, seconds: 600)
        #expect(try harness.clientWrote() == "")
        #expect(!harness.channel.isActive)
        #expect(harness.handler.machine.liveness.scheduledWakeUp == nil)
    }

    @Test("Liveness off: nothing is written however long the silence")
    func disabled() throws {
        let harness = try L.established(streamManagement: true, liveness: nil)
        L.advance(harness, seconds: 3_600)
        #expect(try harness.clientWrote() == "")
        #expect(harness.channel.isActive)
    }
}
