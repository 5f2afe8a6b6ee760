import XMPPCore

/// Turns inbound `<message/>` elements into ``ChatMessage``s for one
/// account, applying the rules about whom to believe: pure, so every rule
/// is tested without a connection.
///
/// - A message with a carbon wrapper (`<received/>` or `<sent/>` in
///   `urn:xmpp:carbons:2`) is unwrapped only when its `from` is exactly our
///   bare JID (XEP-0280 §11, security P25). From anyone else (another
///   user, our own full JID, our server's domain, or nobody) it is
///   ignored as a whole: not unwrapped, not delivered as a plain message.
///   The copied message must also be ours: a sent copy from our account,
///   a received copy to it.
/// - Of the `<stanza-id/>`s, only one whose `by` is our bare JID is a
///   candidate; whether to keep it depends on the server (see
///   ``Reading/message(_:stanzaIDCandidate:)``).
struct ChatMessageReader: Sendable {
    /// Why an element gave no ``ChatMessage``; logged at `debug`.
    enum IgnoredReason: Hashable, Sendable, CustomStringConvertible {
        /// Not a `<message/>` in `jabber:client`.
        case notAMessage
        /// The message (or the copy in a carbon) does not parse.
        case unparsable(StanzaParseError)
        /// A carbon wrapper not from our bare JID: a spoofing attempt.
        case untrustedCarbon
        /// A carbon from our bare JID, but malformed (two wrappers, no
        /// `<forwarded/>`, a broken copy).
        case malformedCarbon
        /// A carbon whose copied message is not our account's.
        case foreignCarbon

        /// The reason, for the log.
        var description: String {
            switch self {
            case .notAMessage: "not a message"
            case .unparsable(let error): "does not parse: \(error)"
            case .untrustedCarbon: "carbon not from our bare JID"
            case .malformedCarbon: "malformed carbon"
            case .foreignCarbon: "carbon of another account's message"
            }
        }
    }

    /// What came of one element.
    enum Reading: Hashable, Sendable {
        /// A message, and the `<stanza-id/>` that claims to be by our bare
        /// JID, which ``ChatMessage/stanzaID`` may take only when our
        /// account advertises `urn:xmpp:sid:0`.
        case message(ChatMessage, stanzaIDCandidate: StanzaID?)
        /// Nothing to deliver, and why.
        case ignored(IgnoredReason)

        /// The message with the candidate kept if `trusted`, else dropped;
        /// `nil` when the element was ignored.
        func resolved(trustingStanzaIDs trusted: Bool) -> ChatMessage? {
            guard case .message(var message, let candidate) = self else { return nil }
            message.stanzaID = trusted ? candidate : nil
            return message
        }
    }

    /// Our account.
    let account: BareJID

    private static let messageName = XMLQualifiedName(Message.localName, namespace: XMLNamespace.client)

    /// Reads one inbound element.
    func read(_ element: XMLElement) -> Reading {
        guard element.name == Self.messageName else { return .ignored(.notAMessage) }
        let message: Message
        do {
            message = try Message(element: element, namespace: XMLNamespace.client)
        } catch {
            return .ignored(.unparsable(error))
        }
        let wrappers = message.extensions.filter { CarbonCopy.matches($0.name) }
        guard !wrappers.isEmpty else {
            let chatMessage = ChatMessage(message: message)
            return .message(chatMessage, stanzaIDCandidate: stanzaIDCandidate(in: message))
        }
        guard message.from == JID(account) else { return .ignored(.untrustedCarbon) }
        guard wrappers.count == 1, let carbon = try? CarbonCopy(element: wrappers[0]) else {
            return .ignored(.malformedCarbon)
        }
        let copied = carbon.forwarded.message
        switch carbon.direction {
        case .sent:
            guard copied.from.map({ $0.bare == account }) ?? true else { return .ignored(.foreignCarbon) }
            let chatMessage = ChatMessage(message: copied, direction: .sentCarbon, forwardedDelay: carbon.forwarded.delay)
            return .message(chatMessage, stanzaIDCandidate: stanzaIDCandidate(in: copied))
        case .received:
            guard copied.to.map({ $0.bare == account }) ?? true else { return .ignored(.foreignCarbon) }
            let chatMessage = ChatMessage(message: copied, direction: .receivedCarbon, forwardedDelay: carbon.forwarded.delay)
            return .message(chatMessage, stanzaIDCandidate: stanzaIDCandidate(in: copied))
        }
    }

    /// The one well-formed `<stanza-id/>` by our bare JID; none when there
    /// are two (XEP-0359 allows one per `by`, so two are a forgery).
    func stanzaIDCandidate(in message: Message) -> StanzaID? {
        let ours = message.payloads(StanzaID.self).filter { $0.by == JID(account) }
        return ours.count == 1 ? ours[0] : nil
    }

    /// Whether a chat stream for `peer` wants `element`: a message from
    /// `peer` (any resource when it is bare), or a carbon wrapper from our
    /// bare JID whose copy was exchanged with `peer`. Cheap, as it runs on
    /// the event loop for every inbound element; the full checks come in
    /// ``read(_:)``.
    /// - Parameters:
    ///   - element: An inbound top-level element.
    ///   - peer: The peer, or `nil` for every message.
    func accepts(_ element: XMLElement, from peer: JID?) -> Bool {
        guard element.name == Self.messageName else { return false }
        guard let peer else { return true }
        guard let from = Self.address(element[attribute: "from"]) else { return false }
        if Self.address(from, matches: peer) { return true }
        guard from == JID(account) else { return false }
        for wrapper in element.elements where CarbonCopy.matches(wrapper.name) {
            let copies = wrapper.children(named: "forwarded", namespace: ForwardedMessage.namespace)
                .flatMap { $0.children(named: Message.localName, namespace: XMLNamespace.client) }
            for copy in copies {
                let counterpart = wrapper.name.localName == CarbonCopy.Direction.sent.rawValue ? "to" : "from"
                if let address = Self.address(copy[attribute: counterpart]), Self.address(address, matches: peer) {
                    return true
                }
            }
        }
        return false
    }

    private static func address(_ text: String?) -> JID? {
        text.flatMap { try? JID($0) }
    }

    /// `address` is `peer`, or any resource of it when `peer` is bare.
    private static func address(_ address: JID, matches peer: JID) -> Bool {
        peer.isBare ? address.bare == peer.bare : address == peer
    }
}
