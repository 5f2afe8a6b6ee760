/// Human-readable text with an optional language tag: one `<body/>`,
/// `<subject/>` or `<status/>` child of a stanza.
///
/// RFC 6121 §5.2.3, §5.2.4 and §4.7.2.2 allow several such children only as
/// alternate versions of the same text, each in a distinct language. A
/// `nil` ``language`` means the element had no `xml:lang`: the text is in
/// the stanza's default language.
public struct LanguageTaggedText: Hashable, Sendable {
    /// The text, unescaped.
    public var text: String
    /// The element's own `xml:lang`, or `nil` when it inherits the stanza's.
    public var language: String?

    /// Creates a text.
    /// - Parameters:
    ///   - text: The text.
    ///   - language: A BCP 47 language tag, or `nil` for the stanza's language.
    public init(_ text: String, language: String? = nil) {
        self.text = text
        self.language = language
    }
}

extension Array where Element == LanguageTaggedText {
    /// The text tagged with this language, comparing tags case-insensitively
    /// as BCP 47 requires; `nil` asks for the untagged text.
    public func text(forLanguage language: String?) -> String? {
        firstIndex(forLanguage: language).map { self[$0].text }
    }

    /// Replaces, adds or removes the text tagged with this language, keeping
    /// at most one per language.
    /// - Parameters:
    ///   - text: The new text; `nil` removes the existing one.
    ///   - language: The tag, or `nil` for the untagged text.
    public mutating func setText(_ text: String?, forLanguage language: String?) {
        let index = firstIndex(forLanguage: language)
        switch (index, text) {
        case (let index?, let text?): self[index].text = text
        case (let index?, nil): remove(at: index)
        case (nil, let text?): append(LanguageTaggedText(text, language: language))
        case (nil, nil): break
        }
    }

    /// The position of the text tagged with `language` (`nil`: untagged).
    func firstIndex(forLanguage language: String?) -> Int? {
        let key = language.map(LanguageTaggedText.normalizedTag)
        return firstIndex { $0.language.map(LanguageTaggedText.normalizedTag) == key }
    }

    /// The text in the stanza's default language: the untagged one, else
    /// one tagged with `stanzaLanguage`.
    func defaultIndex(stanzaLanguage: String?) -> Int? {
        if let untagged = firstIndex(forLanguage: nil) { return untagged }
        guard let stanzaLanguage else { return nil }
        return firstIndex(forLanguage: stanzaLanguage)
    }

    /// The default-language text, falling back to the first so that a
    /// stanza carrying only tagged texts still shows something.
    func preferredText(stanzaLanguage: String?) -> String? {
        defaultIndex(stanzaLanguage: stanzaLanguage).map { self[$0].text } ?? first?.text
    }

    /// Makes `text` the default-language text: replaces the one
    /// ``preferredText(stanzaLanguage:)`` reads, or inserts an untagged one
    /// first; `nil` removes every text so that the getter reads `nil` too.
    mutating func setPreferredText(_ text: String?, stanzaLanguage: String?) {
        guard let text else {
            removeAll()
            return
        }
        if let index = defaultIndex(stanzaLanguage: stanzaLanguage) {
            self[index].text = text
        } else {
            insert(LanguageTaggedText(text), at: 0)
        }
    }
}

// MARK: - XML

extension LanguageTaggedText {
    /// Reads a text-only child such as `<body xml:lang='en'>…</body>`.
    ///
    /// Attributes other than `xml:lang` are not defined for these elements
    /// (RFC 6121) and are not kept.
    /// - Throws: `invalidChild` if the element contains elements.
    init(element: XMLElement) throws(StanzaParseError) {
        self.init(try element.stanzaTextContent(), language: element[attribute: .xmlLang])
    }

    /// The element for this text.
    func element(localName: String, namespace: String) -> XMLElement {
        XMLElement(
            name: XMLQualifiedName(localName, namespace: namespace),
            attributes: language.map { [XMLAttribute(.xmlLang, value: $0)] } ?? [],
            children: text.isEmpty ? [] : [.text(text)])
    }

    /// Reads every `localName` child of a stanza, enforcing one text per
    /// language.
    ///
    /// A child without `xml:lang` is in the stanza's language, so an
    /// untagged child and one tagged with the stanza's language collide too.
    /// - Throws: `invalidChild` (subject: the child's name) for a second
    ///   text in the same language or a child containing elements.
    static func parseAll(
        _ children: [XMLElement],
        stanzaLanguage: String?
    ) throws(StanzaParseError) -> [LanguageTaggedText] {
        // The usual cases, none or one, need no duplicate check (and no set).
        if children.isEmpty { return [] }
        if children.count == 1 { return [try LanguageTaggedText(element: children[0])] }
        var result: [LanguageTaggedText] = []
        var seen: Set<String?> = []
        for child in children {
            let text = try LanguageTaggedText(element: child)
            let effective = (text.language ?? stanzaLanguage).map(normalizedTag)
            guard seen.insert(effective).inserted else {
                throw StanzaParseError(.invalidChild, subject: child.name.description)
            }
            result.append(text)
        }
        return result
    }

    /// A tag in the form used for comparison; BCP 47 tags are ASCII and
    /// case-insensitive.
    static func normalizedTag(_ tag: String) -> String {
        tag.lowercased()
    }
}
