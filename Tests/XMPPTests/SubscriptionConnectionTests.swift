import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// Inbound subscriptions on a whole connection: typed streams with peer
/// filters, early arrivals held for the first subscription, parse failures
/// skipped, and every stream ending with the session.
@Suite(.timeLimit(.minutes(1))) struct SubscriptionConnectionTests {
    static func chat(from: String, id: String, body: String = "hi") -> String {
        "<message type='chat' from='\(from)' to='alice@example.com/r1' id='\(id)'><body>\(body)</body></message>"
    }

    /// The ids of the first `count` stanzas of a stream.
    static func ids<S: AsyncSequence>(_ stream: S, count: Int) async throws -> [String] where S.Element: Stanza {
        var ids: [String] = []
        for try await stanza in stream {
            ids.append(Self.id(of: stanza))
            if ids.count == count { break }
        }
        return ids
    }

    /// Closes the session the way `withConnection` does, with the server
    /// answering the client's `</stream:stream>`.
    static func close(_ h: ConnectionHarness) async throws {
        h.channel.close(promise: nil)
        await h.channel.testingEventLoop.run()
        try await h.serverCloses()
        try await h.channel.closeFuture.get()
    }

    static func id(of stanza: some Stanza) -> String {
        stanza.element[attribute: "id"] ?? "?"
    }

    @Test("messages(from:) with a bare JID takes every resource of that account, a full JID that resource only")
    func peerFilters() async throws {
        let h = try await ConnectionHarness.established()
        let bob = h.connection.messages(from: try JID("bob@example.com"))
        let bobPhone = h.connection.messages(from: try JID("bob@example.com/phone"))
        let all = h.connection.messages()
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "1"))
        try await h.serverSends(Self.chat(from: "carol@example.com/x", id: "2"))
        try await h.serverSends(Self.chat(from: "bob@example.com/desk", id: "3"))
        try await h.serverSends("<presence from='bob@example.com/phone' id='4'/>")
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "5"))
        // Not in normalised form: compared after normalising, not as bytes.
        try await h.serverSends(Self.chat(from: "Bob@EXAMPLE.com/phone", id: "6"))
        try await h.serverSends(Self.chat(from: "bob@example.com/Phone", id: "7"))
        // An invalid (over-long) resource behind the right bare JID matches nobody.
        try await h.serverSends(Self.chat(from: "bob@example.com/" + String(repeating: "r", count: 1100), id: "8"))
        try await h.serverSends(Self.chat(from: "bob@example.com", id: "9"))
        #expect(try await Self.ids(bob, count: 6) == ["1", "3", "5", "6", "7", "9"])
        #expect(try await Self.ids(bobPhone, count: 3) == ["1", "5", "6"])
        #expect(try await Self.ids(all, count: 7) == ["1", "2", "3", "5", "6", "7", "9"])
        try await Self.close(h)
    }

    @Test("A message that arrives before anyone subscribed reaches the first messages() subscription")
    func earlyArrivalIsHeld() async throws {
        let h = try await ConnectionHarness.established()
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "early"))
        try await h.serverSends("<presence from='bob@example.com/phone' id='p'/>")
        let messages = h.connection.messages()
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "later"))
        #expect(try await Self.ids(messages, count: 2) == ["early", "later"])
        let presences = h.connection.presences()
        #expect(try await Self.ids(presences, count: 1) == ["p"])
        try await Self.close(h)
    }

    @Test("A message with a malformed from is skipped by the typed stream (and logged); elements() still sees it")
    func malformedSkipped() async throws {
        let h = try await ConnectionHarness.established()
        let messages = h.connection.messages()
        let elements = h.connection.elements()
        try await h.serverSends("<message from='bob@exa mple.com' id='bad'><body>x</body></message>")
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "good"))
        #expect(try await Self.ids(messages, count: 1) == ["good"])
        var names: [String] = []
        for try await element in elements {
            names.append(element[attribute: "id"] ?? "?")
            if names.count == 2 { break }
        }
        #expect(names == ["bad", "good"])
        #expect(h.logs.all.contains { $0.message == "XMPP inbound stanza skipped: it does not parse" })
        try await Self.close(h)
    }

    @Test("A stream error ends every subscription with the typed error, also one made afterwards")
    func endsWithSession() async throws {
        let h = try await ConnectionHarness.established()
        let messages = h.connection.messages()
        let elements = h.connection.elements { $0.name.localName == "presence" }
        try await h.serverSends(
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")
        await #expect(throws: XMPPClientError.self) { for try await _ in messages {} }
        await #expect(throws: XMPPClientError.self) { for try await _ in elements {} }
        let late = h.connection.presences()
        await h.channel.testingEventLoop.run()
        await #expect(throws: XMPPClientError.self) { for try await _ in late {} }
    }

    @Test("Cancelling the task that iterates ends that subscription only")
    func cancellationEndsOneSubscription() async throws {
        let h = try await ConnectionHarness.established()
        let started = Signal()
        let cancelled = Task {
            var iterator = h.connection.messages().makeAsyncIterator()
            started.fire()
            return try await iterator.next()
        }
        await started.wait()
        let other = h.connection.messages()
        cancelled.cancel()
        #expect(try await cancelled.value == nil)
        await h.channel.testingEventLoop.run()
        try await h.serverSends(Self.chat(from: "bob@example.com/phone", id: "after"))
        #expect(try await Self.ids(other, count: 1) == ["after"])
        let count = try await h.channel.eventLoop.submit { [handler = h.connection.handler] in
            handler.value.router.subscriptionCount
        }.get()
        #expect(count == 1, "the cancelled subscription is gone from the router")
        try await Self.close(h)
    }
}
