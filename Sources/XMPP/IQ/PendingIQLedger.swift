import XMPPCore

/// The IQ requests waiting for their response, with their deadlines: pure,
/// no clock, no I/O.
///
/// - **Ids** are the ledger's own: a prefix chosen per connection (random in
///   production, so ids are not guessable across sessions) and a counter, so
///   they never repeat on one stream and a late answer to one of ours is
///   recognised as such (``isOwnIdentifier(_:)``).
/// - **Matching** takes the `id` *and* the sender: a response counts only
///   if it comes from the address the request went to
///   (``acceptsResponse(from:toRequestSentTo:account:)``); anything else is
///   reported as ``Match/unexpectedOrigin`` and the request keeps waiting.
/// - **Deadlines** are absolute instants. One timer is scheduled at the
///   earliest one; when it fires, everything due is expired and the timer
///   moves to the next deadline. Answered or cancelled requests leave the
///   timer where it is (it fires, finds nothing due and moves on), which
///   saves rescheduling on every response.
struct PendingIQLedger: Sendable {
    /// One request in flight.
    struct Entry: Hashable, Sendable {
        /// Counts up from 1; orders entries for reporting.
        var sequence: Int
        /// The `to` the request was sent with (`nil`: our own account).
        var recipient: JID?
        /// When the request times out.
        var deadline: MonotonicInstant
    }

    /// How a response relates to the requests in flight.
    enum Match: Hashable, Sendable {
        /// It answers this request, which is now removed.
        case matched(id: String, Entry)
        /// Its `id` is pending, but it comes from an address the request did
        /// not go to (spoofed or misrouted); the request keeps waiting.
        case unexpectedOrigin(id: String, Entry)
        /// No request with this `id` is pending. `ownIdentifier` tells
        /// whether the ledger made the id (a late answer to a request that
        /// timed out or was cancelled) or not (an IQ the application sent
        /// itself).
        case notPending(ownIdentifier: Bool)
    }

    /// The prefix of every id this ledger makes.
    let identifierPrefix: String
    /// The requests in flight, by id.
    private(set) var entries: [String: Entry] = [:]
    /// The instant the timer is scheduled for, if it is.
    private(set) var timer: MonotonicInstant?
    private var lastSequence = 0

    /// Creates an empty ledger.
    /// - Parameter identifierPrefix: Starts every id; must not be empty.
    init(identifierPrefix: String) {
        precondition(!identifierPrefix.isEmpty, "an empty prefix would claim every id")
        self.identifierPrefix = identifierPrefix
    }

    /// A prefix for one connection: `q`, eight random letters and digits,
    /// and a dash.
    static func randomIdentifierPrefix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "q" + String((0..<8).map { _ in alphabet.randomElement(using: &generator)! }) + "-"
    }

    /// Whether no request is in flight.
    var isEmpty: Bool { entries.isEmpty }

    /// Whether this ledger made `id`.
    func isOwnIdentifier(_ id: String) -> Bool {
        id.hasPrefix(identifierPrefix)
    }

    // MARK: Adding and removing

    /// Adds a request.
    /// - Parameters:
    ///   - recipient: Its `to`.
    ///   - deadline: When it times out.
    /// - Returns: Its id, and the instant to schedule the timer at when it
    ///   must move (replacing the scheduled one), else `nil`.
    mutating func add(recipient: JID?, deadline: MonotonicInstant) -> (id: String, timer: MonotonicInstant?) {
        lastSequence += 1
        let id = identifierPrefix + String(lastSequence)
        entries[id] = Entry(sequence: lastSequence, recipient: recipient, deadline: deadline)
        guard timer.map({ deadline < $0 }) ?? true else { return (id, nil) }
        timer = deadline
        return (id, deadline)
    }

    /// Removes a request (cancelled, or never sent).
    /// - Returns: Whether it was in flight.
    mutating func remove(_ id: String) -> Bool {
        entries.removeValue(forKey: id) != nil
    }

    /// Matches a response (`result` or `error`) to the request it answers.
    /// - Parameters:
    ///   - response: The response.
    ///   - account: Our bare JID, for the origin rules.
    mutating func match(_ response: IQ, account: BareJID) -> Match {
        guard let entry = entries[response.id] else {
            return .notPending(ownIdentifier: isOwnIdentifier(response.id))
        }
        guard Self.acceptsResponse(from: response.from, toRequestSentTo: entry.recipient, account: account) else {
            return .unexpectedOrigin(id: response.id, entry)
        }
        entries[response.id] = nil
        return .matched(id: response.id, entry)
    }

    /// Removes every request, for when the session ends.
    /// - Returns: Their ids, oldest first, and whether a timer was scheduled
    ///   (which should now be cancelled).
    mutating func removeAll() -> (ids: [String], cancelTimer: Bool) {
        let ids = entries.sorted { $0.value.sequence < $1.value.sequence }.map(\.key)
        entries.removeAll()
        let wasScheduled = timer != nil
        timer = nil
        return (ids, wasScheduled)
    }

    // MARK: Time

    /// The timer scheduled for `instant` fired.
    ///
    /// Everything due at `instant` expires. A timer that fires after it was
    /// replaced only expires what is due, which is still correct, and leaves
    /// the current timer alone.
    /// - Returns: The expired ids, oldest first, and the instant to schedule
    ///   the timer at next, if any.
    mutating func timerFired(at instant: MonotonicInstant) -> (expired: [String], timer: MonotonicInstant?) {
        let due = entries.filter { $0.value.deadline <= instant }.sorted { $0.value.sequence < $1.value.sequence }
        for (id, _) in due { entries[id] = nil }
        let ids = due.map(\.key)
        guard timer == instant else { return (ids, nil) }
        timer = entries.values.map(\.deadline).min()
        return (ids, timer)
    }
}

// MARK: - Origin

extension PendingIQLedger {
    /// Whether a response from `from` may answer a request sent to
    /// `recipient` (RFC 6120 §8.1.2.1 and §10.1; security.md P24).
    ///
    /// - Sent with a `to`: the response must come from exactly that address,
    ///   compared as JIDs (normalised bytes; a full JID never equals its bare
    ///   JID). A request to our own bare JID is answered by our server on the
    ///   account's behalf, so there a response without `from` counts too.
    /// - Sent without `to` (to our own account): the response must have no
    ///   `from`, or come from our bare JID or our server's domain. Another
    ///   resource of ours, or our own full JID, does not answer for the
    ///   account.
    static func acceptsResponse(from: JID?, toRequestSentTo recipient: JID?, account: BareJID) -> Bool {
        if let recipient {
            if from == recipient { return true }
            return from == nil && recipient == JID(account)
        }
        guard let from else { return true }
        guard from.isBare else { return false }
        return from.bare == account || (from.localpart == nil && from.bare == serverJID(of: account))
    }

    /// Our server's address: the account's domain as a bare JID.
    private static func serverJID(of account: BareJID) -> BareJID? {
        try? BareJID(localpart: nil, domainpart: account.domainpart)
    }
}
