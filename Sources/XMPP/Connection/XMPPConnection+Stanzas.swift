public import XMPPCore

extension XMPPConnection {
    /// Sends a message.
    ///
    /// The message is serialised straight from the model, without building
    /// its element first: the cheapest way to send one.
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ message: Message) async throws(XMPPClientError) {
        try await send(.message(message))
    }

    /// Sends a presence.
    ///
    /// An available presence (no `type`) also carries the standing
    /// extensions set with ``setAvailablePresenceExtension(_:forKey:)`` (for
    /// example XEP-0115 capabilities), unless it already has a child of the
    /// same name.
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ presence: Presence) async throws(XMPPClientError) {
        try await send(withStandingExtensions(presence).element)
    }

    /// `presence` with the standing extensions added when it is available.
    func withStandingExtensions(_ presence: Presence) -> Presence {
        guard presence.type == .available else { return presence }
        var presence = presence
        for (_, element) in availablePresenceExtensions.sorted(by: { $0.key < $1.key })
        where !presence.extensions.contains(where: { $0.name == element.name }) {
            presence.extensions.append(element)
        }
        return presence
    }

    /// Sets (or, with `nil`, removes) an element that every available
    /// presence sent through ``send(_:)-(Presence)`` carries from now on, such
    /// as XEP-0115's `<c/>`. The next available presence carries it; nothing
    /// is sent now.
    /// - Parameters:
    ///   - element: The element, or `nil` to stop adding the one under `key`.
    ///   - key: Names the extension, so that it can be replaced or removed.
    public func setAvailablePresenceExtension(_ element: XMLElement?, forKey key: String) {
        availablePresenceExtensions[key] = element
    }

    /// Sends an IQ as it is.
    ///
    /// To ask something, prefer ``request(_:to:timeout:)``: it picks the
    /// `id`, checks who answers, and has a deadline. A request sent here is
    /// answered on a subscription from ``elements(where:)`` (with the same
    /// `id`, from whoever claims to answer it: check `from` yourself).
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ iq: IQ) async throws(XMPPClientError) {
        try await send(iq.element)
    }
}
