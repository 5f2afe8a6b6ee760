import Logging
import Synchronization
import Testing
import XMPP
import XMPPCore

/// The roster (RFC 6121 §2) against the real Prosody of
/// `Scripts/prosody.sh`: alice adds and removes carol, the pushes reach
/// `changes`, and a fetch with the stored version is answered empty
/// (Prosody's roster versioning) so the cached roster is kept.
///
/// Uses alice and carol only; other items in alice's roster are tolerated.
@Suite("Prosody: roster", .serialized, .enabled(if: ProsodyServer.isConfigured), .timeLimit(.minutes(1)))
struct ProsodyRosterTests {
    let server: ProsodyServer

    init() throws {
        server = try ProsodyServer.fromEnvironment()
    }

    @Test("alice adds carol (push, fetch), re-fetches from the cache (empty result), removes carol (push); a new session reuses the cache")
    func addFetchRemove() async throws {
        let configuration = try server.sessionConfiguration(user: "alice", port: .directTLS)
        let carol = try BareJID("carol@\(server.domain)")
        let cache = InMemoryRosterCache()
        let counter = IntegrationLogs()
        var logger = counter.logger
        logger.logLevel = .debug
        try await XMPPConnection.withConnection(configuration: configuration, logger: logger) { connection in
            let roster = try await connection.roster(cache: cache)
            #expect(roster.serverSupportsVersioning)
            var changes = roster.changes.makeAsyncIterator()
            func nextChange(for jid: BareJID) async -> RosterChange? {
                while let change = await changes.next() {
                    if change.item.jid == jid { return change }
                }
                return nil
            }

            // Nothing cached: a full result, stored with its version.
            if try await roster.fetch().contains(where: { $0.jid == carol }) {
                try await roster.remove(carol)   // left over from an earlier run
                #expect(await nextChange(for: carol) == .removed(RosterItem(jid: carol, subscription: .remove)))
            }
            #expect(cache.load() != nil)
            #expect(counter.count(of: "XMPP roster is current; cached items kept") == 0)

            try await roster.setItem(RosterItem(jid: carol, name: "Carol", groups: ["Friends"]))
            let added = await nextChange(for: carol)
            #expect(added == .updated(RosterItem(jid: carol, name: "Carol", groups: ["Friends"])))
            #expect(await roster.items.contains { $0.jid == carol })

            // The push brought the current version: the server answers empty.
            let fetched = try await roster.fetch()
            #expect(fetched.contains { $0.jid == carol && $0.name == "Carol" && $0.groups == ["Friends"] })
            #expect(counter.count(of: "XMPP roster is current; cached items kept") == 1)
            #expect(cache.load()?.items == fetched)

            try await roster.remove(carol)
            #expect(await nextChange(for: carol) == .removed(RosterItem(jid: carol, subscription: .remove)))
            #expect(await !roster.items.contains { $0.jid == carol })
            #expect(try await !roster.fetch().contains { $0.jid == carol })
            #expect(counter.count(of: "XMPP roster is current; cached items kept") == 2)
        }

        // A new session with the same cache: unchanged, so the server answers empty.
        let again = try await XMPPConnection.withConnection(configuration: configuration, logger: logger) { connection in
            try await connection.roster(cache: cache).fetch()
        }
        #expect(!again.contains { $0.jid == carol })
        #expect(again == cache.load()?.items)
        #expect(counter.count(of: "XMPP roster is current; cached items kept") == 3)
    }
}
