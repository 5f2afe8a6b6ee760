import NIOCore
import NIOEmbedded
import Testing
import XMPPCore
import XMPPTransport

@testable import XMPP

/// How long the quick-ACK handler the connector puts first in the
/// pipeline stays: through negotiation only by default (then the kernel's
/// delayed ACKs let a busy server batch stanzas), for the connection's
/// life with `.always`.
@Suite struct QuickAcknowledgementTests {
    typealias S = ScriptedServer

    static func hasQuickAckHandler(_ harness: SessionHandlerHarness) -> Bool {
        (try? harness.channel.pipeline.syncOperations.handler(type: QuickAckHandler.self)) != nil
    }

    /// Walks the scripted server up to the bind result (no XEP-0198).
    static func negotiate(_ harness: SessionHandlerHarness) throws {
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        try harness.serverSends(S.header + S.bindFeatures)
        #expect(hasQuickAckHandler(harness), "still negotiating")
        try harness.serverSends(S.bindResult)
        _ = try harness.clientWrote()
    }

    @Test("By default the quick-ACK handler leaves once the session is established")
    func removedWhenEstablished() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted), quickAcknowledgements: .whileNegotiating)
        #expect(Self.hasQuickAckHandler(harness))
        try Self.negotiate(harness)
        #expect(harness.session != nil)
        #expect(!Self.hasQuickAckHandler(harness))
        // The session goes on without it.
        try harness.serverSends(S.chat)
        #expect(harness.channel.isActive)
    }

    @Test("With XEP-0198 the handler stays until <enabled/> establishes the session")
    func removedAfterEnabled() throws {
        let harness = try Hostile.streamManagementUntilEnable(quickAcknowledgements: .whileNegotiating)
        #expect(try harness.clientWrote().contains("<enable xmlns='urn:xmpp:sm:3'"))
        #expect(harness.session == nil)
        #expect(Self.hasQuickAckHandler(harness), "<enable/> is still negotiation")
        try harness.serverSends("<enabled xmlns='urn:xmpp:sm:3'/>")
        #expect(harness.session != nil)
        #expect(!Self.hasQuickAckHandler(harness))
    }

    @Test(".always keeps the handler after establishment")
    func keptWithAlways() throws {
        let harness = try SessionHandlerHarness(transport: .tls(SessionTest.encrypted), quickAcknowledgements: .always)
        try Self.negotiate(harness)
        #expect(harness.session != nil)
        #expect(Self.hasQuickAckHandler(harness))
    }

    @Test("The configuration defaults to quick ACKs while negotiating")
    func defaultSetting() throws {
        let configuration = XMPPConnection.Configuration(jid: try BareJID("alice@example.com"), password: "secret")
        #expect(configuration.quickAcknowledgements == .whileNegotiating)
    }
}
