import Logging
import Testing
import XMPP
import XMPPCore
import XMPPExtensions

/// XEP-0030 between clients, XEP-0115 entity capabilities, XEP-0191
/// blocking and XEP-0054 vCards against the real Prosody of
/// `Scripts/prosody.sh`.
///
/// Uses the pool accounts user13 to user18 only, each test its own, and
/// sets up the state it needs first (unblock all, a fresh vCard), so runs
/// may repeat on a dirty server. Runs only when `XMPP_TEST_HOST` is set;
/// every wait is bounded.
@Suite("Prosody: everyday XEPs", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyXEPTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test("user13 serves disco with caps; user14 queries its full JID, gets its <c/> by directed presence, resolves and caches it")
    func discoAndCaps() async throws {
        let logs = IntegrationLogs()
        var logger = logs.logger
        logger.logLevel = .debug
        let a = try server.sessionConfiguration(user: "user13", port: .directTLS)
        let b = try server.sessionConfiguration(user: "user14", port: .startTLS)
        try await XMPPConnection.withConnection(configuration: a) { user13 in
            let advertised = try await user13.serve(
                [PingResponder(), SoftwareVersionResponder(name: "swift-xmpp tests", version: "1.0")],
                identities: [DiscoIdentity(category: "client", type: "bot", name: "user13")],
                capabilitiesNode: "https://example.com/swift-xmpp/tests")
            let user13JID = JID(user13.boundJID)
            try await XMPPConnection.withConnection(configuration: b, logger: logger) { user14 in
                // Plain disco of the other client's full JID.
                let info = try await user14.request(DiscoInfoRequest(), to: user13JID, timeout: .seconds(5))
                #expect(info.identities == [DiscoIdentity(category: "client", type: "bot", name: "user13")])
                #expect(info.features == [
                    "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                    "http://jabber.org/protocol/caps", "urn:xmpp:ping", "jabber:iq:version",
                ])

                // Directed presence carries the <c/> without a subscription.
                let presences = user14.presences(from: user13JID)
                try await user13.send(Presence(to: JID(user14.boundJID)))
                let presence = try #require(try await firstElement(of: presences, within: .seconds(5)) { $0.capabilities != nil })
                let caps = try #require(presence.capabilities)
                #expect(caps == advertised.capabilities)
                #expect(caps.hashAlgorithm == .sha1)
                #expect(try EntityCapabilities.verificationString(for: info) == caps.verification)

                let cache = InMemoryCapsCache()
                let resolver = EntityCapabilitiesResolver(connection: user14, cache: cache, timeout: .seconds(5))
                let resolved = try #require(try await resolver.discoInfo(for: presence))
                #expect(resolved.features == info.features && resolved.identities == info.identities)
                #expect(cache.count == 1)
                // Again, through a new resolver on the same cache: no query.
                let again = try await EntityCapabilitiesResolver(connection: user14, cache: cache).discoInfo(for: presence)
                #expect(again == resolved)
                #expect(logs.count(of: "XMPP caps verified and cached") == 1)

                // The caps node answers; another node does not.
                let byNode = try await user14.request(DiscoInfoRequest(node: caps.discoNode), to: user13JID, timeout: .seconds(5))
                #expect(byNode.node == caps.discoNode && byNode.features == info.features)
                let error = await #expect(throws: XMPPClientError.self) {
                    try await user14.request(DiscoInfoRequest(node: caps.node + "#forged"), to: user13JID, timeout: .seconds(5))
                }
                #expect(error?.stanzaError?.condition == .itemNotFound)
            }
        }
    }

    @Test("user15 blocks user16: the list shows it, another session gets the push, messages stop both ways; unblocking restores them")
    func blocking() async throws {
        let a = try server.sessionConfiguration(user: "user15", port: .directTLS)
        let b = try server.sessionConfiguration(user: "user16", port: .startTLS)
        let user16Bare = try JID("user16@\(server.domain)")
        try await XMPPConnection.withConnection(configuration: a) { user15 in
            let blocklist = try await user15.blocklist(timeout: .seconds(5))
            try await blocklist.unblockAll()   // left over from an earlier run
            #expect(try await blocklist.fetch().isEmpty)
            try await XMPPConnection.withConnection(configuration: a) { user15Other in
                let otherList = try await user15Other.blocklist(timeout: .seconds(5))
                try await otherList.fetch()   // Prosody pushes only to sessions that fetched
                try await XMPPConnection.withConnection(configuration: b) { user16 in
                    let user15JID = JID(user15.boundJID)
                    try await blocklist.block([user16Bare])
                    #expect(await blocklist.items == [user16Bare])
                    #expect(await blocklist.blocks(JID(user16.boundJID)))
                    let pushed = try await firstElement(of: otherList.changes, within: .seconds(5))
                    #expect(pushed == .blocked([user16Bare]))
                    #expect(await otherList.items == [user16Bare])
                    #expect(try await blocklist.fetch() == [user16Bare])

                    // user16's message to user15's session is dropped; to the
                    // bare JID it bounces.
                    let received = user15.messages(from: JID(user16.boundJID))
                    let bounces = user16.messages(from: JID(user15.boundJID.bare))
                    try await user16.send(Message(type: .chat, to: user15JID, body: "blocked, full JID"))
                    try await user16.send(Message(type: .chat, to: JID(user15.boundJID.bare), body: "blocked, bare JID"))
                    let bounce = try await firstElement(of: bounces, within: .seconds(5)) { $0.type == .error }
                    #expect(bounce?.error?.condition == .serviceUnavailable)
                    let leaked = try await firstElement(of: received, within: .seconds(2)) { $0.body != nil }
                    #expect(leaked == nil, "a blocked contact's message was delivered: \(leaked?.body ?? "")")

                    // user15's own message to user16 is refused by its server.
                    let refusals = user15.messages(from: user16Bare)
                    try await user15.send(Message(type: .chat, to: JID(user16.boundJID), body: "to someone I block"))
                    let refusal = try await firstElement(of: refusals, within: .seconds(5)) { $0.type == .error }
                    #expect(refusal?.error?.condition == .notAcceptable && refusal?.error?.isBlockedError == true)

                    try await blocklist.unblock([user16Bare])
                    #expect(await blocklist.items.isEmpty)
                    let unpushed = try await firstElement(of: otherList.changes, within: .seconds(5))
                    #expect(unpushed == .unblocked([user16Bare]))
                    let delivered = user15.messages(from: JID(user16.boundJID))
                    try await user16.send(Message(type: .chat, to: user15JID, body: "unblocked"))
                    let restored = try await firstElement(of: delivered, within: .seconds(5)) { $0.body != nil }
                    #expect(restored?.body == "unblocked")
                }
            }
            // Leave nothing behind, and show unblock-all over the wire.
            try await blocklist.block([user16Bare, try JID("spam.example")])
            try await blocklist.unblockAll()
            #expect(try await blocklist.fetch().isEmpty)
        }
    }

    @Test("user17 publishes a vCard with a photo and reads it back; user18 reads it from user17's bare JID")
    func vCards() async throws {
        let a = try server.sessionConfiguration(user: "user17", port: .directTLS)
        let b = try server.sessionConfiguration(user: "user18", port: .startTLS)
        let user17 = try BareJID("user17@\(server.domain)")
        // A fresh nickname per run: what is read back is this run's card.
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0xAB, count: 600)
        // Fields Prosody keeps when it turns vcard-temp into vCard4 and back.
        let card = VCard(
            fullName: "User Seventeen", name: VCard.Name(family: "Seventeen", given: "User"), nickname: "u17-\(run)",
            photo: VCard.Photo(type: "image/png", data: png), birthday: "1990-01-17",
            telephones: [VCard.Telephone(number: "+1-555-0117", types: ["WORK"])],
            emails: [VCard.Email(address: "user17@example.com", types: ["INTERNET", "HOME"])],
            jabberID: user17.description, title: "Tester", role: "Integration",
            organization: VCard.Organization(name: "swift-xmpp"), url: "https://example.com/user17", note: "Run \(run)")
        try await XMPPConnection.withConnection(configuration: a) { connection in
            try await connection.publishVCard(card, timeout: .seconds(5))
            let mine = try await connection.vCard(timeout: .seconds(5))
            #expect(mine == card)
        }
        let theirs = try await XMPPConnection.withConnection(configuration: b) { connection in
            try await connection.vCard(of: user17, timeout: .seconds(5))
        }
        #expect(theirs == card)
        #expect(theirs.photo?.data == png)
    }
}
