import Synchronization
import XMPP
import XMPPCore

/// One account's session in the presence tests: its tracker and roster,
/// with both of the tracker's streams recorded.
struct PresenceParty: Sendable {
    let connection: XMPPConnection
    let tracker: PresenceTracker
    let roster: Roster
    let updates: StreamRecording<PresenceUpdate>
    let events: StreamRecording<PresenceSubscriptionEvent>

    /// The account.
    var jid: BareJID { connection.boundJID.bare }
    /// This session's resource.
    var fullJID: JID { JID(connection.boundJID) }

    /// Waits until the roster holds `contact` in a state `matches` accepts
    /// (roster pushes arrive on their own), and returns the item.
    @discardableResult
    func waitForRosterItem(
        _ contact: BareJID,
        within limit: Duration = .seconds(5),
        _ matches: @escaping @Sendable (RosterItem) -> Bool
    ) async throws -> RosterItem {
        let roster = self.roster
        return try await poll("a roster item for \(contact)", within: limit) {
            await roster.items.first { $0.jid == contact && matches($0) }
        }
    }

    /// Waits until the roster no longer holds `contact`.
    func waitForNoRosterItem(_ contact: BareJID, within limit: Duration = .seconds(5)) async throws {
        let roster = self.roster
        try await poll("no roster item for \(contact)", within: limit) {
            await roster.items.contains { $0.jid == contact } ? nil : true
        }
    }
}

extension ProsodyServer {
    /// Leaves `user` with no roster item and no pending request for any of
    /// `others`, in a session of its own, so that a test starts clean
    /// whatever an earlier run left behind.
    func resetPresence(of user: String, with others: [String]) async throws {
        let configuration = try sessionConfiguration(user: user, port: .directTLS)
        let contacts = try others.map { try BareJID("\($0)@\(domain)") }
        try await XMPPConnection.withConnection(configuration: configuration) { connection in
            let roster = try await connection.roster()
            let tracker = connection.presenceTracker()
            let items = try await roster.fetch()
            for contact in contacts {
                if items.contains(where: { $0.jid == contact }) { try await roster.remove(contact) }
                // Refuses a request still pending from an earlier run (it is
                // not a roster item) and withdraws a pre-approval.
                try await tracker.denySubscription(from: contact)
            }
        }
    }

    /// Runs `body` with a session for `user` whose tracker exists, whose
    /// roster is fetched, and which is available (so the server sends it
    /// presence and subscription requests).
    func withPresenceParty<Result: Sendable>(
        _ user: String,
        available: Availability = Availability(),
        _ body: (PresenceParty) async throws -> Result
    ) async throws -> Result {
        let configuration = try sessionConfiguration(user: user, port: .directTLS)
        return try await XMPPConnection.withConnection(configuration: configuration) { connection in
            let tracker = connection.presenceTracker()
            let roster = try await connection.roster()
            try await roster.fetch()
            let party = PresenceParty(
                connection: connection, tracker: tracker, roster: roster,
                updates: StreamRecording(tracker.updates), events: StreamRecording(tracker.subscriptionEvents))
            try await tracker.becomeAvailable(available)
            return try await body(party)
        }
    }
}

/// Everything an `AsyncStream` yields, recorded by a background task, with
/// bounded waits for what a test expects next.
final class StreamRecording<Element: Sendable>: Sendable {
    private struct State: Sendable {
        var items: [Element] = []
        /// Items before this index were matched already.
        var cursor = 0
    }

    private let state = Mutex(State())

    init(_ stream: AsyncStream<Element>) {
        // Holds the recording until the stream ends with the session.
        Task {
            for await item in stream { self.append(item) }
        }
    }

    private func append(_ item: Element) { state.withLock { $0.items.append(item) } }

    /// Everything recorded so far.
    var items: [Element] { state.withLock { $0.items } }

    /// The first item after the last one matched that `matches` accepts,
    /// waiting up to `limit` for it; items skipped on the way stay in
    /// ``items``.
    @discardableResult
    func next(
        _ what: String,
        within limit: Duration = .seconds(5),
        where matches: @escaping @Sendable (Element) -> Bool
    ) async throws -> Element {
        try await poll(what, within: limit) {
            self.state.withLock { state -> Element? in
                guard let index = state.items[state.cursor...].firstIndex(where: matches) else { return nil }
                state.cursor = index + 1
                return state.items[index]
            }
        }
    }
}

/// Calls `probe` every 20 ms until it returns a value, for at most `limit`.
@discardableResult
func poll<Value: Sendable>(
    _ what: String,
    within limit: Duration,
    _ probe: @Sendable () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw XMLStreamChannelError("waited \(limit) for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
