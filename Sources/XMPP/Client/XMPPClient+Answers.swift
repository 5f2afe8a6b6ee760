public import XMPPCore

extension XMPPClient {
    /// Answers inbound messages from inside the read that delivered them,
    /// on every session of the client: the rules of
    /// ``XMPPConnection/answerMessages(from:_:)`` apply on each connection,
    /// from its first stanza on, resumed or new.
    ///
    /// ```swift
    /// let client = XMPPClient(configuration: configuration)
    /// client.answerMessages { message in
    ///     guard message.type == .chat, let body = message.body, let from = message.from else { return nil }
    ///     return Message(type: .chat, to: from, body: "echo: \(body)")
    /// }
    /// try await client.run()
    /// ```
    ///
    /// Register before ``run()`` to answer every message: one registered
    /// later answers the messages read after it, and not those already
    /// delivered or held for subscriptions.
    ///
    /// - The client's subscriptions (``messages(from:)``,
    ///   ``elements(where:)``) still receive every message; one that an
    ///   answerer took is not held for a later subscription.
    /// - An answer goes through the session like ``send(_:)-(XMLElement)``:
    ///   in the XEP-0198 ledger, sent again after a resumption when the
    ///   server had not acknowledged it. Answers still waiting for room in
    ///   that ledger when their connection ends (even one whose session is
    ///   resumed next) are reported with ``Event/notDelivered(_:_:)`` and
    ///   not sent again; none is dropped silently.
    /// - Without `peer`, messages come from anyone who can reach the
    ///   account: check ``Message/from`` before answering where it matters,
    ///   and do not answer `error` messages.
    /// - Parameters:
    ///   - peer: A bare JID answers every resource of that account, a full
    ///     JID that resource only; `nil` answers all messages.
    ///   - answer: Makes the answer to a message, or returns `nil` for
    ///     none. Called on the connection's event loop, one message at a
    ///     time, in arrival order; it must be quick and must not block.
    /// - Returns: The registration, to cancel it; otherwise it lasts as
    ///   long as the client.
    @discardableResult
    public nonisolated func answerMessages(
        from peer: JID? = nil,
        _ answer: @escaping @Sendable (Message) -> Message?
    ) -> MessageAnswerRegistration {
        let answerer = MessageAnswerer(filter: XMPPConnection.stanzaFilter(Message.self, from: peer), answer: answer)
        answerers.add(answerer)
        return MessageAnswerRegistration { [self] in
            answerers.remove(answerer)
            // A read in progress may have taken the list before the
            // removal; it ends within the loop's current turn.
            await connection?.waitForEventLoopTurn()
        }
    }
}
