public import XMPPCore

extension PresenceTracker {
    /// The stream feature of subscription pre-approval (RFC 6121 §3.4).
    static let preApprovalNamespace = "urn:xmpp:features:pre-approval"

    /// Whether the server announced subscription pre-approval
    /// (`<sub xmlns='urn:xmpp:features:pre-approval'/>`, RFC 6121 §3.4),
    /// which ``preApproveSubscription(from:)`` needs.
    public nonisolated var serverSupportsPreApproval: Bool {
        connection.streamFeatures.element.firstChild(named: "sub", namespace: Self.preApprovalNamespace) != nil
    }

    /// Asks to see a contact's presence (`subscribe`, RFC 6121 §3.1.1). The
    /// server adds the contact to the roster with a pending request; the
    /// answer arrives on ``subscriptionEvents`` as
    /// ``PresenceSubscriptionEvent/approved(_:)`` or
    /// ``PresenceSubscriptionEvent/cancelled(_:)``, perhaps much later.
    /// - Parameters:
    ///   - contact: The contact's bare JID.
    ///   - status: A note for the contact, if any.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``.
    public func requestSubscription(to contact: BareJID, status: String? = nil) async throws(XMPPClientError) {
        try await send(.subscribe, to: contact, status: status)
    }

    /// Lets a contact that asked see our presence (`subscribed`,
    /// RFC 6121 §3.1.5).
    ///
    /// Without a pending request, a server that supports pre-approval takes
    /// it as one (and others drop it); to pre-approve on purpose, prefer
    /// ``preApproveSubscription(from:)``, which checks.
    /// - Parameter contact: The contact's bare JID.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``.
    public func approveSubscription(from contact: BareJID) async throws(XMPPClientError) {
        try await send(.subscribed, to: contact)
    }

    /// Refuses a contact's pending request to see our presence
    /// (`unsubscribed`, RFC 6121 §3.1.5).
    /// - Parameter contact: The contact's bare JID.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``.
    public func denySubscription(from contact: BareJID) async throws(XMPPClientError) {
        try await send(.unsubscribed, to: contact)
    }

    /// Stops a contact from seeing our presence (`unsubscribed`,
    /// RFC 6121 §3.2): the subscription we granted ends, and the server
    /// sends it our unavailable presence. The same stanza as
    /// ``denySubscription(from:)``, named for a granted subscription; it
    /// also withdraws a pre-approval.
    /// - Parameter contact: The contact's bare JID.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``.
    public func cancelSubscription(from contact: BareJID) async throws(XMPPClientError) {
        try await send(.unsubscribed, to: contact)
    }

    /// Stops seeing a contact's presence (`unsubscribe`, RFC 6121 §3.3).
    ///
    /// Its presence stops coming, and not every server sends its
    /// unavailable presence first (Prosody 0.12 does not), so the tracker
    /// forgets the contact's resources at once: ``updates`` gets an
    /// ``PresenceUpdate/Change/unavailable(_:)`` for them (see
    /// ``PresenceLedger/forget(_:)``).
    /// - Parameter contact: The contact's bare JID.
    /// - Throws: ``XMPPClientError``, as from
    ///   ``XMPPConnection/send(_:)-(Presence)``; nothing is forgotten then.
    public func unsubscribe(from contact: BareJID) async throws(XMPPClientError) {
        try await send(.unsubscribe, to: contact)
        if let update = ledger.forget(contact) { updatesContinuation.yield(update) }
    }

    /// Approves a contact's subscription before it asks (RFC 6121 §3.4):
    /// when it does, the server approves at once, without a
    /// ``PresenceSubscriptionEvent/requested(_:_:)`` event. The server
    /// records it in the roster (`approved='true'`);
    /// ``cancelSubscription(from:)`` withdraws it.
    /// - Parameter contact: The contact's bare JID.
    /// - Throws: ``XMPPClientError``: ``XMPPClientError/Code/featureNotSupported``
    ///   when the server did not announce pre-approval (see
    ///   ``serverSupportsPreApproval``; nothing is sent), or as from
    ///   ``XMPPConnection/send(_:)-(Presence)``.
    public func preApproveSubscription(from contact: BareJID) async throws(XMPPClientError) {
        guard serverSupportsPreApproval else { throw .featureNotSupported(Self.preApprovalNamespace) }
        try await send(.subscribed, to: contact)
    }

    /// Sends a subscription stanza, always to a bare JID (RFC 6121 §3.1.1).
    private func send(_ type: Presence.StanzaType, to contact: BareJID, status: String? = nil) async throws(XMPPClientError) {
        let statuses = status.map { [LanguageTaggedText($0)] } ?? []
        try await connection.send(Presence(type: type, to: JID(contact), statuses: statuses))
    }
}
