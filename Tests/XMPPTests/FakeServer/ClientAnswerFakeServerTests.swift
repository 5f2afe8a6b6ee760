import Testing
import XMPPCore
import XMPPTestSupport

@testable import XMPP

/// `XMPPClient.answerMessages(from:_:)` over real sockets against the
/// scripted fake server: the answerer outlives each connection, answers
/// from a session's first stanza on, leaves the client's subscriptions
/// every message, stops on `cancel()`, and answers a session could not
/// send are reported, not lost.
@Suite("XMPPClient answerers against the fake server", .timeLimit(.minutes(1)))
struct ClientAnswerFakeServerTests {
    typealias T = FakeServerTest
    typealias F = SMFake

    /// A chat to alice from bob's phone, id and body `id`.
    static func chat(_ id: String) -> String {
        "<message type='chat' from='bob@xmpp.test/phone' to='alice@xmpp.test/r1' id='\(id)'><body>\(id)</body></message>"
    }

    /// Reads the client's next element and checks it is the echo of `id`.
    static func expectEcho(of id: String, on connection: FakeXMPPServer.Connection) async throws {
        let answer = try await connection.read()
        #expect(answer.name.localName == "message")
        #expect(answer[attribute: "id"] == "re-\(id)")
        #expect(answer[attribute: "to"] == "bob@xmpp.test/phone")
        #expect(answer.firstChild(named: "body", namespace: XMLNamespace.client)?.text == "echo: \(id)")
    }

    /// The ids of every stanza reported as not delivered among `events`.
    static func notDeliveredIDs(_ events: [XMPPClient.Event]) -> [String] {
        events.flatMap { event -> [String] in
            guard case .notDelivered(let elements, _) = event else { return [] }
            return elements.map { $0[attribute: "id"] ?? "?" }
        }
    }

    @Test("One registration answers on every session, from the first stanza; the client's subscription still gets every message")
    func answersEverySession() async throws {
        try await T.withClient { server, harness in
            harness.client.answerMessages(MessageAnswerTests.echo)
            let first = try await server.nextConnection()
            try await F.scripted(first) {
                try await first.establishSession(resource: "r1")
                // At once: the client's own subscription to the connection
                // may not be in place yet.
                try await first.send(Self.chat("m1"))
                try await Self.expectEcho(of: "m1", on: first)
                try await harness.waitForSession()
                try await first.reset()
            }
            try await harness.waitForDisconnection()
            let second = try await server.nextConnection()
            try await F.scripted(second) {
                try await second.establishSession(resource: "r1")
                try await harness.waitForSession(number: 2)
                try await second.send(Self.chat("m2"))
                try await Self.expectEcho(of: "m2", on: second)
                let messages = try await harness.messages.wait(for: "both messages") { $0.count == 2 }
                #expect(messages.map(\.id) == ["m1", "m2"])
                let written = try await harness.stop(closing: second)
                #expect(F.stanzaIDs(written).isEmpty, "nothing more was answered")
            }
        }
    }

    @Test("cancel(): messages read after it returns are not answered, and still reach the subscription")
    func cancelStopsAnswers() async throws {
        try await T.withClient { server, harness in
            let registration = harness.client.answerMessages(from: try JID("bob@xmpp.test"), MessageAnswerTests.echo)
            let connection = try await server.nextConnection()
            try await F.scripted(connection) {
                try await connection.establishSession(resource: "r1")
                try await harness.waitForSession()
                try await connection.send(Self.chat("m1"))
                try await Self.expectEcho(of: "m1", on: connection)
                await registration.cancel()
                try await connection.send(Self.chat("m2"))
                // m2 has gone through the read that would have answered it.
                try await harness.messages.wait(for: "m2") { $0.map(\.id) == ["m1", "m2"] }
                try await harness.client.send(try F.message("probe"))
                let next = try await connection.read()
                #expect(next[attribute: "id"] == "probe", "m2 was not answered")
                try await harness.stop(closing: connection)
            }
        }
    }

    @Test("Answers waiting for XEP-0198 room when the session ends are reported as not delivered, with the unacknowledged one")
    func waitingAnswersReported() async throws {
        try await T.withClient(configure: { $0.connection.streamManagement.maximumUnacknowledged = 1 }) { server, harness in
            harness.client.answerMessages(MessageAnswerTests.echo)
            let first = try await server.nextConnection()
            try await F.scripted(first) {
                // Not resumable: the session's end is final.
                try await first.establishSession(resource: "r1", streamManagementAnswer: "<enabled xmlns='urn:xmpp:sm:3'/>")
                try await harness.waitForSession()
                try await first.send(Self.chat("m1") + Self.chat("m2"))
                // The first answer fills the ledger; the second waits, and
                // the client asks for an acknowledgement that never comes.
                #expect(F.describe(try await F.read(2, from: first)) == ["message re-m1", "r"])
                try await first.reset()
            }
            try await harness.waitForDisconnection()
            let events = try await harness.events.wait(for: "both answers reported") { Self.notDeliveredIDs($0).count >= 2 }
            #expect(Self.notDeliveredIDs(events).sorted() == ["re-m1", "re-m2"], "each once")
            let second = try await server.nextConnection()
            try await F.scripted(second) {
                try await second.establishSession(resource: "r1")
                try await harness.waitForSession(number: 2)
                let written = try await harness.stop(closing: second)
                #expect(F.stanzaIDs(written).isEmpty, "a reported answer is not sent again")
            }
        }
    }
}
