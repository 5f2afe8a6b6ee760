import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// security.md §6 group G: XEP-0198 specific, through the channel handler
/// where the wire matters and on the ledger for resumption outcomes.
@Suite struct HostileStreamManagementTests {
    typealias S = ScriptedServer
    typealias H = Hostile

    static func ack(_ h: String) -> String { "<a xmlns='urn:xmpp:sm:3' h='\(h)'/>" }
    static let request = "<r xmlns='urn:xmpp:sm:3'/>"

    /// A ledger that asked for resumption and got `<enabled/>` with `id`.
    static func enabledLedger(id: String?) throws -> SMLedger {
        var ledger = SMLedger(configuration: StreamManagementConfiguration())
        _ = try ledger.enable()
        _ = try ledger.enabled(StreamManagementEnabled(id: id, resume: true, maximumResumption: nil), now: SM.at(0))
        try SM.send(1...2, on: &ledger)
        return ledger
    }

    static func sendMessages(_ count: Int, on harness: SessionHandlerHarness) throws {
        for n in 0..<count {
            let message = Message(type: .chat, to: try JID("bob@example.com/x"), id: "o\(n)", body: "x").element
            try harness.channel.writeAndFlush(XMPPChannelHandler.Request.send(message)).wait()
        }
        _ = try harness.clientWrote()
    }

    @Test("H85: <enabled/> without id after resume='true': acks work, resumption is off")
    func H85_enabledWithoutID() throws {
        var ledger = try Self.enabledLedger(id: nil)
        _ = try ledger.ackReceived(1)
        #expect(SM.tokens(ledger.stanzas) == [2])
        #expect(ledger.connectionLost(now: SM.at(1)) != .resumable)
        let harness = try H.streamManagement(resume: true, enabled: "<enabled xmlns='urn:xmpp:sm:3' resume='true'/>")
        #expect(harness.session?.streamManagementEnabled == true)
        try harness.serverSends(H.chat("m1") + Self.request)
        #expect(try harness.clientWrote() == Self.ack("1"))
    }

    @Test("H86: an SM-ID above 4000 bytes disables resumption; one within the cap keeps it")
    func H86_oversizedID() throws {
        var huge = try Self.enabledLedger(id: String(repeating: "i", count: 5000))
        #expect(huge.connectionLost(now: SM.at(1)) != .resumable)
        var fine = try Self.enabledLedger(id: String(repeating: "i", count: 4000))
        #expect(fine.connectionLost(now: SM.at(1)) == .resumable)
    }

    @Test("H87: <a h/> non-numeric, negative or above 2^32-1 aborts with undefined-condition", arguments: ["x", "-1", "4294967296", ""])
    func H87_malformedAck(h: String) async throws {
        let harness = try H.streamManagement()
        try harness.serverSends(H.chat("ok-1") + Self.ack(h) + H.chat("never"))
        let written = try harness.clientWrote()
        #expect(written.hasPrefix("<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
        #expect(written.hasSuffix("</stream:stream>"))
        #expect(!harness.channel.isActive)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map { $0[attribute: "id"] } == ["ok-1"])
        #expect((inbound.error as? XMPPClientError)?.code == .streamManagementViolation)
    }

    @Test("H88: <resumed previd='other'/> is refused and changes nothing")
    func H88_resumedOtherID() throws {
        var ledger = try SM.active()
        try SM.send(1...3, on: &ledger)
        #expect(ledger.connectionLost(now: SM.at(1)) == .resumable)
        _ = try ledger.resume(now: SM.at(2))
        let before = ledger.stanzas
        #expect(throws: StreamManagementError.previousIDMismatch) { try ledger.resumed(previousID: "other", handled: 1, now: SM.at(3)) }
        #expect(ledger.stanzas == before)
    }

    @Test("H89: a message between <enable/> and <enabled/> is delivered but not counted in h")
    func H89_messageBeforeEnabled() async throws {
        let harness = try H.streamManagement(enabled: H.chat("early"))
        #expect(harness.session == nil)
        try harness.serverSends("<enabled xmlns='urn:xmpp:sm:3'/>" + Self.request)
        #expect(try harness.clientWrote() == Self.ack("0"))
        try harness.serverSends(S.end)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map { $0[attribute: "id"] } == ["early"])
    }

    @Test("H90: <a h='10'/> when 8 were sent: undefined-condition with handled-count-too-high h='10' send-count='8', close")
    func H90_ackTooHigh() async throws {
        let harness = try H.streamManagement()
        try Self.sendMessages(8, on: harness)
        try harness.serverSends(Self.ack("10"))
        let written = try harness.clientWrote()
        #expect(written.hasPrefix("<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"))
        #expect(written.contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='10' send-count='8'/>"))
        #expect(!harness.channel.isActive)
        #expect((await harness.drainInbound().error as? XMPPClientError)?.code == .streamManagementViolation)
    }

    @Test("H91: <a h='3'/> after <a h='5'/> is ignored as stale; nothing is un-acked, the stream stays open")
    func H91_ackBackwards() throws {
        let harness = try H.streamManagement()
        try Self.sendMessages(6, on: harness)
        try harness.serverSends(Self.ack("5") + Self.ack("3"))
        #expect(harness.channel.isActive)
        #expect(!(try harness.clientWrote()).contains("stream:error"))
        var ledger = try SM.active()
        try SM.send(1...6, on: &ledger)
        _ = try ledger.ackReceived(5)
        _ = try ledger.ackReceived(3)
        #expect(SM.tokens(ledger.stanzas) == [6])
    }

    @Test("H92: a poison stanza (unreadable from) is dropped but counted; <r/> is answered; no reconnect")
    func H92_poisonStanza() async throws {
        let harness = try H.streamManagement()
        try harness.serverSends("<message from='@@' type='chat' id='poison'><body>x</body></message>" + Self.request)
        #expect(try harness.clientWrote() == Self.ack("1"))
        #expect(harness.channel.isActive)
    }

    @Test("H93: <failed h='2'/> to <resume/> with 4 unacked: 2 retired, 2 unknown")
    func H93_failedWithH() throws {
        var ledger = try SM.active()
        try SM.send(1...4, on: &ledger)
        #expect(ledger.connectionLost(now: SM.at(1)) == .resumable)
        _ = try ledger.resume(now: SM.at(2))
        guard case .resumeRefused(let failure) = try ledger.failed(StreamManagementFailure(handled: 2, condition: .itemNotFound)) else {
            Issue.record("not a resume failure")
            return
        }
        #expect(SM.tokens(failure.acked) == [1, 2])
        #expect(SM.tokens(failure.unknown) == [3, 4])
    }

    @Test("H94: <failed/> without h: every unacknowledged stanza is unknown")
    func H94_failedWithoutH() throws {
        var ledger = try SM.active()
        try SM.send(1...4, on: &ledger)
        #expect(ledger.connectionLost(now: SM.at(1)) == .resumable)
        _ = try ledger.resume(now: SM.at(2))
        guard case .resumeRefused(let failure) = try ledger.failed(StreamManagementFailure(condition: .itemNotFound)) else {
            Issue.record("not a resume failure")
            return
        }
        #expect(failure.acked.isEmpty && SM.tokens(failure.unknown) == [1, 2, 3, 4])
    }

    @Test("H95: counters at 2^32-3, five stanzas each way, a resume: wrap arithmetic holds")
    func H95_wrap() throws {
        var ledger = try SM.restored(sent: SM.nearWrap, acknowledged: SM.nearWrap, handled: SM.nearWrap)
        _ = try ledger.resume(now: SM.at(0))
        _ = try ledger.resumed(previousID: "sm-1", handled: SM.nearWrap, now: SM.at(0))
        try SM.send(1...5, on: &ledger)
        for n in 1...5 { _ = ledger.inboundHandled(SM.message(100 + n)) }
        #expect(ledger.sentCount == 2 && ledger.handledCount == 2)
        #expect(ledger.connectionLost(now: SM.at(1)) == .resumable)
        #expect(try ledger.resume(now: SM.at(2)) == .resume(previousID: "sm-1", handled: 2))
        let resumption = try ledger.resumed(previousID: "sm-1", handled: 1, now: SM.at(3))
        #expect(SM.tokens(resumption.acked) == [1, 2, 3, 4] && SM.tokens(resumption.resent) == [5])
    }
}
