public import XMPPCore

/// XEP-0444 `<reactions/>`: the sender's reactions (emoji) to one message.
///
/// A reactions payload is the sender's **whole** set for that message:
/// each one replaces the sender's previous reactions, and an empty set
/// takes them all back. The message is named by its `id` in one-to-one
/// chat, and by its room-assigned ``StanzaID`` in a room (XEP-0444 §3).
///
/// XEP-0444 asks that each `<reaction/>` hold a single emoji. Reading keeps
/// only those (see ``isSingleEmoji(_:)``), once each; sending refuses
/// anything else.
public struct MessageReactions: MessagePayload, Hashable {
    /// `urn:xmpp:reactions:0`, also the disco#info feature.
    public static let namespace = "urn:xmpp:reactions:0"

    /// The id of the message reacted to.
    public var messageID: String
    /// The reactions; empty to take back every earlier one.
    public var emojis: Set<String>

    /// Creates a reactions payload.
    /// - Parameters:
    ///   - messageID: The id of the message reacted to.
    ///   - emojis: The reactions, each a single emoji.
    public init(messageID: String, emojis: Set<String>) {
        self.messageID = messageID
        self.emojis = emojis
    }

    /// `{urn:xmpp:reactions:0}reactions`.
    public static func matches(_ name: XMLQualifiedName) -> Bool {
        name == XMLQualifiedName("reactions", namespace: namespace)
    }

    /// Reads `<reactions xmlns='urn:xmpp:reactions:0' id='…'><reaction>👍</reaction></reactions>`.
    ///
    /// A `<reaction/>` that is not a single emoji (text, two emoji, an
    /// element inside) is left out, and a repeated one counts once; the
    /// others still count, as XEP-0444 lets a receiver ignore invalid
    /// reactions.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (`id`) when it is missing or empty.
    public init(element: XMLElement) throws(StanzaParseError) {
        try element.requirePayloadName("reactions", namespace: Self.namespace)
        let messageID = try element.requiredPayloadAttribute("id")
        var emojis: Set<String> = []
        for reaction in element.children(named: "reaction", namespace: Self.namespace)
        where reaction.elements.isEmpty && Self.isSingleEmoji(reaction.text) {
            emojis.insert(reaction.text)
        }
        self.init(messageID: messageID, emojis: emojis)
    }

    /// The `<reactions/>` element, reactions sorted so the output is stable.
    public var element: XMLElement {
        XMLElement(
            "reactions", namespace: Self.namespace, attributes: ["id": messageID],
            children: emojis.sorted().map { .element(XMLElement("reaction", namespace: Self.namespace, text: $0)) })
    }

    /// Whether `text` is exactly one emoji as Unicode's emoji rules
    /// (UTS #51) build them: one user-perceived character made of emoji
    /// code points (with skin-tone modifiers, zero-width joiners, the
    /// emoji variation selector, keycaps and tags) and shown as an emoji:
    /// its first code point has emoji presentation by default, or the
    /// sequence asks for it.
    ///
    /// `"👍"`, `"👍🏽"`, `"❤️"`, `"1️⃣"`, `"🏳️‍🌈"` and `"🇫🇷"` are; `"a"`,
    /// `"1"`, `"❤"` (text presentation), `"👍👍"`, `""` and `"👍 "` are not.
    /// - Parameter text: A reaction.
    public static func isSingleEmoji(_ text: String) -> Bool {
        guard text.count == 1, let first = text.unicodeScalars.first, first.properties.isEmoji else { return false }
        // A flag is a pair of regional indicators; one alone shows as a letter.
        let regionalIndicators: ClosedRange<UInt32> = 0x1F1E6...0x1F1FF
        if regionalIndicators.contains(first.value) {
            return text.unicodeScalars.count == 2 && text.unicodeScalars.allSatisfy { regionalIndicators.contains($0.value) }
        }
        var asksForEmojiPresentation = false
        for scalar in text.unicodeScalars.dropFirst() {
            switch scalar.value {
            case 0xFE0F, 0x20E3:   // emoji variation selector, combining keycap
                asksForEmojiPresentation = true
            case 0x200D, 0xE0020...0xE007F:   // zero-width joiner, tag characters
                continue
            default:
                guard scalar.properties.isEmoji else { return false }
                if scalar.properties.isEmojiModifier { asksForEmojiPresentation = true }
            }
        }
        return first.properties.isEmojiPresentation || asksForEmojiPresentation
    }
}
