import Logging
import Testing
import XMPPCore

@testable import XMPP

/// What a ``PresenceTracker`` makes of inbound presence (RFC 6121 §3–4):
/// contacts' state and updates, subscription events, the origin rules, and
/// the end of both streams with the session.
@Suite(.timeLimit(.minutes(1))) struct PresenceInboundTests {
    @Test("Contacts' presences become updates and state: available, changed, unavailable")
    func contactPresence() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends(
            "<presence from='bob@example.com/phone'><show>away</show><status>Out</status><priority>1</priority></presence>")
        try await h.serverSends("<presence from='bob@example.com/laptop'><show>chat</show><priority>1</priority></presence>")
        try await h.serverSends("<presence from='bob@example.com/phone'><show>dnd</show><priority>9</priority></presence>")
        try await h.serverSends("<presence from='bob@example.com/laptop' type='unavailable'><status>bye</status></presence>")
        let updates = try await h.updates.waitFor(count: 4)
        let phone = try FullJID("bob@example.com/phone")
        guard case .available(let first) = updates[0].change, case .available = updates[1].change,
            case .updated(let changed) = updates[2].change, case .unavailable(let removed) = updates[3].change
        else {
            Issue.record("unexpected changes: \(updates.map(\.change))")
            return
        }
        #expect(first.jid == phone && first.show == .away && first.status == "Out")
        #expect(changed.jid == phone && changed.show == .dnd && changed.priority == 9)
        #expect(updates[2].contact.best?.jid == phone)
        #expect(removed.map(\.jid.resourcepart) == ["laptop"] && updates[3].presence.status == "bye")
        let bob = await h.tracker.contact(try BareJID("bob@example.com"))
        #expect(bob?.resources.map(\.jid) == [phone])
        #expect(await h.tracker.contacts.map(\.jid) == [try BareJID("bob@example.com")])
        #expect(updates.allSatisfy { !$0.isOwnAccount })
        #expect(h.events.items.isEmpty)
        try await h.finish()
    }

    @Test("Our own echoed presence and our other resources are our own account")
    func ownAccount() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='alice@example.com/r1'/>")
        try await h.serverSends("<presence from='alice@example.com/tablet'><priority>-1</priority></presence>")
        let updates = try await h.updates.waitFor(count: 2)
        #expect(updates.allSatisfy { $0.isOwnAccount })
        #expect(await h.tracker.ownAccount?.resources.map(\.jid.resourcepart) == ["r1", "tablet"])
        #expect(await h.tracker.contacts.isEmpty)
        try await h.finish()
    }

    @Test("A presence error is recorded on the contact; its resources go")
    func presenceError() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='carol@example.com/x'/>")
        try await h.serverSends(
            "<presence from='carol@example.com' type='error'><error type='cancel'>"
                + "<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")
        let updates = try await h.updates.waitFor(count: 2)
        #expect(updates[1].change == .failed(StanzaError(.remoteServerNotFound, type: .cancel), removed: updates[0].contact.resources))
        let carol = await h.tracker.contact(try BareJID("carol@example.com"))
        #expect(carol?.error?.condition == .remoteServerNotFound && carol?.isAvailable == false)
        try await h.finish()
    }

    @Test("Presences with a malformed from, without from, or probes are skipped; the next good one counts")
    func hostilePresences() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='bob@@example.com/x'/>")
        try await h.serverSends("<presence from='bob@example.com/x'><priority>300</priority></presence>")
        try await h.serverSends("<presence><show>chat</show></presence>")
        try await h.serverSends("<presence from='bob@example.com' type='probe'/>")
        try await h.serverSends("<presence from='bob@example.com' type='headline'/>")
        try await h.serverSends("<presence from='dave@example.com/ok'/>")
        let updates = try await h.updates.waitFor(count: 1)
        let dave = try JID("dave@example.com/ok")
        #expect(updates.count == 1 && updates[0].jid == dave)
        #expect(await h.tracker.contacts.map(\.jid.description) == ["dave@example.com"])
        #expect(h.harness.logs.all.filter { $0.message == "XMPP presence not recorded" }.count == 2)
        try await h.finish()
    }

    @Test("Subscription stanzas from a bare JID become events; a request keeps its presence")
    func subscriptionEvents() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='bob@example.com' type='subscribe'><status>Hi, Bob here</status></presence>")
        try await h.serverSends("<presence from='carol@example.com' type='subscribed'/>")
        try await h.serverSends("<presence from='dave@example.com' type='unsubscribed'/>")
        try await h.serverSends("<presence from='erin@example.com' type='unsubscribe'/>")
        let events = try await h.events.waitFor(count: 4)
        guard case .requested(let bob, let request) = events[0] else {
            Issue.record("expected a request, got \(events[0])")
            return
        }
        #expect(bob == (try BareJID("bob@example.com")) && request.status == "Hi, Bob here")
        #expect(events[1] == .approved(try BareJID("carol@example.com")))
        #expect(events[2] == .cancelled(try BareJID("dave@example.com")))
        #expect(events[3] == .unsubscribed(try BareJID("erin@example.com")))
        #expect(events.map(\.contact.description) == ["bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com"])
        #expect(h.updates.items.isEmpty)
        try await h.finish()
    }

    @Test("Subscription stanzas from a full JID or without from are ignored and logged at debug")
    func spoofedSubscriptions() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='mallory@example.com/evil' type='subscribe'/>")
        try await h.serverSends("<presence from='bob@example.com/phone' type='subscribed'/>")
        try await h.serverSends("<presence type='unsubscribed'/>")
        try await h.serverSends("<presence from='carol@example.com' type='subscribe'/>")
        let events = try await h.events.waitFor(count: 1)
        #expect(events == [.requested(try BareJID("carol@example.com"), Presence(type: .subscribe, from: try JID("carol@example.com")))])
        let ignored = h.harness.logs.all.filter { $0.message == "XMPP subscription presence ignored: sender is not a bare JID" }
        #expect(ignored.count == 3 && ignored.allSatisfy { $0.level == .debug })
        #expect(ignored.first?.metadata["xmpp.stanza_from"] == "mallory@example.com/evil")
        #expect(h.updates.items.isEmpty)
        try await h.finish()
    }

    @Test("Presences that arrived before the tracker existed are not lost")
    func heldPresences() async throws {
        let h = try await PresenceHarness.start(beforeTracker: [
            "<presence from='bob@example.com' type='subscribe'/>", "<presence from='bob@example.com/phone'/>",
        ])
        #expect(try await h.events.waitFor(count: 1).first?.contact == (try BareJID("bob@example.com")))
        #expect(try await h.updates.waitFor(count: 1).first?.jid == (try JID("bob@example.com/phone")))
        try await h.finish()
    }

    @Test("Both streams finish when the server ends the stream")
    func streamsFinishOnServerClose() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='bob@example.com/phone'/>")
        try await h.updates.waitFor(count: 1)
        try await h.serverSends(ScriptedServer.end)
        try await h.updates.waitUntilFinished()
        try await h.events.waitUntilFinished()
        #expect(h.updates.items.count == 1)
        await h.release()
    }
}
