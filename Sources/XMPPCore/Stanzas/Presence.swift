/// A `<presence/>` stanza (RFC 6120 §8.2.2, RFC 6121 §4): availability
/// broadcast, subscription management, or a probe.
///
/// Children the model knows (`show`, `status`, `priority` and, for errors,
/// `error`) are typed; every other child element is kept verbatim in
/// ``extensions``, in order.
public struct Presence: Stanza, Hashable {
    /// What the presence means; ``StanzaType/available`` is the absence of
    /// a `type` attribute.
    public var type: StanzaType
    /// The stanza identifier, if any.
    public var id: String?
    /// The intended recipient; `nil` for a broadcast.
    public var to: JID?
    /// The sender.
    public var from: JID?
    /// The default language (`xml:lang`) of the status texts.
    public var language: String?
    /// The availability sub-state; `nil` means plain "online".
    public var show: Show?
    /// The status texts, at most one per language, in document order.
    public var statuses: [LanguageTaggedText]
    /// The priority of this resource (RFC 6121 §4.7.2.3), as sent; `nil`
    /// when absent, which means 0 (see ``effectivePriority``).
    public var priority: Int8?
    /// The error; present when ``type`` is ``StanzaType/error``.
    public var error: StanzaError? {
        get { errorStorage?.value }
        set { errorStorage = newValue.map(RareValue.init) }
    }
    /// Where ``error`` is kept: behind a reference, being rare.
    var errorStorage: RareValue<StanzaError>?
    /// Every other child element, verbatim and in document order.
    public var extensions: [XMLElement]
    /// Attributes of `<presence/>` other than `to`, `from`, `id`, `type` and
    /// `xml:lang`, in document order.
    public var additionalAttributes: [XMLAttribute]

    /// The local name of the element, `"presence"`.
    public static let localName = "presence"
}

extension Presence {
    // Initialisers end in the synthesised memberwise one (hence this
    // extension): one that assigned the stored properties itself made
    // the optimiser build the value in a temporary and copy it out,
    // a retain and a release per reference (see Message).
    /// Creates a presence stanza.
    /// - Parameters:
    ///   - type: What the presence means; `available` by default.
    ///   - to: The intended recipient; `nil` for a broadcast.
    ///   - from: The sender; a client leaves it `nil`.
    ///   - id: The stanza identifier.
    ///   - language: The default language of the status texts.
    ///   - show: The availability sub-state.
    ///   - statuses: The status texts, at most one per language.
    ///   - priority: The resource priority.
    ///   - error: The error, for a presence of type `error`.
    ///   - extensions: Further child elements.
    ///   - additionalAttributes: Further attributes of `<presence/>`.
    public init(
        type: StanzaType = .available,
        to: JID? = nil,
        from: JID? = nil,
        id: String? = nil,
        language: String? = nil,
        show: Show? = nil,
        statuses: [LanguageTaggedText] = [],
        priority: Int8? = nil,
        error: StanzaError? = nil,
        extensions: [XMLElement] = [],
        additionalAttributes: [XMLAttribute] = []
    ) {
        self.init(
            type: type, id: id, to: to, from: from, language: language, show: show, statuses: statuses,
            priority: priority, errorStorage: error.map(RareValue.init), extensions: extensions,
            additionalAttributes: additionalAttributes
        )
    }
}

extension Presence {
    /// The status text in the default language: the untagged one, else the
    /// one tagged with ``language``, else the first.
    ///
    /// Setting replaces that status or adds an untagged one; setting `nil`
    /// removes every status.
    public var status: String? {
        get { statuses.preferredText(stanzaLanguage: language) }
        set { statuses.setPreferredText(newValue, stanzaLanguage: language) }
    }

    /// The priority the server routes by: ``priority``, or 0 when absent
    /// (RFC 6121 §4.7.2.3).
    public var effectivePriority: Int8 { priority ?? 0 }
}

extension Presence {
    /// The `type` of a presence stanza (RFC 6121 §4.7.1).
    public enum StanzaType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Available for communication; written as no `type` attribute,
        /// since `available` is not a value the protocol defines.
        case available
        /// An error about a presence stanza this entity sent.
        case error
        /// A request for the recipient's current presence (servers only).
        case probe
        /// A request to subscribe to the recipient's presence.
        case subscribe
        /// The sender allows the recipient to receive its presence.
        case subscribed
        /// The sender is no longer available.
        case unavailable
        /// The sender unsubscribes from the recipient's presence.
        case unsubscribe
        /// The sender denies or cancels the recipient's subscription.
        case unsubscribed

        /// The value as on the wire; `available` has none and reads `"available"`.
        public var description: String { rawValue }

        /// Parses a `type` attribute value; `available` is not one.
        init?(attributeValue: String) {
            guard attributeValue != Self.available.rawValue else { return nil }
            self.init(rawValue: attributeValue)
        }
    }

    /// The `<show/>` sub-state of an available entity (RFC 6121 §4.7.2.1).
    public enum Show: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Temporarily away.
        case away
        /// Actively interested in chatting.
        case chat
        /// Busy: do not disturb.
        case dnd
        /// Away for an extended period.
        case xa

        /// The element text, as on the wire.
        public var description: String { rawValue }
    }
}
