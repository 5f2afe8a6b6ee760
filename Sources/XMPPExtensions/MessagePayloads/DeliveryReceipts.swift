public import XMPPCore

/// XEP-0184 `<request/>`: the sender asks to be told when the message
/// reached the recipient's client.
///
/// Only meaningful on a message with an `id` (the receipt names it), and
/// never on an `error` or `groupchat` message (XEP-0184 §5.4).
public struct DeliveryReceiptRequest: MessagePayload, Hashable {
    /// `urn:xmpp:receipts`, also the disco#info feature.
    public static let namespace = "urn:xmpp:receipts"

    /// Creates the request.
    public init() {}

    /// `{urn:xmpp:receipts}request`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("request", namespace: namespace)
    }

    /// Reads `<request xmlns='urn:xmpp:receipts'/>`.
    /// - Throws: ``StanzaParseError`` `unexpectedElement` for another element.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("request", namespace: Self.namespace)
    }

    /// `<request xmlns='urn:xmpp:receipts'/>`.
    public var element: XMLElement { XMLElement("request", namespace: Self.namespace) }
}

/// XEP-0184 `<received/>`: the message with this `id` reached the
/// recipient's client.
public struct DeliveryReceipt: MessagePayload, Hashable {
    /// The `id` of the message that was delivered.
    public var id: String

    /// Creates a receipt.
    /// - Parameter id: The `id` of the delivered message.
    public init(id: String) {
        self.id = id
    }

    /// `{urn:xmpp:receipts}received`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("received", namespace: DeliveryReceiptRequest.namespace)
    }

    /// Reads `<received xmlns='urn:xmpp:receipts' id='…'/>`.
    ///
    /// A receipt without `id` (allowed by early versions of XEP-0184) says
    /// nothing about which message arrived, so it does not read.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`id`) when the id is missing or empty.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("received", namespace: DeliveryReceiptRequest.namespace)
        self.init(id: try element.requiredPayloadAttribute("id"))
    }

    /// `<received xmlns='urn:xmpp:receipts' id='…'/>`.
    public var element: XMLElement {
        XMLElement("received", namespace: DeliveryReceiptRequest.namespace, attributes: ["id": id])
    }
}
