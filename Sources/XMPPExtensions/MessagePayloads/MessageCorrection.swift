public import XMPPCore

/// XEP-0308 `<replace/>`: this message corrects an earlier one, whose text
/// it replaces.
///
/// The ``replacedID`` is the `id` of the **original** message, also when
/// correcting a correction. XEP-0308 lets a client accept a correction only
/// from the sender of the original (the same full JID, or the same room
/// occupant); that check needs the original, so it is the application's
/// to make.
public struct MessageCorrection: MessagePayload, Hashable {
    /// `urn:xmpp:message-correct:0`, also the disco#info feature.
    public static let namespace = "urn:xmpp:message-correct:0"

    /// The `id` of the message being corrected.
    public var replacedID: String

    /// Creates a correction reference.
    /// - Parameter replacedID: The `id` of the original message.
    public init(replacedID: String) {
        self.replacedID = replacedID
    }

    /// `{urn:xmpp:message-correct:0}replace`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("replace", namespace: namespace)
    }

    /// Reads `<replace xmlns='urn:xmpp:message-correct:0' id='…'/>`.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`id`) when it is missing or empty.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("replace", namespace: Self.namespace)
        self.init(replacedID: try element.requiredPayloadAttribute("id"))
    }

    /// `<replace xmlns='urn:xmpp:message-correct:0' id='…'/>`.
    public var element: XMLElement {
        XMLElement("replace", namespace: Self.namespace, attributes: ["id": replacedID])
    }
}
