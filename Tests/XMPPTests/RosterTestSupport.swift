import XMPPCore

@testable import XMPP

/// A ``Roster`` on a ``ConnectionHarness``: the roster exists (and answers
/// pushes) while the session body waits; ``finish()`` ends the session.
final class RosterHarness: Sendable {
    /// Bind features plus roster versioning.
    static let versioningFeatures =
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        + "<ver xmlns='urn:xmpp:features:rosterver'/></stream:features>"

    let harness: ConnectionHarness
    let roster: Roster
    private let done: Signal
    private let task: Task<Void, any Error>

    private init(harness: ConnectionHarness, roster: Roster, done: Signal, task: Task<Void, any Error>) {
        self.harness = harness
        self.roster = roster
        self.done = done
        self.task = task
    }

    static func start(versioning: Bool = true, cache: any RosterCache = InMemoryRosterCache()) async throws -> RosterHarness {
        let harness = try await ConnectionHarness.established(
            features: versioning ? versioningFeatures : ScriptedServer.bindFeatures)
        let made = Locked<Result<Roster, any Error>?>(nil)
        let ready = Signal()
        let done = Signal()
        let task = harness.run { connection in
            do {
                made.value = .success(try await connection.roster(cache: cache))
            } catch {
                made.value = .failure(error)
            }
            ready.fire()
            await done.wait()
        }
        await ready.wait()
        let roster = try made.value!.get()
        return RosterHarness(harness: harness, roster: roster, done: done, task: task)
    }

    /// The next IQ the client writes.
    func nextIQ() async throws -> IQ {
        try IQ(element: XMLTestParsing.element(try await harness.nextWrite()))
    }

    /// The server sends a push of `items` (XML) and the client's answer is returned.
    func push(_ items: String, from: String? = nil, id: String = "push1", ver: String? = "9") async throws -> IQ {
        let fromAttribute = from.map { " from='\($0)'" } ?? ""
        let verAttribute = ver.map { " ver='\($0)'" } ?? ""
        try await harness.serverSends(
            "<iq type='set' id='\(id)'\(fromAttribute) to='alice@example.com/r1'>"
                + "<query xmlns='jabber:iq:roster'\(verAttribute)>\(items)</query></iq>")
        return try await nextIQ()
    }

    func finish() async throws {
        done.fire()
        try await harness.serverCloses()
        try await task.value
    }
}

extension RosterItem {
    static func make(_ jid: String, _ subscription: Subscription = .none) throws -> RosterItem {
        RosterItem(jid: try BareJID(jid), subscription: subscription)
    }
}
