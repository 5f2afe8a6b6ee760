public import XMPPCore

/// XEP-0297 `<forwarded/>`: a copy of a message wrapped inside another
/// stanza, with when it was first sent; how carbons (XEP-0280) and message
/// archives (XEP-0313) hand over messages.
///
/// Whether the copy can be believed depends on who wrapped it, which is
/// the business of the protocol that uses it (see ``CarbonCopy``).
public struct ForwardedMessage: Hashable, Sendable {
    /// `urn:xmpp:forward:0`.
    public static let namespace = "urn:xmpp:forward:0"

    /// The forwarded message.
    public var message: Message
    /// When it was first sent, if the forwarder said so.
    public var delay: DelayedDelivery?

    /// Creates a forwarded copy.
    /// - Parameters:
    ///   - message: The message.
    ///   - delay: When it was first sent.
    public init(message: Message, delay: DelayedDelivery? = nil) {
        self.message = message
        self.delay = delay
    }

    /// Reads `<forwarded xmlns='urn:xmpp:forward:0'><delay/>?<message xmlns='jabber:client'/></forwarded>`.
    ///
    /// Only a forwarded message is read (XEP-0297 also allows presences and
    /// IQs, which nothing here forwards).
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingChild` without a `<message/>`; `invalidChild` for
    ///   two messages or two delays; what ``DelayedDelivery`` and
    ///   ``XMPPCore/Message/init(element:namespace:)`` throw for a malformed one.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("forwarded", namespace: Self.namespace)
        let messageName = XMLQualifiedName(Message.localName, namespace: XMLNamespace.client)
        var message: Message?
        var delay: DelayedDelivery?
        for child in element.elements {
            if child.name == messageName {
                guard message == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                message = try Message(element: child, namespace: XMLNamespace.client)
            } else if DelayedDelivery.matches(child.name) {
                guard delay == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                delay = try DelayedDelivery(element: child)
            }
        }
        guard let message else { throw StanzaParseError(.missingChild, subject: messageName.description) }
        self.init(message: message, delay: delay)
    }

    /// The `<forwarded/>` element.
    public var element: XMLElement {
        var element = XMLElement("forwarded", namespace: Self.namespace)
        if let delay { element.append(delay.element) }
        element.append(message.element)
        return element
    }
}
