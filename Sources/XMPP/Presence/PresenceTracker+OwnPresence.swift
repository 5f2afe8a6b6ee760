public import XMPPCore

extension PresenceTracker {
    /// Broadcasts our availability to everyone subscribed to our presence
    /// (RFC 6121 §4.2 and §4.4): the first call is the initial presence,
    /// after which the server sends us our contacts' presence; later calls
    /// update it.
    ///
    /// Directed presences are not repeated: the server sends a broadcast
    /// only to subscribers.
    /// - Parameter availability: Show, status and priority; plain "online"
    ///   at priority 0 by default.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``; nothing changes then.
    public func becomeAvailable(_ availability: Availability = Availability()) async throws(XMPPClientError) {
        try await connection.send(availability.presence())
        announced = availability
    }

    /// Broadcasts that we are unavailable (RFC 6121 §4.5).
    ///
    /// The server passes it on to our subscribers and to everyone we sent
    /// directed presence to (RFC 6121 §4.6.3), so the directed presences
    /// are forgotten. It also stops sending us presence, so what is known
    /// of others is forgotten too: each account that had available
    /// resources gets an ``PresenceUpdate/Change/unavailable(_:)`` update.
    /// - Parameter status: Why, for those who see it.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``; nothing changes then.
    public func becomeUnavailable(status: String? = nil) async throws(XMPPClientError) {
        try await connection.send(Self.unavailable(to: nil, status: status))
        announced = nil
        directed.removeAll()
        for update in ledger.removeAll() {
            updatesContinuation.yield(update)
        }
    }

    /// Sends our availability to one entity that is not (necessarily)
    /// subscribed to our presence (RFC 6121 §4.6), for example a chat
    /// partner or a service, and remembers it until
    /// ``endDirectedPresence(to:status:)`` or ``becomeUnavailable(status:)``.
    ///
    /// Sending again to the same address replaces what is remembered.
    /// - Parameters:
    ///   - availability: What to tell it; plain "online" by default.
    ///   - recipient: A bare JID (every resource of that account) or a full
    ///     JID.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``; nothing is remembered then.
    public func sendDirectedPresence(
        _ availability: Availability = Availability(),
        to recipient: JID
    ) async throws(XMPPClientError) {
        try await connection.send(availability.presence(to: recipient))
        if let index = directed.firstIndex(where: { $0.recipient == recipient }) {
            directed[index].availability = availability
        } else {
            directed.append((recipient, availability))
        }
    }

    /// Ends a directed presence: sends unavailable presence to `recipient`
    /// (RFC 6121 §4.6.3) and forgets it. It may also be sent to an address
    /// that got no directed presence.
    /// - Parameters:
    ///   - recipient: The address the directed presence went to.
    ///   - status: Why, if the recipient should know.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``; it stays remembered then.
    public func endDirectedPresence(to recipient: JID, status: String? = nil) async throws(XMPPClientError) {
        try await connection.send(Self.unavailable(to: recipient, status: status))
        directed.removeAll { $0.recipient == recipient }
    }

    /// Ends every directed presence that is remembered, oldest first.
    /// - Throws: ``XMPPClientError`` from the first one that could not be
    ///   sent; it and the later ones stay remembered.
    public func endAllDirectedPresences() async throws(XMPPClientError) {
        for recipient in directedPresenceRecipients {
            try await endDirectedPresence(to: recipient)
        }
    }

    /// An unavailable presence, broadcast when `recipient` is `nil`.
    static func unavailable(to recipient: JID?, status: String?) -> Presence {
        Presence(type: .unavailable, to: recipient, statuses: status.map { [LanguageTaggedText($0)] } ?? [])
    }
}
