import NIOCore
import NIOEmbedded
import Synchronization
import Testing
import XMPPCore

@testable import XMPP

/// Message answerers (`XMPPConnection.answerMessages(from:_:)`) on a whole
/// connection with a scripted server: answers written within the read
/// that delivered the message, peer filters, held messages, parse
/// failures, cancellation, the session's end, and answers that wait for
/// XEP-0198 room instead of being dropped.
@Suite(.timeLimit(.minutes(1))) struct MessageAnswerTests {
    typealias Sub = SubscriptionConnectionTests
    typealias H = StreamManagementHandlerTests

    /// Answers a chat with "echo: BODY" to its sender, id "re-ID".
    static let echo: @Sendable (Message) -> Message? = { message in
        guard let from = message.from, let body = message.body else { return nil }
        return Message(type: .chat, to: from, id: "re-\(message.id ?? "")", body: "echo: \(body)")
    }

    /// The ids of the messages an answerer saw, in order.
    final class Seen: Sendable {
        private let ids = Mutex<[String]>([])
        func add(_ message: Message) { ids.withLock { $0.append(message.id ?? "?") } }
        var all: [String] { ids.withLock { $0 } }
    }

    @Test("An answer is written within the read that delivered the message; subscriptions still receive the message")
    func answersWithinTheRead() async throws {
        let h = try await ConnectionHarness.established()
        let messages = h.connection.messages()
        h.connection.answerMessages(Self.echo)
        // Only the inbound bytes are processed: no loop tick runs before
        // the answer is there to read.
        try await h.channel.writeInbound(ByteBuffer(string: Sub.chat(from: "bob@example.com/phone", id: "1", body: "ping")))
        let written = try #require(try await h.channel.readOutbound(as: ByteBuffer.self))
        let text = String(buffer: written)
        #expect(text.hasPrefix("<message"))
        #expect(text.contains("to='bob@example.com/phone'"))
        #expect(text.contains("id='re-1'"))
        #expect(text.contains("<body>echo: ping</body>"))
        #expect(try await Sub.ids(messages, count: 1) == ["1"])
        try await Sub.close(h)
    }

    @Test("from: a bare JID answers every resource of that account and nobody else; unanswered messages are held")
    func peerFilter() async throws {
        let h = try await ConnectionHarness.established()
        h.connection.answerMessages(from: try JID("bob@example.com"), Self.echo)
        try await h.serverSends(Sub.chat(from: "carol@example.com/x", id: "c1"))
        try await h.serverSends(Sub.chat(from: "bob@example.com/desk", id: "b1"))
        #expect(try await h.nextWrite().contains("id='re-b1'"))
        // Carol's message went to nobody: the first subscription gets it.
        let messages = h.connection.messages()
        #expect(try await Sub.ids(messages, count: 1) == ["c1"])
        try await Sub.close(h)
    }

    @Test("A message answered with nil is taken all the same: not held for a later subscription")
    func nilAnswerClaims() async throws {
        let h = try await ConnectionHarness.established()
        let seen = Seen()
        h.connection.answerMessages { message in
            seen.add(message)
            return nil
        }
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "quiet"))
        let messages = h.connection.messages()
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "next"))
        #expect(try await Sub.ids(messages, count: 1) == ["next"])
        #expect(seen.all == ["quiet", "next"])
        try await Sub.close(h)
    }

    @Test("Messages that arrived before the answerer are answered when it registers, in order")
    func heldMessagesAnswered() async throws {
        let h = try await ConnectionHarness.established()
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "early1"))
        try await h.serverSends("<presence from='bob@example.com/phone' id='p'/>")
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "early2"))
        h.connection.answerMessages(Self.echo)
        await h.channel.testingEventLoop.run()
        #expect(try await h.nextWrite().contains("id='re-early1'"))
        #expect(try await h.nextWrite().contains("id='re-early2'"))
        // The presence was not a message: still held.
        #expect(try await Sub.ids(h.connection.presences(), count: 1) == ["p"])
        try await Sub.close(h)
    }

    @Test("A message that does not parse is not answered, and is logged")
    func malformedNotAnswered() async throws {
        let h = try await ConnectionHarness.established()
        let seen = Seen()
        h.connection.answerMessages { message in
            seen.add(message)
            return Self.echo(message)
        }
        try await h.serverSends("<message from='bob@exa mple.com' id='bad'><body>x</body></message>")
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "good"))
        #expect(try await h.nextWrite().contains("id='re-good'"))
        #expect(seen.all == ["good"])
        #expect(h.logs.all.contains { $0.message == "XMPP inbound message not answered: it does not parse" })
        try await Sub.close(h)
    }

    @Test("After cancel() the answerer answers nothing; the messages are held for subscriptions instead")
    func cancelStopsAnswering() async throws {
        let h = try await ConnectionHarness.established()
        let registration = h.connection.answerMessages(Self.echo)
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "1"))
        #expect(try await h.nextWrite().contains("id='re-1'"))
        let cancelling = Task { await registration.cancel() }
        await h.channel.testingEventLoop.run()
        await cancelling.value
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "2"))
        #expect(try await Sub.ids(h.connection.messages(), count: 1) == ["2"])
        // Nothing but the close follows.
        try await Sub.close(h)
    }

    @Test("An answerer registered after the session ended never runs")
    func afterTheEnd() async throws {
        let h = try await ConnectionHarness.established()
        try await h.serverSends(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        let seen = Seen()
        h.connection.answerMessages { message in
            seen.add(message)
            return nil
        }
        await h.channel.testingEventLoop.run()
        let handler = h.connection.handler
        let count = try await h.channel.eventLoop.submit { handler.value.answerers.count }.get()
        #expect(count == 0)
        #expect(seen.all.isEmpty)
    }

    /// A session with XEP-0198 enabled, `window` unacknowledged stanzas at
    /// most, and ``echo`` answering every message.
    static func managedEcho(window: Int) async throws -> ConnectionHarness {
        let h = try await ConnectionHarness.established(
            features: H.smFeatures,
            configuration: SessionTest.configuration(
                streamManagement: StreamManagementConfiguration(
                    maximumUnacknowledged: window, ackRequestThreshold: 100, ackAnswerDelay: .zero, requestsResumption: false)),
            streamManagementAnswer: H.enabled)
        h.connection.answerMessages(Self.echo)
        return h
    }

    @Test("While XEP-0198's queue is full, answers wait in order for the server's <a/>; none is dropped")
    func answersWaitForRoom() async throws {
        let h = try await Self.managedEcho(window: 2)
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "1"))
        #expect(try await h.nextWrite().contains("id='re-1'"))
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "2"))
        #expect(try await h.nextWrite().contains("id='re-2'"))
        // The queue holds two unacknowledged stanzas: the next answers wait,
        // and the client asks for an acknowledgement once.
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "3"))
        #expect(try await h.nextWrite() == H.request)
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "4"))
        try await h.serverSends(H.ack(2))
        #expect(try await h.nextWrite().contains("id='re-3'"))
        #expect(try await h.nextWrite().contains("id='re-4'"))
        // The close acknowledges the four messages and asks for the two
        // answers' acknowledgement.
        h.channel.close(promise: nil)
        await h.channel.testingEventLoop.run()
        #expect(try await h.nextWrite() == H.ack(4))
        #expect(try await h.nextWrite() == H.request)
        try await h.serverSends(H.ack(4))
        try await h.serverCloses()
    }

    @Test("Answers still waiting for room when the session ends are reported in the log")
    func waitingAnswersReported() async throws {
        let h = try await Self.managedEcho(window: 1)
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "1"))
        #expect(try await h.nextWrite().contains("id='re-1'"))
        try await h.serverSends(Sub.chat(from: "bob@example.com/phone", id: "2"))
        #expect(try await h.nextWrite() == H.request)
        try await h.serverSends(ScriptedServer.end)
        #expect(h.logs.all.contains { $0.message == "XMPP answers not sent: the session ended while they waited for XEP-0198 room" })
    }
}
