import Testing
import XMPPCore

@testable import XMPP

/// What a ``PresenceTracker`` writes for each operation (RFC 6121 §3–4), on
/// a whole connection with a scripted server.
@Suite(.timeLimit(.minutes(1))) struct PresenceOutboundTests {
    static let caps = XMLElement(
        name: XMLQualifiedName("c", namespace: "http://jabber.org/protocol/caps"),
        attributes: [XMLAttribute("node", value: "https://example.com/app"), XMLAttribute("ver", value: "abc")])

    @Test("becomeAvailable writes show, status and language, priority and the standing extensions, and is remembered")
    func becomeAvailable() async throws {
        let h = try await PresenceHarness.start()
        await h.harness.connection.setAvailablePresenceExtension(Self.caps, forKey: "caps")
        #expect(await h.tracker.availability == nil)
        let lunch = Availability(show: .away, status: "Lunch", priority: 5, language: "en")
        let written = try await h.written { try await $0.becomeAvailable(lunch) }
        #expect(written.type == .available && written.to == nil && written.language == "en")
        #expect(written.show == .away && written.status == "Lunch" && written.priority == 5)
        #expect(written.extensions == [Self.caps])
        #expect(await h.tracker.availability == lunch)

        let plain = try await h.written { try await $0.becomeAvailable() }
        #expect(plain.show == nil && plain.statuses.isEmpty && plain.priority == nil && plain.language == nil)
        #expect(plain.extensions == [Self.caps])
        #expect(await h.tracker.availability == Availability())

        let several = Availability(
            show: .xa, statuses: [LanguageTaggedText("Weg"), LanguageTaggedText("Away", language: "en")], priority: -1,
            language: "de")
        let multilingual = try await h.written { try await $0.becomeAvailable(several) }
        #expect(multilingual.statuses == several.statuses && multilingual.priority == -1)
        #expect(several.status == "Weg")
        try await h.finish()
    }

    @Test("becomeUnavailable writes an unavailable broadcast and forgets directed presences and everyone's presence")
    func becomeUnavailable() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='bob@example.com/phone'/>")
        try await h.updates.waitFor(count: 1)
        let carol = try JID("carol@example.com")
        _ = try await h.written { try await $0.sendDirectedPresence(to: carol) }
        _ = try await h.written { try await $0.becomeAvailable() }

        let written = try await h.written { try await $0.becomeUnavailable(status: "Gone home") }
        #expect(written.type == .unavailable && written.to == nil && written.status == "Gone home")
        #expect(written.extensions.isEmpty)
        #expect(await h.tracker.availability == nil)
        #expect(await h.tracker.directedPresenceRecipients.isEmpty)
        #expect(await h.tracker.contacts.isEmpty)
        let updates = try await h.updates.waitFor(count: 2)
        #expect(updates[1].jid == (try JID("bob@example.com")) && updates[1].presence.type == .unavailable)
        #expect(updates[1].change == .unavailable(updates[0].contact.resources))
        try await h.finish()
    }

    @Test("Directed presence goes to its recipient with the standing extensions and is remembered until ended")
    func directedPresence() async throws {
        let h = try await PresenceHarness.start()
        await h.harness.connection.setAvailablePresenceExtension(Self.caps, forKey: "caps")
        let room = try JID("room@conference.example.com/alice")
        let bob = try JID("bob@example.com")

        let toRoom = try await h.written { try await $0.sendDirectedPresence(Availability(show: .chat), to: room) }
        #expect(toRoom.type == .available && toRoom.to == room && toRoom.show == .chat && toRoom.extensions == [Self.caps])
        _ = try await h.written { try await $0.sendDirectedPresence(to: bob) }
        let again = try await h.written { try await $0.sendDirectedPresence(Availability(show: .dnd), to: room) }
        #expect(again.show == .dnd)
        #expect(await h.tracker.directedPresenceRecipients == [room, bob])

        let ended = try await h.written { try await $0.endDirectedPresence(to: room, status: "Later") }
        #expect(ended.type == .unavailable && ended.to == room && ended.status == "Later")
        #expect(await h.tracker.directedPresenceRecipients == [bob])

        let all = try await h.written { try await $0.endAllDirectedPresences() }
        #expect(all.type == .unavailable && all.to == bob)
        #expect(await h.tracker.directedPresenceRecipients.isEmpty)
        try await h.finish()
    }

    /// A subscription operation and the presence type it writes.
    struct SubscriptionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var type: Presence.StanzaType
        var operation: @Sendable (PresenceTracker, BareJID) async throws -> Void
        var testDescription: String { name }
    }

    static let subscriptionCases: [SubscriptionCase] = [
        SubscriptionCase(name: "requestSubscription", type: .subscribe) { try await $0.requestSubscription(to: $1) },
        SubscriptionCase(name: "approveSubscription", type: .subscribed) { try await $0.approveSubscription(from: $1) },
        SubscriptionCase(name: "denySubscription", type: .unsubscribed) { try await $0.denySubscription(from: $1) },
        SubscriptionCase(name: "cancelSubscription", type: .unsubscribed) { try await $0.cancelSubscription(from: $1) },
        SubscriptionCase(name: "unsubscribe", type: .unsubscribe) { try await $0.unsubscribe(from: $1) },
        SubscriptionCase(name: "preApproveSubscription", type: .subscribed) {
            try await $0.preApproveSubscription(from: $1)
        },
    ]

    @Test("Each subscription operation writes its type to the contact's bare JID, with nothing else", arguments: subscriptionCases)
    func subscriptionOperation(_ operation: SubscriptionCase) async throws {
        let h = try await PresenceHarness.start()
        await h.harness.connection.setAvailablePresenceExtension(Self.caps, forKey: "caps")
        let bob = try BareJID("bob@example.com")
        let written = try await h.written { try await operation.operation($0, bob) }
        #expect(written.type == operation.type && written.to == JID(bob))
        #expect(written.statuses.isEmpty && written.extensions.isEmpty && written.show == nil)
        try await h.finish()
    }

    @Test("Unsubscribing forgets the contact's resources at once, since its presence stops coming")
    func unsubscribeForgets() async throws {
        let h = try await PresenceHarness.start()
        try await h.serverSends("<presence from='bob@example.com/phone'/>")
        try await h.serverSends("<presence from='carol@example.com/x'/>")
        let seen = try await h.updates.waitFor(count: 2)
        let bob = try BareJID("bob@example.com")
        let written = try await h.written { try await $0.unsubscribe(from: bob) }
        #expect(written.type == .unsubscribe)
        let updates = try await h.updates.waitFor(count: 3)
        #expect(updates[2].jid == JID(bob) && updates[2].change == .unavailable(seen[0].contact.resources))
        #expect(await h.tracker.contact(bob) == nil)
        #expect(await h.tracker.contacts.map(\.jid.description) == ["carol@example.com"])
        try await h.finish()
    }

    @Test("A subscription request may carry a status note")
    func requestWithStatus() async throws {
        let h = try await PresenceHarness.start()
        let written = try await h.written { try await $0.requestSubscription(to: try BareJID("bob@example.com"), status: "It's Alice") }
        #expect(written.type == .subscribe && written.status == "It's Alice")
        try await h.finish()
    }

    @Test("Without the pre-approval feature, pre-approving throws featureNotSupported and writes nothing")
    func preApprovalUnsupported() async throws {
        let h = try await PresenceHarness.start(preApproval: false)
        #expect(!h.tracker.serverSupportsPreApproval)
        let bob = try BareJID("bob@example.com")
        let error = await #expect(throws: XMPPClientError.self) { try await h.tracker.preApproveSubscription(from: bob) }
        #expect(error?.code == .featureNotSupported)
        #expect(error?.description.contains("urn:xmpp:features:pre-approval") == true)
        // The next write is the next operation's: nothing was written before it.
        let next = try await h.written { try await $0.requestSubscription(to: bob) }
        #expect(next.type == .subscribe)
        try await h.finish()
    }

    @Test("With the pre-approval feature it is announced")
    func preApprovalSupported() async throws {
        let h = try await PresenceHarness.start(preApproval: true)
        #expect(h.tracker.serverSupportsPreApproval)
        try await h.finish()
    }

    @Test("After the session ended, operations throw connectionClosed and nothing changes")
    func afterClose() async throws {
        let h = try await PresenceHarness.start()
        try await h.finish()
        let error = await #expect(throws: XMPPClientError.self) {
            try await h.tracker.sendDirectedPresence(to: try JID("bob@example.com"))
        }
        #expect(error?.code == .connectionClosed)
        #expect(await h.tracker.directedPresenceRecipients.isEmpty)
    }
}
