public import XMPPCore

/// An inbound message as a chat application sees it: the ``Message``, the
/// payloads of the chat XEPs read from it, and how it reached us (directly,
/// or as a carbon copy of another of our resources' traffic).
///
/// Made by ``Chat``'s streams (``Chat/messages(from:)``), which unwrap
/// carbons only from our own bare JID and keep a ``stanzaID`` only when our
/// server vouches for it. A payload that is malformed, or repeated where
/// its XEP allows one, reads as absent; the message is still delivered.
public struct ChatMessage: Hashable, Sendable {
    /// How the message reached this resource.
    public enum Direction: Hashable, Sendable {
        /// Sent to us (this resource or our bare JID) by its `from`.
        case incoming
        /// A carbon copy (XEP-0280) of a message another resource of ours
        /// received; ``ChatMessage/message`` is that message.
        case receivedCarbon
        /// A carbon copy (XEP-0280) of a message another resource of ours
        /// sent; its `to` is the peer.
        case sentCarbon
    }

    /// The message; for a carbon copy, the copied message (not the wrapper).
    public var message: Message
    /// How it reached us.
    public var direction: Direction
    /// XEP-0359: the id the sender gave the message (its claim, not a
    /// reference to trust).
    public var originID: OriginID?
    /// XEP-0359: the id our own server's archive gave the message: set
    /// only when its `by` is our bare JID **and** our account advertises
    /// `urn:xmpp:sid:0` (so the server removes forged ones). Every other
    /// `<stanza-id/>` is dropped, since any sender can write one.
    public var stanzaID: StanzaID?
    /// XEP-0203: when the message was first sent, if it was delayed (the
    /// earliest stamp when several entities delayed it; for a carbon, the
    /// forwarder's when the message has none).
    public var delay: DelayedDelivery?
    /// XEP-0085: the sender's chat state.
    public var chatState: ChatState?
    /// XEP-0184: whether the sender asked for a delivery receipt.
    public var requestsReceipt: Bool
    /// XEP-0184: a receipt for a message we sent (its ``DeliveryReceipt/id``).
    public var receipt: DeliveryReceipt?
    /// XEP-0308: this message corrects the one with this id.
    public var correction: MessageCorrection?
    /// XEP-0444: the sender's reactions to a message.
    public var reactions: MessageReactions?

    /// Reads the chat payloads of `message`; ``stanzaID`` stays `nil`
    /// (whether to trust one is for ``Chat`` to decide).
    /// - Parameters:
    ///   - message: The message (for a carbon copy, the copied one).
    ///   - direction: How it reached us.
    ///   - forwardedDelay: The delay on a carbon's `<forwarded/>`, used
    ///     when the message carries none.
    public init(message: Message, direction: Direction = .incoming, forwardedDelay: DelayedDelivery? = nil) {
        self.message = message
        self.direction = direction
        originID = try? message.payload(OriginID.self)
        stanzaID = nil
        delay = message.payloads(DelayedDelivery.self).min { $0.stamp < $1.stamp } ?? forwardedDelay
        chatState = try? message.payload(ChatState.self)
        requestsReceipt = message.extensions.contains { DeliveryReceiptRequest.matches($0.name) }
        receipt = try? message.payload(DeliveryReceipt.self)
        correction = try? message.payload(MessageCorrection.self)
        reactions = try? message.payload(MessageReactions.self)
    }

    /// The message's `id`.
    public var id: String? { message.id }
    /// The body in the message's default language.
    public var body: String? { message.body }
    /// XEP-0245: the action, when the body starts with `"/me "`.
    public var meAction: MeAction? { MeAction(body: message.body) }

    /// The other party: the `to` of a message another resource of ours
    /// sent, else the `from`.
    public var peer: JID? {
        direction == .sentCarbon ? message.to : message.from
    }

    /// Whether this is a carbon copy of another resource's traffic.
    public var isCarbonCopy: Bool { direction != .incoming }
}
