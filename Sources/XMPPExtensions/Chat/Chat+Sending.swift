import XMPP
public import XMPPCore

extension Chat {
    /// Sends a message built by the caller, with a fresh `id` and XEP-0359
    /// origin-id (replacing any it had) and the options' payloads.
    ///
    /// Any type works (`chat`, `normal`, `headline`, `groupchat`); its
    /// thread, language and extensions go out as they are.
    /// - Parameters:
    ///   - message: The message.
    ///   - options: Receipt request, chat state, carbons exclusion.
    /// - Returns: The message as sent, and its id.
    /// - Throws: ``ChatError`` (``ChatError/Code/receiptNotAllowed`` for a
    ///   receipt request on `groupchat` or `error`; nothing is sent), or
    ///   the ``XMPPClientError`` of ``XMPPConnection/send(_:)-(Message)``.
    @discardableResult
    public func send(_ message: Message, options: ChatSendOptions = ChatSendOptions()) async throws -> SentMessage {
        let id = OriginID.random().id
        let prepared = try message.prepared(id: id, options: options)
        try await connection.send(prepared)
        return SentMessage(id: id, message: prepared)
    }

    /// Sends a text message.
    ///
    /// ```swift
    /// try await chat.send("Hello", to: bob, thread: Message.Thread("t1"), language: "en",
    ///                     options: ChatSendOptions(requestsReceipt: true, chatState: .active))
    /// ```
    /// - Parameters:
    ///   - body: The text.
    ///   - recipient: A full JID to reach one client, a bare JID to let the
    ///     server deliver it, a room's bare JID for `groupchat`.
    ///   - type: `chat` by default; `normal`, `headline` or `groupchat`.
    ///   - thread: The conversation thread.
    ///   - language: The language of the text (`xml:lang`).
    ///   - options: Receipt request, chat state, carbons exclusion.
    /// - Returns: The message as sent, and its id.
    /// - Throws: As ``send(_:options:)``.
    @discardableResult
    public func send(
        _ body: String,
        to recipient: JID,
        type: Message.StanzaType = .chat,
        thread: Message.Thread? = nil,
        language: String? = nil,
        options: ChatSendOptions = ChatSendOptions()
    ) async throws -> SentMessage {
        let message = Message(
            type: type, to: recipient, language: language, bodies: [LanguageTaggedText(body)], thread: thread)
        return try await send(message, options: options)
    }

    /// Sends a chat state alone (XEP-0085), without a body: "composing",
    /// "paused" and the rest.
    ///
    /// It carries the `no-store` hint (XEP-0334): a notice about typing is
    /// worth nothing later, so servers should neither archive it nor keep
    /// it for an offline recipient.
    /// - Parameters:
    ///   - state: The state.
    ///   - recipient: The peer (or room, with `groupchat`).
    ///   - type: `chat` by default, or `groupchat`.
    ///   - thread: The conversation thread.
    /// - Returns: The message as sent.
    /// - Throws: The ``XMPPClientError`` of sending.
    @discardableResult
    public func sendChatState(
        _ state: ChatState,
        to recipient: JID,
        type: Message.StanzaType = .chat,
        thread: Message.Thread? = nil
    ) async throws -> SentMessage {
        var message = Message(type: type, to: recipient, thread: thread)
        message.addPayload(MessageProcessingHint.noStore)
        return try await send(message, options: ChatSendOptions(chatState: state))
    }

    /// Sends the delivery receipt (XEP-0184) for a message we received.
    ///
    /// Use it when ``Options/receiptAnswering`` does not answer on its own.
    /// It does not check ``ChatMessage/requestsReceipt``: a receipt nobody
    /// asked for is harmless.
    /// - Parameter message: The message received.
    /// - Returns: The receipt as sent.
    /// - Throws: ``ChatError/Code/receiptNotAllowed`` (nothing is sent) for
    ///   a carbon copy, a `groupchat` or `error` message, or one without
    ///   `id` or sender; otherwise the ``XMPPClientError`` of sending.
    @discardableResult
    public func sendReceipt(for message: ChatMessage) async throws -> SentMessage {
        let id = OriginID.random().id
        let receipt = try message.receiptReply(id: id)
        if let sender = message.message.from, let messageID = message.id {
            _ = answeredReceipts.insert(Self.receiptKey(sender: sender, id: messageID))
        }
        try await connection.send(receipt)
        return SentMessage(id: id, message: receipt)
    }

    /// Sends a correction (XEP-0308): new text for a message sent earlier.
    /// - Parameters:
    ///   - messageID: The `id` of the **original** message (also when
    ///     correcting a correction): ``SentMessage/id``.
    ///   - recipient: Where the original went.
    ///   - body: The corrected text, in full.
    ///   - type: The original's type, `chat` by default.
    ///   - thread: The original's thread.
    ///   - language: The language of the text.
    ///   - options: Receipt request, chat state, carbons exclusion.
    /// - Returns: The correction as sent; it has an id of its own.
    /// - Throws: ``ChatError/Code/missingMessageID`` for an empty id; as
    ///   ``send(_:options:)`` otherwise.
    @discardableResult
    public func correct(
        _ messageID: String,
        to recipient: JID,
        with body: String,
        type: Message.StanzaType = .chat,
        thread: Message.Thread? = nil,
        language: String? = nil,
        options: ChatSendOptions = ChatSendOptions()
    ) async throws -> SentMessage {
        guard !messageID.isEmpty else { throw ChatError(.missingMessageID, detail: "correction of a message without id") }
        var message = Message(
            type: type, to: recipient, language: language, bodies: [LanguageTaggedText(body)], thread: thread)
        message.setPayload(MessageCorrection(replacedID: messageID))
        return try await send(message, options: options)
    }

    /// Sends our reactions to a message (XEP-0444): the whole set, which
    /// replaces any we sent for it before; an empty set takes them back.
    ///
    /// It carries the `store` hint (XEP-0334), so that archives keep it
    /// although it has no body.
    /// - Parameters:
    ///   - messageID: The message's `id` in one-to-one chat, its
    ///     room-assigned ``StanzaID`` in a room.
    ///   - recipient: The peer (or room, with `groupchat`).
    ///   - emojis: The reactions, each a single emoji.
    ///   - type: `chat` by default, or `groupchat`.
    /// - Returns: The message as sent.
    /// - Throws: ``ChatError``: ``ChatError/Code/invalidReaction`` for a
    ///   reaction that is not a single emoji,
    ///   ``ChatError/Code/missingMessageID`` for an empty id (nothing is
    ///   sent); otherwise the ``XMPPClientError`` of sending.
    @discardableResult
    public func react(
        to messageID: String,
        of recipient: JID,
        with emojis: Set<String>,
        type: Message.StanzaType = .chat
    ) async throws -> SentMessage {
        guard !messageID.isEmpty else { throw ChatError(.missingMessageID, detail: "reaction to a message without id") }
        if let invalid = emojis.first(where: { !MessageReactions.isSingleEmoji($0) }) {
            throw ChatError(.invalidReaction, detail: "not a single emoji: \(invalid.unicodeScalars.count) code points")
        }
        var message = Message(type: type, to: recipient)
        message.setPayload(MessageReactions(messageID: messageID, emojis: emojis))
        message.addPayload(MessageProcessingHint.store)
        return try await send(message)
    }

    /// The key under which an answered receipt is remembered.
    static func receiptKey(sender: JID, id: String) -> String {
        "\(sender)\u{0}\(id)"
    }
}
