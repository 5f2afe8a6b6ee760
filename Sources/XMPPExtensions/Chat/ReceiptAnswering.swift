public import XMPPCore

/// Whether ``Chat`` answers delivery receipt requests (XEP-0184) on its
/// own, and for whom.
///
/// A receipt tells the sender that this client is online and got the
/// message, which is presence information: XEP-0184 §8 advises answering
/// only those allowed to see our presence. ``only(_:)`` takes that
/// decision as a predicate on the sender.
public struct ReceiptAnswering: Sendable {
    private let answers: @Sendable (JID) -> Bool

    private init(_ answers: @escaping @Sendable (JID) -> Bool) {
        self.answers = answers
    }

    /// Never answer on our own; the application calls
    /// ``Chat/sendReceipt(for:)``. The default.
    public static let never = ReceiptAnswering { _ in false }
    /// Answer every sender.
    public static let always = ReceiptAnswering { _ in true }

    /// Answer only the senders `isAllowed` accepts (for example, contacts
    /// with a presence subscription).
    /// - Parameter isAllowed: Called with the sender's full JID.
    public static func only(_ isAllowed: @escaping @Sendable (JID) -> Bool) -> ReceiptAnswering {
        ReceiptAnswering(isAllowed)
    }

    /// Whether to answer `sender`.
    func answers(_ sender: JID) -> Bool {
        answers(sender)
    }
}

extension ChatMessage {
    /// The receipt for this message, if XEP-0184 allows one at all: the
    /// message reached this resource itself (not a carbon copy), has an
    /// `id` and a sender, and is neither `groupchat` nor `error`
    /// (XEP-0184 §5.4). Whether it asked for one is not checked here.
    /// - Parameter id: The receipt message's own `id` (and origin-id).
    /// - Returns: The receipt message, addressed to the sender, in the same
    ///   thread, of type `chat` for a chat message, else `normal`.
    /// - Throws: ``ChatError/Code/receiptNotAllowed`` otherwise.
    func receiptReply(id: String) throws(ChatError) -> Message {
        guard direction == .incoming else {
            throw ChatError(.receiptNotAllowed, detail: "a carbon copy is answered by the resource that received it")
        }
        guard message.type != .groupchat, message.type != .error else {
            throw ChatError(.receiptNotAllowed, detail: "no receipt for a \(message.type) message")
        }
        guard let messageID = message.id, !messageID.isEmpty, let sender = message.from else {
            throw ChatError(.receiptNotAllowed, detail: "no receipt for a message without id or sender")
        }
        var reply = Message(type: message.type == .chat ? .chat : .normal, to: sender, thread: message.thread)
        reply.setPayload(DeliveryReceipt(id: messageID))
        // A receipt is never requested, so no options: just the identifiers.
        return try reply.prepared(id: id, options: ChatSendOptions())
    }
}
