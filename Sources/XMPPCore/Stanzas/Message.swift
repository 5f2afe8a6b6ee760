/// A `<message/>` stanza (RFC 6120 §8.2.1, RFC 6121 §5): a push of
/// information to which no reply is required.
///
/// Children the model knows (`body`, `subject`, `thread` and, for errors,
/// `error`) are typed; every other child element is kept verbatim in
/// ``extensions``, in order, so that a read and a write lose no extension
/// payload.
public struct Message: Stanza, Hashable {
    /// The conversational context.
    public var type: StanzaType
    /// The stanza identifier, if any; messages need none, but replies and
    /// receipts refer to it.
    public var id: String?
    /// The intended recipient.
    public var to: JID?
    /// The sender.
    public var from: JID?
    /// The default language (`xml:lang`) of the human-readable children.
    public var language: String?
    /// The bodies, at most one per language, in document order.
    public var bodies: [LanguageTaggedText] {
        get { bodyList.array }
        set { bodyList = SmallList(newValue) }
    }
    /// Where ``bodies`` is kept: a received message has one, and as an
    /// array it would be an allocation per stanza.
    var bodyList: SmallList<LanguageTaggedText>
    /// The subjects, at most one per language, in document order.
    public var subjects: [LanguageTaggedText]
    /// The conversation thread, if any.
    public var thread: Thread? {
        get { threadStorage?.value }
        set { threadStorage = newValue.map(RareValue.init) }
    }
    /// Where ``thread`` is kept: behind a reference, being rare.
    var threadStorage: RareValue<Thread>?
    /// The error; present when ``type`` is ``StanzaType/error``.
    public var error: StanzaError? {
        get { errorStorage?.value }
        set { errorStorage = newValue.map(RareValue.init) }
    }
    /// Where ``error`` is kept: behind a reference, being rare.
    var errorStorage: RareValue<StanzaError>?
    /// Every other child element, verbatim and in document order.
    public var extensions: [XMLElement] {
        get { extensionList.array }
        set { extensionList = SmallList(newValue) }
    }
    /// Where ``extensions`` is kept, for the same reason as ``bodyList``.
    var extensionList: SmallList<XMLElement>
    /// Attributes of `<message/>` other than `to`, `from`, `id`, `type` and
    /// `xml:lang`, in document order.
    public var additionalAttributes: [XMLAttribute]

    /// The local name of the element, `"message"`.
    public static let localName = "message"
}

extension Message {
    /// Creates a message.
    /// - Parameters:
    ///   - type: The conversational context; `normal` by default, as on the wire.
    ///   - to: The intended recipient.
    ///   - from: The sender; a client leaves it `nil`.
    ///   - id: The stanza identifier.
    ///   - language: The default language of the human-readable children.
    ///   - bodies: The bodies, at most one per language.
    ///   - subjects: The subjects, at most one per language.
    ///   - thread: The conversation thread.
    ///   - error: The error, for a message of type `error`.
    ///   - extensions: Further child elements.
    ///   - additionalAttributes: Further attributes of `<message/>`.
    public init(
        type: StanzaType = .normal,
        to: JID? = nil,
        from: JID? = nil,
        id: String? = nil,
        language: String? = nil,
        bodies: [LanguageTaggedText] = [],
        subjects: [LanguageTaggedText] = [],
        thread: Thread? = nil,
        error: StanzaError? = nil,
        extensions: [XMLElement] = [],
        additionalAttributes: [XMLAttribute] = []
    ) {
        self.init(
            type: type, id: id, to: to, from: from, language: language, bodyList: SmallList(bodies),
            subjects: subjects, threadStorage: thread.map(RareValue.init), errorStorage: error.map(RareValue.init),
            extensionList: SmallList(extensions), additionalAttributes: additionalAttributes
        )
    }

    /// A message without thread, error or further attributes: what the
    /// common-shape reader builds (`Message+CommonShape.swift`).
    ///
    /// Every initialiser ends in the memberwise one the compiler
    /// synthesises (the reason they live in this extension): an
    /// initialiser that assigns the stored properties itself made the
    /// optimiser build the message in a temporary and copy it out, a
    /// retain and a release for every reference inside, on every stanza.
    init(
        commonShapeType type: StanzaType, to: JID?, from: JID?, id: String?, language: String?,
        bodies: SmallList<LanguageTaggedText>, subjects: [LanguageTaggedText], extensions: SmallList<XMLElement>
    ) {
        self.init(
            type: type, id: id, to: to, from: from, language: language, bodyList: bodies, subjects: subjects,
            threadStorage: nil, errorStorage: nil, extensionList: extensions, additionalAttributes: []
        )
    }

    /// Creates a message with one untagged body, the common case.
    /// - Parameters:
    ///   - type: The conversational context.
    ///   - to: The intended recipient.
    ///   - id: The stanza identifier.
    ///   - body: The text, in the stanza's default language.
    public init(type: StanzaType = .normal, to: JID? = nil, id: String? = nil, body: String) {
        self.init(
            commonShapeType: type, to: to, from: nil, id: id, language: nil,
            bodies: .one(LanguageTaggedText(body)), subjects: [], extensions: .none
        )
    }
}

extension Message {
    /// The body in the default language: the untagged one, else the one
    /// tagged with ``language``, else the first.
    ///
    /// Setting replaces that body or adds an untagged one; setting `nil`
    /// removes every body.
    public var body: String? {
        get {
            switch bodyList {
            case .none: nil
            // One body is the default one whatever its language (the rule
            // falls back to the first), so no array is made to pick it.
            case .one(let only): only.text
            case .many(let all): all.preferredText(stanzaLanguage: language)
            }
        }
        set { bodies.setPreferredText(newValue, stanzaLanguage: language) }
    }

    /// The subject in the default language, chosen like ``body``.
    ///
    /// Setting replaces that subject or adds an untagged one; setting `nil`
    /// removes every subject.
    public var subject: String? {
        get { subjects.preferredText(stanzaLanguage: language) }
        set { subjects.setPreferredText(newValue, stanzaLanguage: language) }
    }
}

extension Message {
    /// The `type` of a message (RFC 6121 §5.2.2).
    public enum StanzaType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// One-to-one chat.
        case chat
        /// An error about a message this entity sent.
        case error
        /// A multi-user chat room message.
        case groupchat
        /// An alert or notification to which no reply is expected.
        case headline
        /// A standalone message; the default.
        case normal

        /// The attribute value, as on the wire.
        public var description: String { rawValue }

        /// The type whose value is exactly these bytes, `nil` for any other
        /// value; compares bytes where `init(rawValue:)` needs a `String`.
        init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
            func matches(_ value: StaticString) -> Bool {
                bytes.count == value.utf8CodeUnitCount
                    && bytes.elementsEqual(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
            }
            switch bytes.count {
            case 4 where matches("chat"): self = .chat
            case 5 where matches("error"): self = .error
            case 6 where matches("normal"): self = .normal
            case 8 where matches("headline"): self = .headline
            case 9 where matches("groupchat"): self = .groupchat
            default: return nil
            }
        }
    }

    /// A `<thread/>` (RFC 6121 §5.2.5): identifies a conversation, not a message.
    public struct Thread: Hashable, Sendable {
        /// The opaque thread identifier.
        public var id: String
        /// The thread this one branched from (the `parent` attribute), if any.
        public var parent: String?

        /// Creates a thread reference.
        /// - Parameters:
        ///   - id: The opaque thread identifier.
        ///   - parent: The identifier of the parent thread.
        public init(_ id: String, parent: String? = nil) {
            self.id = id
            self.parent = parent
        }
    }
}
