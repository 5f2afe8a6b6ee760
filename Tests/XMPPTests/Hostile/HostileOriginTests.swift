import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPP

/// security.md §6 group F: stanza spoofing and origin checks after bind,
/// through the channel handler and the roster / presence harnesses.
@Suite struct HostileOriginTests {
    typealias S = ScriptedServer
    typealias H = Hostile
    static let carol = "<item jid='carol@example.com' name='Carol'><group>Friends</group></item>"

    /// Starts an IQ get to `to` and records how it completes.
    static func request(_ harness: SessionHandlerHarness, to: JID?) throws -> (id: String, outcome: Locked<Result<IQ, any Error>?>) {
        let (id, future) = try harness.handler.startRequest(.get, payload: XMLElement("ping", namespace: "urn:xmpp:ping"), to: to, timeout: nil)
        let outcome = Locked<Result<IQ, any Error>?>(nil)
        future.whenComplete { outcome.value = $0 }
        return (id, outcome)
    }

    @Test("H71: a roster push from mallory@evil is answered service-unavailable and not applied; a push without from is")
    func H71_spoofedRosterPush() async throws {
        let h = try await RosterHarness.start()
        var changes = h.roster.changes.makeAsyncIterator()
        let answer = try await h.push(Self.carol, from: "mallory@evil.example", id: "evil")
        #expect(answer.type == .error && answer.error?.condition == .serviceUnavailable)
        #expect(await h.roster.items.isEmpty)
        let good = try await h.push(Self.carol, from: nil, id: "good")
        #expect(good.type == .result)
        #expect(await changes.next()?.item.jid == (try BareJID("carol@example.com")))
        try await h.finish()
    }

    @Test("H74: an IQ result with the right id from another JID is ignored; the request stays pending until the real reply")
    func H74_resultFromOtherJID() throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Self.request(harness, to: try JID("bob@example.com/phone"))
        try harness.serverSends("<iq type='result' id='\(request.id)' from='mallory@evil.example/phone'/>")
        #expect(request.outcome.value == nil)
        try harness.serverSends("<iq type='result' id='\(request.id)' from='bob@example.com/phone'/>")
        guard case .success(let iq)? = request.outcome.value else {
            Issue.record("the real reply did not complete the request")
            return
        }
        #expect(iq.from == (try JID("bob@example.com/phone")))
    }

    @Test(
        "H75: a result to a request without to is accepted only from no from, our bare JID or our domain",
        arguments: [
            ("mallory@evil.example", false), ("evil.example", false), ("alice@example.com/other", false),
            (nil, true), ("alice@example.com", true), ("example.com", true),
        ] as [(String?, Bool)])
    func H75_resultToRequestWithoutTo(from: String?, accepted: Bool) throws {
        let harness = try SessionHandlerHarness.established()
        let request = try Self.request(harness, to: nil)
        try harness.serverSends("<iq type='result' id='\(request.id)'\(from.map { " from='\($0)'" } ?? "")/>")
        #expect((request.outcome.value != nil) == accepted)
    }

    @Test(
        "H80: a stanza whose from is not a valid JID: the stream stays open, the next one is delivered, the typed layer refuses it",
        arguments: [
            String(repeating: "l", count: 2000) + "@example.com", "a@example.com/", "a b@example.com", "@example.com", "a@",
        ])
    func H80_invalidFrom(from: String) async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            "<message from='\(from)' type='chat' id='bad'><body>x</body></message>" + H.chat("ok-1") + S.end)
        #expect(try harness.clientWrote() == "</stream:stream>", "no stream error: the stream is kept")
        let inbound = await harness.drainInbound()
        #expect((inbound.error as? XMPPClientError)?.code == .streamClosedByPeer)
        // The raw elements() subscription sees every element (by design, see
        // Docs/HostileInputs.md); the typed stanza layer drops the bad one.
        #expect(inbound.elements.last?[attribute: "id"] == "ok-1")
        let typed = inbound.elements.compactMap { try? Message(element: $0) }
        #expect(typed.map(\.id) == ["ok-1"])
    }

    @Test("H80: an IQ get with an invalid from is answered with an error (or dropped), never delivered as a request")
    func H80_invalidFromIQ() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends("<iq type='get' id='bad' from='a@example.com/'><query xmlns='jabber:iq:version'/></iq>")
        let written = try harness.clientWrote()
        #expect(written.isEmpty || written.contains("type='error'"))
        #expect(harness.channel.isActive)
        try harness.serverSends(S.end)
        #expect(await harness.drainInbound().elements.isEmpty)
    }

    @Test("H81: an NFD spelling of our localpart answers a request sent without to; an unnormalised other name does not")
    func H81_normalisedSelf() throws {
        let harness = try SessionHandlerHarness(
            transport: .tls(SessionTest.encrypted))
        try harness.serverSends(S.header + S.plainFeatures)
        try harness.serverSends(S.success)
        try harness.serverSends(S.header + S.bindFeatures)
        try harness.serverSends(S.bindResult)
        _ = try harness.clientWrote()
        let other = try Self.request(harness, to: nil)
        try harness.serverSends("<iq type='result' id='\(other.id)' from='alic\u{0065}\u{0301}@example.com'/>")
        #expect(other.outcome.value == nil, "alicé is not alice")
        try harness.serverSends("<iq type='result' id='\(other.id)' from='ALICE@example.com'/>")
        #expect(other.outcome.value != nil, "case-folded spelling of our bare JID")
    }

    @Test("H82: a self-addressed message from our own full JID is delivered as a normal message")
    func H82_selfAddressed() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            "<message from='alice@example.com/r1' to='alice@example.com/r1' type='chat' id='self'><body>note</body></message>" + S.end)
        let inbound = await harness.drainInbound()
        #expect(inbound.elements.map { $0[attribute: "id"] } == ["self"])
        let message = try Message(element: try #require(inbound.elements.first))
        #expect(message.type == .chat && message.body == "note")
    }

    @Test("H83: type='subscribed' from the server domain or a full JID never approves a contact's subscription")
    func H83_forgedApproval() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='carol@example.com/phone' type='subscribed'/>")
        try await h.serverSends("<presence from='example.com' type='subscribed'/>")
        try await h.serverSends("<presence from='dave@example.com' type='subscribe'/>")
        let events = try await h.events.waitFor(count: 1)
        #expect(events.allSatisfy { $0.contact.description != "carol@example.com" }, "\(events)")
        try await h.finish()
    }
}

extension HostileOriginTests {
    @Test("H84: an ad-hoc command request from a stranger with no handler registered: service-unavailable, nothing delivered")
    func H84_adHocFromStranger() async throws {
        let harness = try SessionHandlerHarness.established()
        try harness.serverSends(
            "<iq type='set' id='cmd1' from='stranger@evil.example/x' to='alice@example.com/r1'>"
                + "<command xmlns='http://jabber.org/protocol/commands' node='shutdown' action='execute'/></iq>")
        let written = try harness.clientWrote()
        #expect(written.contains("id='cmd1'") && written.contains("type='error'"))
        #expect(written.contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"))
        #expect(written.contains("to='stranger@evil.example/x'"))
        try harness.serverSends(S.end)
        #expect(await harness.drainInbound().elements.isEmpty)
    }
}
