import Testing
import XMPPCore

@testable import XMPP

/// The pure presence state (RFC 6121 §4): resources per account, the best
/// resource, unavailable and error presences, our own resources, bounds,
/// and what changes nothing.
@Suite struct PresenceLedgerTests {
    static let me = "alice@example.com/r1"

    func ledger(maximumContacts: Int = 10_000, maximumResources: Int = 64) throws -> PresenceLedger {
        PresenceLedger(
            account: try FullJID(Self.me), maximumContacts: maximumContacts, maximumResourcesPerContact: maximumResources)
    }

    func available(_ from: String, show: Presence.Show? = nil, priority: Int8? = nil, status: String? = nil) throws -> Presence {
        Presence(from: try JID(from), show: show, statuses: status.map { [LanguageTaggedText($0)] } ?? [], priority: priority)
    }

    func resourceNames(_ ledger: PresenceLedger, _ bare: String) throws -> [String] {
        ledger.contact(try BareJID(bare))?.resources.map(\.jid.resourcepart) ?? []
    }

    @Test("A new resource is available, the next presence from it an update; both replace what it sent")
    func availableThenUpdated() throws {
        var ledger = try ledger()
        let first = try available("bob@example.com/phone", show: .away, status: "out")
        let update = try ledger.applying(first)
        let phone = ResourcePresence(jid: try FullJID("bob@example.com/phone"), presence: first)
        #expect(update.change == .available(phone))
        #expect(update.jid == (try JID("bob@example.com/phone")) && update.presence == first && !update.isOwnAccount)
        #expect(update.contact.resources == [phone])

        let second = try available("bob@example.com/phone", show: .dnd, priority: 3, status: "busy")
        let again = try ledger.applying(second)
        guard case .updated(let resource) = again.change else {
            Issue.record("expected an update, got \(again.change)")
            return
        }
        #expect(resource.show == .dnd && resource.status == "busy" && resource.priority == 3)
        #expect(ledger.contact(try BareJID("bob@example.com"))?.resources.count == 1)
        #expect(ledger.contacts.map(\.jid.description) == ["bob@example.com"])
    }

    @Test("Resources are ordered by priority, then by show (chat, online, away, xa, dnd), newest first among equals")
    func ordering() throws {
        var ledger = try ledger()
        _ = ledger.apply(try available("bob@example.com/dnd", show: .dnd, priority: 1))
        _ = ledger.apply(try available("bob@example.com/xa", show: .xa, priority: 1))
        _ = ledger.apply(try available("bob@example.com/online", priority: 1))
        _ = ledger.apply(try available("bob@example.com/chat", show: .chat, priority: 1))
        _ = ledger.apply(try available("bob@example.com/away", show: .away, priority: 1))
        _ = ledger.apply(try available("bob@example.com/high", show: .xa, priority: 10))
        _ = ledger.apply(try available("bob@example.com/negative", show: .chat, priority: -5))
        #expect(try resourceNames(ledger, "bob@example.com") == ["high", "chat", "online", "away", "xa", "dnd", "negative"])
        #expect(ledger.contact(try BareJID("bob@example.com"))?.best?.jid.resourcepart == "high")

        // A tie goes to the most recent; an update moves a resource to its new place.
        _ = ledger.apply(try available("bob@example.com/away2", show: .away, priority: 1))
        #expect(try resourceNames(ledger, "bob@example.com")[3...4] == ["away2", "away"])
        _ = ledger.apply(try available("bob@example.com/high", show: .xa, priority: 0))
        #expect(ledger.contact(try BareJID("bob@example.com"))?.best?.jid.resourcepart == "chat")
        #expect(try resourceNames(ledger, "bob@example.com").last(where: { $0 != "negative" }) == "high")
    }

    @Test("Unavailable from a full JID removes that resource; from the bare JID, all of them")
    func unavailable() throws {
        var ledger = try ledger()
        let phone = try available("bob@example.com/phone")
        _ = ledger.apply(phone)
        _ = ledger.apply(try available("bob@example.com/laptop", priority: 5))
        let gone = try ledger.applying(Presence(type: .unavailable, from: try JID("bob@example.com/phone")))
        #expect(gone.change == .unavailable([ResourcePresence(jid: try FullJID("bob@example.com/phone"), presence: phone)]))
        #expect(try resourceNames(ledger, "bob@example.com") == ["laptop"])
        #expect(gone.contact.isAvailable)

        _ = ledger.apply(phone)
        let all = try ledger.applying(Presence(type: .unavailable, from: try JID("bob@example.com")))
        guard case .unavailable(let removed) = all.change else {
            Issue.record("expected unavailable, got \(all.change)")
            return
        }
        #expect(removed.map(\.jid.resourcepart) == ["laptop", "phone"])
        #expect(!all.contact.isAvailable && all.contact.best == nil)
        #expect(ledger.contact(try BareJID("bob@example.com")) == nil)
        #expect(ledger.contacts.isEmpty)
    }

    @Test("Unavailable from an unknown resource says so with nothing removed and records nothing")
    func unavailableUnknown() throws {
        var ledger = try ledger()
        let update = try ledger.applying(Presence(type: .unavailable, from: try JID("carol@example.com/x")))
        #expect(update.change == .unavailable([]))
        #expect(ledger.contact(try BareJID("carol@example.com")) == nil)
    }

    @Test("An error is recorded on the account and removes the sender's resources; available or unavailable clears it")
    func errors() throws {
        var ledger = try ledger()
        _ = ledger.apply(try available("bob@example.com/phone"))
        _ = ledger.apply(try available("bob@example.com/laptop"))
        let bounce = Presence(
            type: .error, from: try JID("bob@example.com/phone"), error: StanzaError(.recipientUnavailable))
        let failed = try ledger.applying(bounce)
        guard case .failed(let error, let removed) = failed.change else {
            Issue.record("expected failed, got \(failed.change)")
            return
        }
        #expect(error.condition == .recipientUnavailable && removed.map(\.jid.resourcepart) == ["phone"])
        #expect(ledger.contact(try BareJID("bob@example.com"))?.error?.condition == .recipientUnavailable)
        #expect(try resourceNames(ledger, "bob@example.com") == ["laptop"])

        _ = ledger.apply(try available("bob@example.com/phone"))
        #expect(ledger.contact(try BareJID("bob@example.com"))?.error == nil)

        // From the bare JID: everything goes, the error stays on a contact with no resources.
        let remote = Presence(type: .error, from: try JID("bob@example.com"), error: StanzaError(.remoteServerNotFound))
        let all = try ledger.applying(remote)
        #expect(all.contact.resources.isEmpty && all.contact.error?.condition == .remoteServerNotFound)
        #expect(ledger.contacts.map(\.jid.description) == ["bob@example.com"])
        _ = ledger.apply(Presence(type: .unavailable, from: try JID("bob@example.com/phone")))
        #expect(ledger.contact(try BareJID("bob@example.com")) == nil)
    }

    @Test("Our other resources and the echo of our own presence are our own account, not a contact")
    func ownResources() throws {
        var ledger = try ledger()
        let echo = try ledger.applying(try available(Self.me, show: .chat))
        #expect(echo.isOwnAccount && echo.change == .available(echo.contact.resources[0]))
        let other = try ledger.applying(try available("alice@example.com/tablet", priority: 2))
        #expect(other.isOwnAccount)
        #expect(ledger.ownAccount?.resources.map(\.jid.resourcepart) == ["tablet", "r1"])
        #expect(ledger.contacts.isEmpty)
        #expect(ledger.contact(try BareJID("alice@example.com")) == ledger.ownAccount)
    }

    @Test(
        "Probes, subscription stanzas, presences without from and available presences from a bare JID change nothing",
        arguments: [
            Presence(type: .probe, from: try! JID("bob@example.com")),
            Presence(type: .subscribe, from: try! JID("bob@example.com")),
            Presence(type: .subscribed, from: try! JID("bob@example.com/phone")),
            Presence(type: .unsubscribe, from: try! JID("bob@example.com")),
            Presence(type: .unsubscribed, from: try! JID("bob@example.com")),
            Presence(show: .chat),
            Presence(type: .unavailable),
            Presence(from: try! JID("bob@example.com")),
            Presence(from: try! JID("example.com")),
        ])
    func ignored(presence: Presence) throws {
        var ledger = try ledger()
        _ = ledger.apply(try available("bob@example.com/phone"))
        let before = ledger
        #expect(ledger.apply(presence) == nil)
        #expect(ledger == before)
    }

    @Test("Beyond the bounds new accounts and resources are not recorded; known ones still update")
    func bounds() throws {
        var ledger = try ledger(maximumContacts: 2, maximumResources: 2)
        #expect(ledger.apply(try available("a@example.com/1")) != nil)
        #expect(ledger.apply(try available("a@example.com/2")) != nil)
        #expect(ledger.apply(try available("a@example.com/3")) == nil)
        #expect(ledger.apply(try available("b@example.com/1")) != nil)
        #expect(ledger.apply(try available("c@example.com/1")) == nil)
        #expect(ledger.apply(Presence(type: .error, from: try JID("d@example.com"), error: StanzaError(.gone))) == nil)
        // Our own account is not counted.
        #expect(ledger.apply(try available(Self.me)) != nil)
        #expect(ledger.apply(try available("a@example.com/1", show: .away))?.change.isUpdate == true)
        #expect(ledger.contacts.map(\.jid.description) == ["a@example.com", "b@example.com"])
        // Room again once one goes.
        _ = ledger.apply(Presence(type: .unavailable, from: try JID("b@example.com")))
        #expect(ledger.apply(try available("c@example.com/1")) != nil)
    }

    @Test("Forgetting one account reports its resources unavailable; others stay; an unknown one gives nothing")
    func forget() throws {
        var ledger = try ledger()
        let phone = try available("bob@example.com/phone")
        _ = ledger.apply(phone)
        _ = ledger.apply(try available("carol@example.com/x"))
        let bob = try BareJID("bob@example.com")
        let forgotten = ledger.forget(bob)
        #expect(forgotten?.jid == JID(bob) && forgotten?.presence == Presence(type: .unavailable, from: JID(bob)))
        #expect(forgotten?.change == .unavailable([ResourcePresence(jid: try FullJID("bob@example.com/phone"), presence: phone)]))
        #expect(forgotten?.contact == ContactPresence(jid: bob))
        #expect(ledger.contact(bob) == nil && ledger.contacts.map(\.jid.description) == ["carol@example.com"])
        #expect(ledger.forget(bob) == nil)
    }

    @Test("Forgetting everything reports each account that had resources as unavailable")
    func removeAll() throws {
        var ledger = try ledger()
        _ = ledger.apply(try available("bob@example.com/phone"))
        _ = ledger.apply(try available(Self.me))
        _ = ledger.apply(Presence(type: .error, from: try JID("carol@example.com"), error: StanzaError(.gone)))
        let updates = ledger.removeAll()
        #expect(updates.map(\.jid.description) == ["alice@example.com", "bob@example.com"])
        #expect(updates.map(\.isOwnAccount) == [true, false])
        #expect(updates.allSatisfy { $0.presence.type == .unavailable && !$0.contact.isAvailable })
        #expect(ledger.contacts.isEmpty && ledger.ownAccount == nil)
    }
}

extension PresenceLedger {
    /// Applies a presence that must change something.
    mutating func applying(_ presence: Presence) throws -> PresenceUpdate {
        let update = apply(presence)
        return try #require(update)
    }
}

extension PresenceUpdate.Change {
    /// Whether this is ``updated(_:)``.
    var isUpdate: Bool {
        if case .updated = self { return true }
        return false
    }
}
