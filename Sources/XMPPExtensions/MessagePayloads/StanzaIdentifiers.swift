public import XMPPCore

/// XEP-0359 `<origin-id/>`: the identifier the sending client gave its
/// message, which the servers on the way keep unchanged.
///
/// It helps the sender recognise its own message (reflected by a room, or
/// copied by carbons). It says nothing trustworthy about the message: the
/// sender chose it, so never use a received origin-id to decide what a
/// later message refers to.
public struct OriginID: MessagePayload, Hashable {
    /// `urn:xmpp:sid:0`, also the disco#info feature of servers that stamp
    /// ``StanzaID``s and strip forged ones.
    public static let namespace = "urn:xmpp:sid:0"

    /// The identifier.
    public var id: String

    /// Creates an origin-id.
    /// - Parameter id: The identifier; unique, as ``random()`` makes.
    public init(id: String) {
        self.id = id
    }

    /// A fresh identifier: 122 random bits in the text form of a UUID
    /// (version 4), from the system's secure generator.
    public static func random() -> OriginID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A fresh identifier from `generator`.
    /// - Parameter generator: The source of random bits.
    public static func random(using generator: inout some RandomNumberGenerator) -> OriginID {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40   // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80   // RFC 4122 variant
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return OriginID(id: String(decoding: text, as: UTF8.self))
    }

    /// `{urn:xmpp:sid:0}origin-id`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("origin-id", namespace: namespace)
    }

    /// Reads `<origin-id xmlns='urn:xmpp:sid:0' id='…'/>`.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`id`) when the id is missing or empty.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("origin-id", namespace: Self.namespace)
        self.init(id: try element.requiredPayloadAttribute("id"))
    }

    /// `<origin-id xmlns='urn:xmpp:sid:0' id='…'/>`.
    public var element: XMLElement {
        XMLElement("origin-id", namespace: Self.namespace, attributes: ["id": id])
    }
}

/// XEP-0359 `<stanza-id/>`: the identifier an entity (`by`: a server
/// archiving for an account, a room) gave a message it handled, as used
/// by message archives (XEP-0313) and by references to messages in rooms.
///
/// Anyone can put a `<stanza-id/>` in a message they send, so one is only
/// believable when `by` is the entity we expect **and** that entity
/// announces `urn:xmpp:sid:0` (it then removes forged ones). ``ChatMessage``
/// keeps only such a trusted one; see ``ChatMessage/stanzaID``.
public struct StanzaID: MessagePayload, Hashable {
    /// The identifier.
    public var id: String
    /// Who assigned it.
    public var by: JID

    /// Creates a stanza-id.
    /// - Parameters:
    ///   - id: The identifier.
    ///   - by: The entity that assigned it.
    public init(id: String, by: JID) {
        self.id = id
        self.by = by
    }

    /// `{urn:xmpp:sid:0}stanza-id`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("stanza-id", namespace: OriginID.namespace)
    }

    /// Reads `<stanza-id xmlns='urn:xmpp:sid:0' id='…' by='…'/>`.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`id` or `by`) when one is missing or
    ///   empty; `malformedAddress` (`by`) when `by` is not a JID.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("stanza-id", namespace: OriginID.namespace)
        let id = try element.requiredPayloadAttribute("id")
        _ = try element.requiredPayloadAttribute("by")
        guard let by = try element.payloadAddressAttribute("by") else {
            throw StanzaParseError(.missingAttribute, subject: "by")
        }
        self.init(id: id, by: by)
    }

    /// `<stanza-id xmlns='urn:xmpp:sid:0' by='…' id='…'/>`.
    public var element: XMLElement {
        XMLElement("stanza-id", namespace: OriginID.namespace, attributes: ["by": by.description, "id": id])
    }
}
