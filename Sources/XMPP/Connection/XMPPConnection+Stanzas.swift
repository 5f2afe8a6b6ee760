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

    /// Sends an IQ as it is.
    ///
    /// To ask something, prefer ``request(_:to:timeout:)``: it picks the
    /// `id`, checks who answers, and has a deadline. A request sent here is
    /// answered on ``inbound`` (with the same `id`, from whoever claims to
    /// answer it: check `from` yourself).
    /// - Throws: See ``send(_:)-(XMLElement)``.
    public func send(_ iq: IQ) async throws(XMPPClientError) {
        try await send(iq.element)
    }
}
