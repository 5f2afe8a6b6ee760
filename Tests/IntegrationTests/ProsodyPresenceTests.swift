import Testing
import XMPP
import XMPPCore

/// Presence (RFC 6121 §3–4) against the real Prosody of
/// `Scripts/prosody.sh`: the subscription handshake both ways and its
/// undoing, contacts' presence changes, directed presence to a
/// non-contact, and pre-approval.
///
/// Uses the pool accounts user01…user06 only. Each test first clears the
/// roster items and pending requests between its accounts, so a dirty
/// server from an earlier run does not matter. Serialized (user05 and
/// user06 are shared by two tests); every wait is bounded.
@Suite("Prosody: presence", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyPresenceTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test("user01 and user02 subscribe to each other (both), then user01 unsubscribes and cancels (none)")
    func handshakeBothWays() async throws {
        try await server.resetPresence(of: "user01", with: ["user02"])
        try await server.resetPresence(of: "user02", with: ["user01"])
        try await server.withPresenceParty("user01") { a in
            try await server.withPresenceParty("user02") { b in
                // a → b: request, approval; a sees b's presence from then on.
                try await a.tracker.requestSubscription(to: b.jid)
                let request = try await b.events.next("b: a's request") { $0.contact == a.jid }
                guard case .requested = request else { throw UnexpectedEvent(request) }
                try await a.waitForRosterItem(b.jid) { $0.subscription == .none && $0.isSubscriptionPending }
                try await b.tracker.approveSubscription(from: a.jid)
                #expect(try await a.events.next("a: approval") { $0.contact == b.jid } == .approved(b.jid))
                try await a.waitForRosterItem(b.jid) { $0.subscription == .to && !$0.isSubscriptionPending }
                try await b.waitForRosterItem(a.jid) { $0.subscription == .from }
                try await a.updates.next("a: b available") { $0.jid == b.fullJID && $0.contact.isAvailable }
                #expect(await a.tracker.contact(b.jid)?.resource(b.connection.boundJID.resourcepart) != nil)

                // b → a: the same the other way round.
                try await b.tracker.requestSubscription(to: a.jid)
                let back = try await a.events.next("a: b's request") { $0.contact == b.jid }
                guard case .requested = back else { throw UnexpectedEvent(back) }
                try await a.tracker.approveSubscription(from: b.jid)
                #expect(try await b.events.next("b: approval") { $0.contact == a.jid } == .approved(a.jid))
                try await a.waitForRosterItem(b.jid) { $0.subscription == .both }
                try await b.waitForRosterItem(a.jid) { $0.subscription == .both }
                try await b.updates.next("b: a available") { $0.jid == a.fullJID && $0.contact.isAvailable }

                // a unsubscribes from b: b is told, a stops seeing b.
                try await a.tracker.unsubscribe(from: b.jid)
                #expect(try await b.events.next("b: a unsubscribed") { $0.contact == a.jid } == .unsubscribed(a.jid))
                try await a.updates.next("a: b unavailable") { $0.jid.bare == b.jid && !$0.contact.isAvailable }
                #expect(await a.tracker.contact(b.jid) == nil)
                try await a.waitForRosterItem(b.jid) { $0.subscription == .from }
                try await b.waitForRosterItem(a.jid) { $0.subscription == .to }

                // a cancels b's subscription: b is told and stops seeing a.
                try await a.tracker.cancelSubscription(from: b.jid)
                #expect(try await b.events.next("b: cancelled") { $0.contact == a.jid } == .cancelled(a.jid))
                try await b.updates.next("b: a unavailable") { $0.jid.bare == a.jid && !$0.contact.isAvailable }
                try await a.waitForRosterItem(b.jid) { $0.subscription == .none }
                try await b.waitForRosterItem(a.jid) { $0.subscription == .none }

                // A request denied: b is told, nothing is granted.
                try await b.tracker.requestSubscription(to: a.jid)
                _ = try await a.events.next("a: b's second request") { $0.contact == b.jid }
                try await a.tracker.denySubscription(from: b.jid)
                #expect(try await b.events.next("b: denied") { $0.contact == a.jid } == .cancelled(a.jid))
                try await b.waitForRosterItem(a.jid) { $0.subscription == .none && !$0.isSubscriptionPending }
            }
        }
    }

    @Test("user03 sees user04's show, status and priority change, and its resource go when it goes unavailable")
    func presenceUpdates() async throws {
        try await server.resetPresence(of: "user03", with: ["user04"])
        try await server.resetPresence(of: "user04", with: ["user03"])
        try await server.withPresenceParty("user03") { a in
            // The server echoes our own broadcast: it is our own state.
            let echo = try await a.updates.next("a: own echo") { $0.jid == a.fullJID }
            let own = await a.tracker.ownAccount
            #expect(echo.isOwnAccount && echo.contact == own)
            try await server.withPresenceParty("user04") { b in
                try await a.tracker.requestSubscription(to: b.jid)
                _ = try await b.events.next("b: a's request") { $0.contact == a.jid }
                try await b.tracker.approveSubscription(from: a.jid)
                try await a.updates.next("a: b available") { $0.jid == b.fullJID }

                try await b.tracker.becomeAvailable(Availability(show: .dnd, status: "In a meeting", priority: 3, language: "en"))
                let changed = try await a.updates.next("a: b busy") { $0.jid == b.fullJID && $0.contact.best?.show == .dnd }
                guard case .updated(let resource) = changed.change else { throw UnexpectedEvent(changed.change) }
                #expect(resource.status == "In a meeting" && resource.priority == 3 && resource.presence.language == "en")
                #expect(await a.tracker.contact(b.jid)?.best?.show == .dnd)

                try await b.tracker.becomeUnavailable(status: "Gone home")
                let gone = try await a.updates.next("a: b unavailable") { $0.jid == b.fullJID && !$0.contact.isAvailable }
                #expect(gone.change == .unavailable([resource]))
                #expect(gone.presence.status == "Gone home")
                #expect(await a.tracker.contact(b.jid) == nil)
                #expect(await b.tracker.availability == nil)
                #expect(await b.tracker.contacts.isEmpty)
            }
        }
    }

    @Test("user05 sends directed presence to user06, not a contact, and ends it")
    func directedPresence() async throws {
        try await server.resetPresence(of: "user05", with: ["user06"])
        try await server.resetPresence(of: "user06", with: ["user05"])
        try await server.withPresenceParty("user06") { b in
            try await server.withPresenceParty("user05") { a in
                let hello = Availability(show: .chat, status: "Shall we talk?")
                try await a.tracker.sendDirectedPresence(hello, to: b.fullJID)
                #expect(await a.tracker.directedPresenceRecipients == [b.fullJID])
                let seen = try await b.updates.next("b: a's directed presence") { $0.jid == a.fullJID }
                #expect(seen.contact.best?.show == .chat && seen.contact.best?.status == "Shall we talk?")
                #expect(await !b.roster.items.contains { $0.jid == a.jid })

                try await a.tracker.endDirectedPresence(to: b.fullJID)
                #expect(await a.tracker.directedPresenceRecipients.isEmpty)
                try await b.updates.next("b: a unavailable") { $0.jid == a.fullJID && !$0.contact.isAvailable }
                #expect(await b.tracker.contact(a.jid) == nil)
            }
        }
    }

    @Test("user06 pre-approves user05; user05's request is approved by the server at once")
    func preApproval() async throws {
        try await server.resetPresence(of: "user06", with: ["user05"])
        try await server.resetPresence(of: "user05", with: ["user06"])
        try await server.withPresenceParty("user06") { a in
            #expect(a.tracker.serverSupportsPreApproval)
            let c = try BareJID("user05@\(server.domain)")
            try await a.tracker.preApproveSubscription(from: c)
            try await a.waitForRosterItem(c) { $0.subscription == .none }
            try await server.withPresenceParty("user05") { c in
                try await c.tracker.requestSubscription(to: a.jid)
                #expect(try await c.events.next("c: approval") { $0.contact == a.jid } == .approved(a.jid))
                try await a.waitForRosterItem(c.jid) { $0.subscription == .from }
                try await c.waitForRosterItem(a.jid) { $0.subscription == .to }
                try await c.updates.next("c: a available") { $0.jid == a.fullJID }
                // Nobody asked a: the server answered for it.
                #expect(!a.events.items.contains { $0.contact == c.jid })
            }
        }
    }
}

/// A stream delivered something else than the test expected.
struct UnexpectedEvent: Error, CustomStringConvertible {
    let description: String

    init(_ value: some Sendable) {
        description = "unexpected: \(value)"
    }
}
