public import XMPPCore

/// XEP-0280 `<received/>` or `<sent/>`: the server's copy of a message
/// another resource of this account received or sent, wrapped in a
/// message from the account's bare JID.
///
/// Reading the wrapper says nothing about whether to believe it: only a
/// wrapper whose `from` is our own bare JID may be unwrapped (XEP-0280 §11;
/// anyone can send a message containing `<received/>`). ``Chat`` makes
/// that check before a copy becomes a ``ChatMessage``.
public struct CarbonCopy: Hashable, Sendable {
    /// Which way the copied message went.
    public enum Direction: String, Hashable, Sendable {
        /// Another resource of ours received it.
        case received
        /// Another resource of ours sent it.
        case sent
    }

    /// Which way the copied message went.
    public var direction: Direction
    /// The copied message.
    public var forwarded: ForwardedMessage

    /// Creates a carbon copy.
    /// - Parameters:
    ///   - direction: Which way the message went.
    ///   - forwarded: The copied message.
    public init(direction: Direction, forwarded: ForwardedMessage) {
        self.direction = direction
        self.forwarded = forwarded
    }

    /// Whether an element is a carbon wrapper (`{urn:xmpp:carbons:2}received`
    /// or `sent`).
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name.namespace == CarbonsRequest.namespace && Direction(rawValue: name.localName) != nil
    }

    /// Reads `<received xmlns='urn:xmpp:carbons:2'><forwarded …/></received>`
    /// (or `<sent/>`).
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingChild` without `<forwarded/>`; `invalidChild`
    ///   for two; what ``ForwardedMessage/init(element:)`` throws.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name.namespace == CarbonsRequest.namespace,
            let direction = Direction(rawValue: element.name.localName)
        else { throw .unexpectedElement(element.name) }
        let wrapped = element.children(named: "forwarded", namespace: ForwardedMessage.namespace)
        guard let first = wrapped.first else {
            throw StanzaParseError(.missingChild, subject: "{\(ForwardedMessage.namespace)}forwarded")
        }
        guard wrapped.count == 1 else { throw StanzaParseError(.invalidChild, subject: "{\(ForwardedMessage.namespace)}forwarded") }
        self.init(direction: direction, forwarded: try ForwardedMessage(element: first))
    }

    /// The wrapper element.
    public var element: XMLElement {
        XMLElement(direction.rawValue, namespace: CarbonsRequest.namespace, children: [.element(forwarded.element)])
    }
}
