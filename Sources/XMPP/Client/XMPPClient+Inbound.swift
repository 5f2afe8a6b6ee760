public import XMPPCore

extension XMPPClient {
    /// A new subscription to the top-level elements the server sends that
    /// `filter` accepts, across every session, until ``run()`` returns.
    ///
    /// The rules of ``XMPPConnection/elements(where:)`` apply (IQ requests
    /// and responses excepted; elements nobody subscribed to yet are held,
    /// up to ``XMPPConnection/Configuration/heldInboundElementLimit``). After
    /// a resumption the server delivers what it held for the session, so
    /// nothing is missed; after a new session, what the server dropped
    /// meanwhile is lost to this session (see
    /// ``Event/sessionStarted(boundJID:resumed:resumptionFailure:)``).
    /// - Parameter filter: Which elements to receive; keep it cheap.
    /// - Returns: The elements, in arrival order.
    public nonisolated func elements(
        where filter: @escaping @Sendable (XMLElement) -> Bool = { _ in true }
    ) -> XMPPInboundStream {
        XMPPInboundStream(inbound.subscribe(filter))
    }

    /// A new subscription to the messages the server sends, optionally
    /// only those from one peer, across every session, until ``run()``
    /// returns.
    ///
    /// ```swift
    /// for try await message in client.messages() {
    ///     print(message.body ?? "")
    /// }
    /// ```
    /// - Parameter peer: A bare JID accepts every resource of that account,
    ///   a full JID that resource only; `nil` accepts all messages.
    /// - Returns: The messages, in arrival order.
    public nonisolated func messages(from peer: JID? = nil) -> XMPPStanzaStream<Message> {
        XMPPStanzaStream(inbound.subscribe(XMPPConnection.stanzaFilter(Message.self, from: peer)), logger: logger)
    }

    /// A new subscription to the presence stanzas the server sends,
    /// optionally only those from one peer, across every session, until
    /// ``run()`` returns.
    /// - Parameter peer: A bare JID accepts every resource of that account,
    ///   a full JID that resource only; `nil` accepts all presences.
    /// - Returns: The presences, in arrival order.
    public nonisolated func presences(from peer: JID? = nil) -> XMPPStanzaStream<Presence> {
        XMPPStanzaStream(inbound.subscribe(XMPPConnection.stanzaFilter(Presence.self, from: peer)), logger: logger)
    }
}
