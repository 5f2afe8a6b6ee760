import NIOCore
public import XMPPCore

extension XMPPConnection {
    /// Answers inbound messages from inside the read that delivered them:
    /// `answer` runs on the connection's event loop for every message the
    /// server sends (only those from `peer`, if one is given), and the
    /// message it returns is sent at once, in the same turn of the loop.
    ///
    /// ```swift
    /// connection.answerMessages { message in
    ///     guard message.type == .chat, let body = message.body, let from = message.from else { return nil }
    ///     return Message(type: .chat, to: from, body: "echo: \(body)")
    /// }
    /// ```
    ///
    /// This is the shortest path from a message to its answer: no task is
    /// resumed and nothing is awaited, so an echo or command bot answers
    /// within microseconds of the read. The price is that `answer` must
    /// be quick and must not block: while it runs, the connection (and
    /// every other connection on the same event loop) reads nothing. For
    /// answers that need to await something (a request, a database), read
    /// ``messages(from:)`` in a task instead.
    ///
    /// - Answerers run before the subscriptions' consumers see the message;
    ///   subscriptions (``messages(from:)``, ``elements(where:)``) still
    ///   receive it. A message an answerer took is not held for later
    ///   subscriptions.
    /// - Messages that arrived before any subscription or answerer wanted
    ///   them (see ``elements(where:)``) are answered when the answerer is
    ///   registered, in order.
    /// - Messages that do not parse are not answered; they are logged at
    ///   `debug`.
    /// - Without `peer`, messages come from anyone who can reach the
    ///   account: check ``Message/from`` before answering where it matters,
    ///   and do not answer `error` messages (two answerers that echo
    ///   errors to each other never stop).
    /// - While XEP-0198's queue of unacknowledged stanzas is full, answers
    ///   wait, in order, until the server acknowledges; none is dropped.
    ///   An answer that cannot be sent (the session ended, or it cannot
    ///   be serialised) is logged at `warning`.
    /// - The answerer ends with the session, or with
    ///   ``MessageAnswerRegistration/cancel()``.
    ///
    /// Registration from outside the event loop lands a moment later;
    /// messages delivered meanwhile that nobody took are held, so none is
    /// missed.
    /// - Parameters:
    ///   - peer: A bare JID answers every resource of that account, a full
    ///     JID that resource only; `nil` answers all messages.
    ///   - answer: Makes the answer to a message, or returns `nil` for
    ///     none. Called on the event loop, one message at a time, in
    ///     arrival order.
    /// - Returns: The registration, to cancel it before the session ends.
    @discardableResult
    public nonisolated func answerMessages(
        from peer: JID? = nil,
        _ answer: @escaping @Sendable (Message) -> Message?
    ) -> MessageAnswerRegistration {
        let answerer = MessageAnswerer(filter: Self.stanzaFilter(Message.self, from: peer), answer: answer)
        let handler = self.handler
        let eventLoop = channel.eventLoop
        if eventLoop.inEventLoop {
            handler.value.addAnswerer(answerer)
        } else {
            eventLoop.execute { handler.value.addAnswerer(answerer) }
        }
        return MessageAnswerRegistration { [self] in await removeAnswerer(answerer) }
    }

    /// Removes an answerer, on the event loop.
    private func removeAnswerer(_ answerer: MessageAnswerer) {
        handler.value.removeAnswerer(answerer)
    }

    /// Returns once the event loop ran everything queued before the call
    /// (at once if the channel's loop is gone): a read that was running
    /// answerers has ended by then.
    func waitForEventLoopTurn() async {
        try? await channel.eventLoop.submit {}.get()
    }
}

/// A message answerer, registered with
/// ``XMPPConnection/answerMessages(from:_:)`` or
/// ``XMPPClient/answerMessages(from:_:)``.
///
/// The answerer stays until ``cancel()`` or the end of the session (of the
/// client, for a client's answerer); dropping this value does not remove
/// it.
public struct MessageAnswerRegistration: Sendable {
    private let remove: @Sendable () async -> Void

    /// - Parameter remove: Removes the answerer; returns once no message
    ///   read afterwards can reach it.
    init(remove: @escaping @Sendable () async -> Void) {
        self.remove = remove
    }

    /// Removes the answerer: once this returns, it answers no more
    /// messages. Does nothing after the session (or the client) ended.
    public func cancel() async {
        await remove()
    }
}
