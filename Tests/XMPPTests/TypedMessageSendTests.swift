import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// A `Message` handed to the connection goes out serialised from the model,
/// without its element: the same bytes, counted by XEP-0198 the same way,
/// and its element is built only when it is needed again (a resend after
/// resumption, a report that it was not acknowledged).
@Suite struct TypedMessageSendTests {
    typealias C = SessionContinuityHandlerTests

    /// Message `n` as a typed value (the same stanza as `C.message(n)`).
    static func message(_ n: Int) throws -> Message {
        Message(type: .chat, to: try JID("bob@example.com/x"), id: "m\(n)", body: "\(n)")
    }

    @Test("A message is written with its element's bytes and kept in the ledger as a message")
    func writtenAndCounted() throws {
        let harness = try ContinuityHarness(continuity: SessionContinuity { _, _ in })
        try C.establish(harness)
        try harness.handler.submit(.message(try Self.message(1)))
        #expect(try harness.clientWrote() == (try C.message(1).xml))
        let (_, acknowledged) = try harness.handler.startAcknowledgedSend(.message(try Self.message(2)))
        #expect(try harness.clientWrote() == (try C.message(2).xml) + C.request)

        let tracked = harness.handler.machine.streamManagement.stanzas
        #expect(tracked.map(\.stanza) == [.message(try Self.message(1)), .message(try Self.message(2))])
        #expect(tracked.map(\.element) == [try C.message(1).element, try C.message(2).element])
        #expect(tracked.map(\.sequenceNumber) == [StanzaCount(1), StanzaCount(2)])

        let done = Locked(false)
        acknowledged.whenSuccess { done.value = true }
        try harness.serverSends(C.ack(2))
        #expect(done.value, "<a h='2'/> covers the awaited message")
        #expect(harness.handler.machine.streamManagement.stanzas.isEmpty)
    }

    @Test("After a lost connection, messages kept as messages are resent with the same bytes on resumption")
    func resentOnResumption() throws {
        let continuity = SessionContinuity { _, _ in }
        let outcomes = C.Outcomes()
        let first = try ContinuityHarness(continuity: continuity)
        try C.establish(first)
        let (_, acknowledged) = try first.handler.startAcknowledgedSend(.message(try Self.message(1)))
        outcomes.watch(1, acknowledged)
        #expect(try first.clientWrote() == (try C.message(1).xml) + C.request)
        try first.handler.submit(.message(try Self.message(2)))
        #expect(try first.clientWrote() == (try C.message(2).xml))
        first.channel.pipeline.fireErrorCaught(C.Reset())
        #expect(continuity.detached?.ledger.stanzas.map(\.stanza) == [.message(try Self.message(1)), .message(try Self.message(2))])

        let second = try ContinuityHarness(continuity: continuity)
        #expect(try C.authenticate(second) == "<resume xmlns='urn:xmpp:sm:3' previd='sm-1' h='0'/>")
        try second.serverSends("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='0'/>")
        #expect(try second.clientWrote() == (try C.message(1).xml) + (try C.message(2).xml) + C.request)
        try second.serverSends(C.ack(2))
        #expect(outcomes.succeeded(1))
    }

    @Test("A message the session could not deliver is reported as its element")
    func reportedAsElement() throws {
        let reported = Locked<[XMLElement]>([])
        let continuity = SessionContinuity { elements, _ in reported.value += elements }
        let harness = try ContinuityHarness(continuity: continuity)
        try C.establish(harness, enabled: "<enabled xmlns='urn:xmpp:sm:3'/>")
        try harness.handler.submit(.message(try Self.message(7)))
        #expect(try harness.clientWrote() == (try C.message(7).xml))
        harness.channel.pipeline.fireErrorCaught(C.Reset())
        #expect(reported.value == [try C.message(7).element])
    }

    @Test("A message that cannot be serialised is refused before it is counted")
    func unserialisableRefused() throws {
        let harness = try ContinuityHarness(continuity: SessionContinuity { _, _ in })
        try C.establish(harness)
        let broken = Message(type: .chat, to: try JID("bob@example.com"), id: "b", body: "bell \u{7}")
        #expect(throws: XMPPClientError.self) { try harness.handler.submit(.message(broken)) }
        #expect(try harness.clientWrote() == "")
        #expect(harness.handler.machine.streamManagement.stanzas.isEmpty)
        try harness.handler.submit(.message(try Self.message(1)))
        #expect(harness.handler.machine.streamManagement.stanzas.map(\.sequenceNumber) == [StanzaCount(1)])
    }
}
