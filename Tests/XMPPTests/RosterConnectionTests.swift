import Testing
import XMPPCore

@testable import XMPP

/// The roster on a whole connection (RFC 6121 §2): versioned fetches,
/// roster sets, and the origin and shape rules for roster pushes.
@Suite(.timeLimit(.minutes(1))) struct RosterConnectionTests {
    static let bob = "<item jid='bob@example.com' subscription='both'/>"
    static let carol = "<item jid='carol@example.com' name='Carol'><group>Friends</group></item>"

    @Test("Nothing cached: ver='' is sent; the full result (invalid items skipped) is kept and cached with its ver")
    func firstFetch() async throws {
        let cache = InMemoryRosterCache()
        let h = try await RosterHarness.start(cache: cache)
        let fetch = Task { try await h.roster.fetch() }
        let get = try await h.nextIQ()
        #expect(get.type == .get && get.to == nil)
        #expect(get.payload?.name == XMLQualifiedName("query", namespace: "jabber:iq:roster"))
        #expect(get.payload?[attribute: "ver"] == "")
        try await h.harness.serverSends(
            "<iq type='result' id='\(get.id)'><query xmlns='jabber:iq:roster' ver='3'>\(Self.bob)"
                + "<item jid='bad@exa mple.com'/><item jid='x@example.com' subscription='odd'/>\(Self.carol)</query></iq>")
        let items = try await fetch.value
        #expect(items.map(\.jid.description) == ["bob@example.com", "carol@example.com"])
        #expect(await h.roster.items == items)
        #expect(cache.load()?.version == "3" && cache.load()?.items == items)
        #expect(h.harness.logs.all.contains { $0.message == "XMPP roster item skipped" })
        try await h.finish()
    }

    @Test("The cached ver is sent; an empty result keeps the cached roster")
    func emptyResultKeepsCache() async throws {
        let cache = InMemoryRosterCache()
        let cached = [try RosterItem.make("bob@example.com", .both)]
        cache.store(version: "7", items: cached)
        let h = try await RosterHarness.start(cache: cache)
        #expect(await h.roster.items == cached)
        let fetch = Task { try await h.roster.fetch() }
        let get = try await h.nextIQ()
        #expect(get.payload?[attribute: "ver"] == "7")
        try await h.harness.serverSends("<iq type='result' id='\(get.id)'/>")
        #expect(try await fetch.value == cached)
        #expect(cache.load()?.version == "7" && cache.load()?.items == cached)
        #expect(h.harness.logs.all.contains { $0.message == "XMPP roster is current; cached items kept" })
        try await h.finish()
    }

    @Test("A full result replaces the cached roster and its ver")
    func fullResultReplaces() async throws {
        let cache = InMemoryRosterCache()
        cache.store(version: "7", items: [try RosterItem.make("bob@example.com", .both)])
        let h = try await RosterHarness.start(cache: cache)
        let fetch = Task { try await h.roster.fetch() }
        let get = try await h.nextIQ()
        try await h.harness.serverSends(
            "<iq type='result' id='\(get.id)'><query xmlns='jabber:iq:roster' ver='8'>\(Self.carol)</query></iq>")
        let items = try await fetch.value
        #expect(items.map(\.jid.description) == ["carol@example.com"])
        #expect(cache.load()?.version == "8" && cache.load()?.items == items)
        try await h.finish()
    }

    @Test("Without rosterver in the stream features no ver is sent")
    func noVersioning() async throws {
        let cache = InMemoryRosterCache()
        cache.store(version: "7", items: [])
        let h = try await RosterHarness.start(versioning: false, cache: cache)
        #expect(!h.roster.serverSupportsVersioning)
        let fetch = Task { try await h.roster.fetch() }
        let get = try await h.nextIQ()
        #expect(get.payload?[attribute: "ver"] == nil)
        try await h.harness.serverSends(
            "<iq type='result' id='\(get.id)'><query xmlns='jabber:iq:roster'>\(Self.bob)</query></iq>")
        #expect(try await fetch.value.count == 1)
        try await h.finish()
    }

    @Test("setItem and remove send one item; the subscription only for remove")
    func sets() async throws {
        let h = try await RosterHarness.start()
        var carol = RosterItem(jid: try BareJID("carol@example.com"), name: "Carol", subscription: .both, groups: ["Friends"])
        carol.isSubscriptionPending = true
        let set = Task { try await h.roster.setItem(carol) }
        let iq = try await h.nextIQ()
        #expect(iq.type == .set)
        let items = iq.payload?.elements ?? []
        #expect(items.count == 1)
        #expect(items.first?[attribute: "jid"] == "carol@example.com" && items.first?[attribute: "name"] == "Carol")
        #expect(items.first?[attribute: "subscription"] == nil && items.first?[attribute: "ask"] == nil)
        try await h.harness.serverSends("<iq type='result' id='\(iq.id)'/>")
        try await set.value

        let remove = Task { try await h.roster.remove(try BareJID("carol@example.com")) }
        let removal = try await h.nextIQ()
        #expect(removal.payload?.elements.first?[attribute: "subscription"] == "remove")
        try await h.harness.serverSends(
            "<iq type='error' id='\(removal.id)'><error type='cancel'>"
                + "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        let error = await #expect(throws: XMPPClientError.self) { try await remove.value }
        #expect(error?.stanzaError?.condition == .itemNotFound)
        try await h.finish()
    }

    @Test(
        "A push without from or from our bare JID is applied, cached with its ver, emitted and answered",
        arguments: [nil, "alice@example.com", "Alice@EXAMPLE.com"] as [String?])
    func pushAccepted(from: String?) async throws {
        let cache = InMemoryRosterCache()
        let h = try await RosterHarness.start(cache: cache)
        var changes = h.roster.changes.makeAsyncIterator()
        let answer = try await h.push(Self.carol, from: from)
        #expect(answer.type == .result && answer.id == "push1" && answer.payload == nil)
        let carol = RosterItem(jid: try BareJID("carol@example.com"), name: "Carol", groups: ["Friends"])
        #expect(await changes.next() == .updated(carol))
        #expect(await h.roster.items == [carol])
        #expect(cache.load()?.version == "9" && cache.load()?.items == [carol])

        let removed = try await h.push("<item jid='carol@example.com' subscription='remove'/>", id: "push2", ver: "10")
        #expect(removed.type == .result && removed.id == "push2")
        #expect(await changes.next() == .removed(try RosterItem.make("carol@example.com", .remove)))
        #expect(await h.roster.items.isEmpty)
        #expect(cache.load()?.version == "10" && cache.load()?.items == [])
        try await h.finish()
        #expect(await changes.next() == nil)   // finishes with the session
    }

    @Test(
        "A push from anyone but our account is answered service-unavailable and not applied",
        arguments: ["bob@example.com", "example.com", "alice@example.com/r1", "alice@example.com/other", "alice@evil.example"])
    func pushFromElsewhere(from: String) async throws {
        try await expectRejected(Self.carol, from: from, condition: .serviceUnavailable)
    }

    @Test(
        "A push with other than one valid item is answered bad-request and not applied",
        arguments: [
            bob + carol, "", "<item jid='bob@example.com/phone'/>", "<item jid='bob@example.com' ask='maybe'/>",
            bob + "<extra xmlns='urn:other'/>",
        ])
    func pushMalformed(items: String) async throws {
        try await expectRejected(items, from: nil, condition: .badRequest)
    }

    private func expectRejected(_ items: String, from: String?, condition: StanzaError.Condition) async throws {
        let cache = InMemoryRosterCache()
        let h = try await RosterHarness.start(cache: cache)
        var changes = h.roster.changes.makeAsyncIterator()
        let answer = try await h.push(items, from: from, id: "evil")
        #expect(answer.type == .error && answer.id == "evil")
        #expect(answer.error?.condition == condition)
        #expect(await h.roster.items.isEmpty)
        #expect(cache.load() == nil)
        // The next change is the next valid push: nothing was emitted before.
        _ = try await h.push(Self.bob, id: "good")
        #expect(await changes.next()?.item.jid == (try BareJID("bob@example.com")))
        try await h.finish()
    }

    @Test("A second roster on one connection is refused")
    func secondRoster() async throws {
        let h = try await RosterHarness.start()
        let connection = h.harness.connection
        let error = await #expect(throws: XMPPClientError.self) { try await connection.roster() }
        #expect(error?.code == .handlerAlreadyRegistered)
        try await h.finish()
    }
}
