import Logging
import XMPP
public import XMPPCore

extension Chat {
    /// A new subscription to the messages of one peer, or of everybody, as
    /// ``ChatMessage``s, from now until the session ends.
    ///
    /// ```swift
    /// for try await message in chat.messages(from: try JID("bob@example.com")) {
    ///     if let state = message.chatState { print("bob is \(state)") }
    /// }
    /// ```
    ///
    /// Carbon copies (after ``enableCarbons(timeout:)``) of messages
    /// exchanged with `peer` are included, with their
    /// ``ChatMessage/direction``. Messages that do not parse, and carbon
    /// wrappers that are not from our own bare JID, are skipped and logged
    /// at `debug`. Like every subscription (see
    /// ``XMPPConnection/elements(where:)``), it receives every matching
    /// message whatever other subscriptions receive, and takes over
    /// matching messages that arrived before anybody subscribed.
    /// - Parameter peer: A bare JID for every resource of that account, a
    ///   full JID for that resource only, `nil` for all messages.
    /// - Returns: The messages, in arrival order.
    public nonisolated func messages(from peer: JID? = nil) -> ChatMessageStream {
        let reader = self.reader
        let elements = connection.elements { reader.accepts($0, from: peer) }
        return ChatMessageStream(elements: elements, chat: self)
    }

    /// What a stream delivers for one inbound element: the message with
    /// its stanza-id kept only if trusted, and its receipt answered when
    /// the options say so; `nil` for an element to skip.
    func received(_ element: XMLElement) async -> ChatMessage? {
        let reading = reader.read(element)
        let logger = connection.logger
        switch reading {
        case .ignored(let reason):
            logger.debug(
                "XMPP chat message ignored",
                metadata: [
                    ChatLogKey.stanzaID: "\(element[attribute: "id"] ?? "")",
                    ChatLogKey.stanzaFrom: "\(element[attribute: "from"] ?? "")",
                    ChatLogKey.reason: "\(reason)",
                ])
            return nil
        case .message(_, let candidate):
            var trusted = false
            if let candidate {
                trusted = await trustsOwnStanzaIDs()
                if !trusted {
                    logger.debug(
                        "XMPP chat stanza-id dropped: the account does not vouch for it",
                        metadata: [ChatLogKey.stanzaID: "\(candidate.id)"])
                }
            }
            guard let message = reading.resolved(trustingStanzaIDs: trusted) else { return nil }
            await answerReceiptRequest(of: message)
            return message
        }
    }

    /// Answers the receipt request of `message` if the options allow it
    /// for its sender and XEP-0184 allows it at all, once per message.
    private func answerReceiptRequest(of message: ChatMessage) async {
        guard message.requestsReceipt, message.direction == .incoming,
            let sender = message.message.from, let messageID = message.id,
            options.receiptAnswering.answers(sender)
        else { return }
        // Remembered before the await, so a second stream reading the same
        // message meanwhile does not answer it again.
        guard answeredReceipts.insert(Self.receiptKey(sender: sender, id: messageID)) else { return }
        let id = OriginID.random().id
        do {
            try await connection.send(message.receiptReply(id: id))
        } catch {
            connection.logger.debug(
                "XMPP chat receipt not sent",
                metadata: [ChatLogKey.stanzaID: "\(messageID)", ChatLogKey.error: "\(error)"])
        }
    }
}

/// The metadata keys chat logs with; the same names as the session's.
enum ChatLogKey {
    /// The `id` of a stanza.
    static let stanzaID = "xmpp.stanza_id"
    /// The `from` of a stanza, as sent.
    static let stanzaFrom = "xmpp.stanza_from"
    /// Why a stanza was ignored.
    static let reason = "xmpp.reason"
    /// An error's description.
    static let error = "error"
}
