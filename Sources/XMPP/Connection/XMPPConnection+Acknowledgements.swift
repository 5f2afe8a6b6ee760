import NIOCore
public import XMPPCore

extension XMPPConnection {
    /// Sends a stanza and returns once the server has acknowledged it
    /// (XEP-0198 `<a h/>`): the server has taken responsibility for it.
    ///
    /// ```swift
    /// guard connection.isStreamManagementEnabled else { return }
    /// try await connection.sendAcknowledged(Message(type: .chat, to: try JID("bob@example.com"), body: "Hi"))
    /// ```
    ///
    /// The stanza is written at once, followed by an ack request (`<r/>`),
    /// so the wait is about one round trip. Stanzas sent with
    /// ``send(_:)-(XMLElement)`` are counted too; acknowledgements arrive in
    /// order, so when this returns every stanza sent before it was
    /// acknowledged as well.
    ///
    /// Cancelling the calling task stops the wait only: the stanza stays
    /// sent (and counted), and the call throws
    /// ``XMPPClientError/Code/notAcknowledged`` with a `CancellationError`
    /// as ``XMPPClientError/underlying``.
    /// - Parameter element: A stanza: `message`, `presence` or `iq` in the
    ///   `jabber:client` namespace.
    /// - Throws: ``XMPPClientError``:
    ///   - ``XMPPClientError/Code/notAcknowledged``: written, but the session
    ///     ended before an acknowledgement covered it (``XMPPClientError/underlying``
    ///     is the session's error), or the wait was cancelled. The stanza is
    ///     not known to be delivered: the server may or may not have it.
    ///   - ``XMPPClientError/Code/streamManagementNotEnabled``: this session
    ///     has no acknowledgements (see ``isStreamManagementEnabled``);
    ///     nothing was sent. Use ``send(_:)-(XMLElement)``.
    ///   - ``XMPPClientError/Code/notAStanza``,
    ///     ``XMPPClientError/Code/unserializableElement``,
    ///     ``XMPPClientError/Code/unacknowledgedLimitReached`` (the queue of
    ///     unacknowledged stanzas was full, and the task was cancelled while
    ///     waiting for room) or ``XMPPClientError/Code/connectionClosed``
    ///     (the session already ended): nothing was sent.
    public func sendAcknowledged(_ element: XMLElement) async throws(XMPPClientError) {
        try await sendAcknowledged(.element(element))
    }

    /// Sends a stanza as ``sendAcknowledged(_:)-(XMLElement)`` does.
    /// - Throws: As ``sendAcknowledged(_:)-(XMLElement)``.
    func sendAcknowledged(_ stanza: OutboundStanza) async throws(XMPPClientError) {
        // The actor runs on the channel's event loop: the stanza is written
        // and its wait registered before a cancellation, which hops onto
        // the loop, can look for it. When the queue is full it first waits
        // for room, as send(_:) does.
        let handler = self.handler
        let (token, acknowledged) = try await retryingWhenFull { () throws(XMPPClientError) in
            try handler.value.startAcknowledgedSend(stanza)
        }
        try await Self.waitForAcknowledgement(acknowledged) {
            handler.eventLoop.execute { handler.value.stopWaitingForAcknowledgement(token) }
        }
    }

    /// Waits for an acknowledgement; cancelling the task runs `stopWaiting`
    /// (which must fail the future). Errors other than an
    /// ``XMPPClientError`` become ``XMPPClientError/Code/notAcknowledged``.
    static func waitForAcknowledgement(
        _ acknowledged: EventLoopFuture<Void>,
        stopWaiting: @escaping @Sendable () -> Void
    ) async throws(XMPPClientError) {
        do {
            try await withTaskCancellationHandler {
                try await acknowledged.get()
            } onCancel: {
                stopWaiting()
            }
        } catch let error as XMPPClientError {
            throw error
        } catch {
            throw .notAcknowledged(error)
        }
    }

    /// Sends a message and returns once the server has acknowledged it.
    /// - Throws: See ``sendAcknowledged(_:)-(XMLElement)``.
    public func sendAcknowledged(_ message: Message) async throws(XMPPClientError) {
        try await sendAcknowledged(.message(message))
    }

    /// Sends a presence and returns once the server has acknowledged it.
    ///
    /// An available presence carries the standing extensions, as with
    /// ``send(_:)-(Presence)``.
    /// - Throws: See ``sendAcknowledged(_:)-(XMLElement)``.
    public func sendAcknowledged(_ presence: Presence) async throws(XMPPClientError) {
        try await sendAcknowledged(withStandingExtensions(presence).element)
    }

    /// Sends an IQ as it is and returns once the server has acknowledged it
    /// (the acknowledgement says the server took the IQ, not that anyone
    /// answered it; for requests prefer ``request(_:to:timeout:)``).
    /// - Throws: See ``sendAcknowledged(_:)-(XMLElement)``.
    public func sendAcknowledged(_ iq: IQ) async throws(XMPPClientError) {
        try await sendAcknowledged(iq.element)
    }
}
