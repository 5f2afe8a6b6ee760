import Testing
import XMPP
import XMPPCore
import XMPPExtensions

/// XEP-0199 ping, XEP-0030 service discovery, XEP-0092 software version
/// and XEP-0202 entity time against the real Prosody of
/// `Scripts/prosody.sh`: asked of the server, and of a second session that
/// runs the responders of XMPPExtensions.
///
/// Runs only when `XMPP_TEST_HOST` is set. Serialized, and every wait is
/// bounded.
@Suite("Prosody: XMPPExtensions", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyExtensionsTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test("The server: ping, disco#info, disco#items, version and time")
    func askServer() async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let domain = try JID(server.domain)
        let (info, items, version, time) = try await XMPPConnection.withConnection(configuration: configuration) { connection in
            try await connection.request(PingRequest(), to: domain, timeout: .seconds(5))
            let info = try await connection.request(DiscoInfoRequest(), to: domain, timeout: .seconds(5))
            let items = try await connection.request(DiscoItemsRequest(), to: domain, timeout: .seconds(5))
            let version = try await connection.request(SoftwareVersionRequest(), to: domain, timeout: .seconds(5))
            let time = try await connection.request(EntityTimeRequest(), to: domain, timeout: .seconds(5))
            return (info, items, version, time)
        }
        #expect(info.identities.contains { $0.category == "server" && $0.type == "im" }, "\(info.identities)")
        for feature in ["urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:time", "http://jabber.org/protocol/disco#info"] {
            #expect(info.features.contains(feature), "\(feature) not in \(info.features.sorted())")
        }
        #expect(items.contains { $0.jid == (try? JID("conference.\(server.domain)")) }, "\(items)")
        #expect(version.name == "Prosody")
        #expect(!version.version.isEmpty)
        // Prosody's clock is this machine's.
        let now = EntityTimeResponder.systemTime().timestamp.secondsSince1970
        #expect(abs(time.timestamp.secondsSince1970 - now) < 60, "\(time.utc)")
    }

    @Test("bob serves ping, version, time and disco; alice asks bob's full JID for each")
    func askPeer() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .startTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let fixed = EntityTime(timestamp: UTCTimestamp(secondsSince1970: 1_166_551_115), offsetSeconds: 3600)
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await bob.serve(
                [PingResponder(), SoftwareVersionResponder(name: "BobBot", version: "1.2"), EntityTimeResponder { fixed }],
                identities: [DiscoIdentity(category: "client", type: "bot", name: "Bob")])
            let bobJID = JID(bob.boundJID)
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                try await alice.request(PingRequest(), to: bobJID, timeout: .seconds(5))

                let info = try await alice.request(DiscoInfoRequest(), to: bobJID, timeout: .seconds(5))
                #expect(info.identities == [DiscoIdentity(category: "client", type: "bot", name: "Bob")])
                #expect(info.features == [
                    "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                    "urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:time",
                ])

                let items = try await alice.request(DiscoItemsRequest(), to: bobJID, timeout: .seconds(5))
                #expect(items.isEmpty)

                let version = try await alice.request(SoftwareVersionRequest(), to: bobJID, timeout: .seconds(5))
                #expect(version == SoftwareVersion(name: "BobBot", version: "1.2"))

                let time = try await alice.request(EntityTimeRequest(), to: bobJID, timeout: .seconds(5))
                #expect(time == fixed)

                let error = await #expect(throws: XMPPClientError.self) {
                    try await alice.request(DiscoInfoRequest(node: "unknown"), to: bobJID, timeout: .seconds(5))
                }
                #expect(error?.stanzaError?.condition == .itemNotFound)
            }
        }
    }

    @Test("respondToPings alone: pings answered; a second registration is refused")
    func pingsOnly() async throws {
        let bobConfiguration = try server.sessionConfiguration(user: "bob", port: .directTLS)
        let aliceConfiguration = try server.sessionConfiguration(user: "alice", port: .startTLS)
        try await XMPPConnection.withConnection(configuration: bobConfiguration) { bob in
            try await bob.respondToPings()
            let error = await #expect(throws: XMPPClientError.self) {
                try await bob.serve([SoftwareVersionResponder(name: "BobBot", version: "1"), PingResponder()])
            }
            #expect(error?.code == .handlerAlreadyRegistered)
            try await XMPPConnection.withConnection(configuration: aliceConfiguration) { alice in
                try await alice.request(PingRequest(), to: JID(bob.boundJID), timeout: .seconds(5))
                // serve() failed as a whole: the version handler it had
                // registered before the ping clash is gone, and no disco.
                for request in [RawIQRequest(.get, payload: SoftwareVersionRequest().payload),
                                RawIQRequest(.get, payload: DiscoInfoRequest().payload)] {
                    let leftover = await #expect(throws: XMPPClientError.self) {
                        try await alice.request(request, to: JID(bob.boundJID), timeout: .seconds(5))
                    }
                    #expect(leftover?.stanzaError?.condition == .serviceUnavailable)
                }
            }
        }
    }
}
