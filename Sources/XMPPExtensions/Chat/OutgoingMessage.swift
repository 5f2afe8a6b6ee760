public import XMPPCore

/// What to add to a message ``Chat`` sends, besides its identifiers.
public struct ChatSendOptions: Hashable, Sendable {
    /// Ask the recipient for a delivery receipt (XEP-0184). Not allowed on
    /// `groupchat` and `error` messages.
    public var requestsReceipt: Bool
    /// Include this chat state (XEP-0085), typically ``ChatState/active``
    /// with a body.
    public var chatState: ChatState?
    /// Keep the message from the account's other resources: adds
    /// `<private xmlns='urn:xmpp:carbons:2'/>` and the `no-copy` hint
    /// (XEP-0280 §6, XEP-0334).
    public var excludesCarbons: Bool

    /// Creates options; by default nothing is added.
    /// - Parameters:
    ///   - requestsReceipt: Ask for a delivery receipt.
    ///   - chatState: A chat state to include.
    ///   - excludesCarbons: Keep the message from other resources.
    public init(requestsReceipt: Bool = false, chatState: ChatState? = nil, excludesCarbons: Bool = false) {
        self.requestsReceipt = requestsReceipt
        self.chatState = chatState
        self.excludesCarbons = excludesCarbons
    }
}

/// A message ``Chat`` sent, with the identifier it was given.
public struct SentMessage: Hashable, Sendable {
    /// The message's `id`, which is also its XEP-0359 origin-id: what a
    /// receipt (``DeliveryReceipt/id``), a correction or a reaction of the
    /// peer refers to.
    public var id: String
    /// The message as sent.
    public var message: Message

    /// Creates a record of a sent message.
    /// - Parameters:
    ///   - id: Its `id` and origin-id.
    ///   - message: The message.
    public init(id: String, message: Message) {
        self.id = id
        self.message = message
    }
}

extension Message {
    /// This message as ``Chat`` sends it: `id` and XEP-0359 origin-id set
    /// to `id` (replacing any the caller set, so each is fresh), then the
    /// options' payloads.
    /// - Throws: ``ChatError/Code/receiptNotAllowed`` when a receipt is
    ///   requested on a `groupchat` or `error` message.
    func prepared(id: String, options: ChatSendOptions) throws(ChatError) -> Message {
        var message = self
        message.id = id
        message.setPayload(OriginID(id: id))
        if options.requestsReceipt {
            guard message.type != .groupchat, message.type != .error else {
                throw ChatError(.receiptNotAllowed, detail: "no receipt request on a \(message.type) message")
            }
            message.setPayload(DeliveryReceiptRequest())
        }
        if let state = options.chatState {
            message.setPayload(state)
        }
        if options.excludesCarbons {
            if !message.extensions.contains(CarbonsRequest.privateElement) {
                message.extensions.append(CarbonsRequest.privateElement)
            }
            message.addPayload(MessageProcessingHint.noCopy)
        }
        return message
    }
}
