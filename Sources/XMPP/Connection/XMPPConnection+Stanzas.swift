public import XMPPCore

extension XMPPConnection {
    /// Sends a message.
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ message: Message) async throws(XMPPClientError) {
        try await send(message.element)
    }

    /// Sends a presence.
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ presence: Presence) async throws(XMPPClientError) {
        try await send(presence.element)
    }

    /// Sends an IQ. The response (if it is a request) arrives on
    /// ``inbound`` with the same `id`.
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ iq: IQ) async throws(XMPPClientError) {
        try await send(iq.element)
    }
}
