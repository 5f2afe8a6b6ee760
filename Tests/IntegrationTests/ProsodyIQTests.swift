import Testing
import XMPP
import XMPPCore

/// Typed IQ requests and inbound request handlers against the real
/// Prosody of `Scripts/prosody.sh`: XEP-0199 pings to the server and
/// between two sessions, error answers for an absent recipient, the origin
/// rule for requests to our own account, and a timeout on a peer that
/// never answers.
///
/// Runs only when `XMPP_TEST_HOST` is set (`Scripts/test.sh` starts Prosody
/// and sets it). Serialized, and every wait is bounded.
@Suite("Prosody: IQ requests and handlers", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyIQTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    static let ping = RawIQRequest(.get, payload: XMLElement("ping", namespace: "urn:xmpp:ping"))

    @Test("XEP-0199 ping to the server's domain: an empty result from the domain")
    func pingServer() async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let domain = try JID(server.domain)
        let result = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(Self.ping, to: domain, timeout: .seconds(5))
        }
        #expect(result.type == .result)
        #expect(result.from == domain)
        #expect(result.payload == nil)
    }

    @Test("Requests to our own account: the roster (no to) and our vCard (to our bare JID) are answered and accepted")
    func ownAccount() async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: .startTLS)
        let (roster, vcard, bare) = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            let roster = try await connection.request(
                RawIQRequest(.get, payload: XMLElement("query", namespace: "jabber:iq:roster")), timeout: .seconds(5))
            let bare = JID(connection.boundJID.bare)
            let vcard = try await connection.request(
                RawIQRequest(.get, payload: XMLElement("vCard", namespace: "vcard-temp")), to: bare, timeout: .seconds(5))
            return (roster, vcard, bare)
        }
        // Prosody 0.12 answers both without `from`; for the vCard (sent to
        // our bare JID) that is why the origin rule accepts a missing `from`
        // there (RFC 6120 §10.3.3: the server answers for the account).
        #expect(roster.payload?.name == XMLQualifiedName("query", namespace: "jabber:iq:roster"))
        #expect(roster.from == nil || roster.from == bare)
        #expect(vcard.type == .result)
        #expect(vcard.from == nil || vcard.from == bare)
    }

    @Test("A request to a user that does not exist: a typed error answer from the server")
    func absentUser() async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let nobody = try JID("nobody-here@\(server.domain)/phone")
        let error = await #expect(throws: XMPPClientError.self) {
            try await XMPPConnection.withConnection(configuration: configuration) { connection in
                _ = try await connection.request(Self.ping, to: nobody, timeout: .seconds(5))
            }
        }
        #expect(error?.code == .stanzaError, "\(String(describing: error))")
        // RFC 6121 §8.5.2.2 (no such resource, IQ): Prosody 0.12 answers
        // service-unavailable, from the address asked, so the answer passes
        // the origin rule.
        #expect(error?.stanzaError?.condition == .serviceUnavailable)
    }

    @Test("alice pings bob's full JID; bob's ping handler answers; bob's handler sees alice's full JID")
    func pingBetweenSessions() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .startTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let askedBy = AskedBy()
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await bob.handleIQ(namespace: "urn:xmpp:ping", localName: "ping") { request in
                await askedBy.record(request.from)
                return nil
            }
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                let result = try await alice.request(Self.ping, to: JID(bob.boundJID), timeout: .seconds(5))
                #expect(result.type == .result)
                #expect(result.from == JID(bob.boundJID))
                #expect(await askedBy.value == JID(alice.boundJID))
            }
        }
    }

    @Test("bob has no handler for the payload: his connection answers service-unavailable")
    func unhandledBetweenSessions() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .directTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .startTLS)
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                let version = RawIQRequest(.get, payload: XMLElement("query", namespace: "jabber:iq:version"))
                let error = await #expect(throws: XMPPClientError.self) {
                    try await alice.request(version, to: JID(bob.boundJID), timeout: .seconds(5))
                }
                #expect(error?.stanzaError?.condition == .serviceUnavailable)
            }
        }
    }

    @Test("bob's handler never answers: alice's 1 s timeout fires as timeout(iqRequest); her session goes on")
    func timeout() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .startTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let clock = ContinuousClock()
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await bob.handleIQ(namespace: "urn:xmpp:ping") { _ in
                try await Task.sleep(for: .seconds(3600))  // ends when bob's session does
                return nil
            }
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                let start = clock.now
                let error = await #expect(throws: XMPPClientError.self) {
                    try await alice.request(Self.ping, to: JID(bob.boundJID), timeout: .seconds(1))
                }
                let waited = clock.now - start
                #expect(error?.code == .timeout)
                #expect(error?.step == .iqRequest)
                #expect(waited >= .milliseconds(900) && waited < .seconds(4), "\(waited)")
                let pong = try await alice.request(Self.ping, to: JID(server.domain), timeout: .seconds(5))
                #expect(pong.type == .result)
            }
        }
    }
}

/// Who sent the last request a handler saw.
private actor AskedBy {
    private(set) var value: JID?

    func record(_ jid: JID?) {
        value = jid
    }
}
