/// A stanza-level error (RFC 6120 §8.3): why one stanza failed.
///
/// Unlike a ``StreamError`` it leaves the stream open. It travels as the
/// `<error/>` child of a stanza whose `type` is `error`, in the stream's
/// content namespace, with the condition and text in
/// ``XMLNamespace/stanzaErrors``.
public struct StanzaError: Error, Hashable, Sendable {
    /// How the sender can recover.
    public var type: ErrorType
    /// The defined condition (RFC 6120 §8.3.3).
    public var condition: Condition
    /// Optional human-readable text; for diagnostics, never a replacement
    /// for the condition.
    public var text: String?
    /// The language of ``text``, if one was given.
    public var textLanguage: String?
    /// An application-specific condition element, kept verbatim.
    public var applicationCondition: XMLElement?
    /// The entity that detected the error (the `by` attribute), if it said.
    public var by: JID?
    /// For `gone` and `redirect`, the alternate address (usually an XMPP
    /// URI) exactly as the peer sent it, trimmed; `nil` otherwise.
    public var redirectURI: String?
    /// Attributes of `<error/>` other than `type` and `by`, in document
    /// order; for example the legacy `code` many servers still add. Kept so
    /// that a read and a write lose nothing.
    public var additionalAttributes: [XMLAttribute]

    /// Creates a stanza error.
    /// - Parameters:
    ///   - condition: The condition.
    ///   - type: How the sender can recover; `nil` picks the type RFC 6120
    ///     gives for the condition (``Condition/defaultType``).
    ///   - text: Optional human-readable text.
    ///   - textLanguage: The language of `text`.
    ///   - applicationCondition: An application-specific condition element.
    ///   - by: The entity that detected the error.
    ///   - redirectURI: For `gone` and `redirect`, the alternate address.
    ///   - additionalAttributes: Further attributes of `<error/>`.
    public init(
        _ condition: Condition,
        type: ErrorType? = nil,
        text: String? = nil,
        textLanguage: String? = nil,
        applicationCondition: XMLElement? = nil,
        by: JID? = nil,
        redirectURI: String? = nil,
        additionalAttributes: [XMLAttribute] = []
    ) {
        self.type = type ?? condition.defaultType
        self.condition = condition
        self.text = text
        self.textLanguage = textLanguage
        self.applicationCondition = applicationCondition
        self.by = by
        self.redirectURI = redirectURI
        self.additionalAttributes = additionalAttributes
    }
}

extension StanzaError: CustomStringConvertible {
    /// The type, condition and, if present, the address and the peer's text,
    /// for example `"stanza error: cancel/item-not-found: No such room"`.
    public var description: String {
        var result = "stanza error: \(type.rawValue)/\(condition.name)"
        if let redirectURI { result += " (\(redirectURI))" }
        if let by { result += " by \(by)" }
        if let text { result += ": \(text)" }
        return result
    }
}

// MARK: - XML

extension StanzaError {
    /// Parses the `<error/>` child of an error stanza.
    ///
    /// A missing or unknown condition becomes `undefined-condition` or is kept
    /// by name, and a missing `type` falls back to the condition's usual type
    /// (legacy servers send only `code`): an error report must stay readable
    /// even when the peer gets its details wrong. Values that are present but
    /// invalid are still rejected.
    /// - Parameters:
    ///   - element: The `<error/>` element.
    ///   - namespace: The stream's content namespace, which `<error/>` is in.
    /// - Throws: ``StanzaParseError`` if the element is not an `<error/>` in
    ///   `namespace` (`unexpectedElement`), its `type` is not one of the five
    ///   defined values or its `by` is not a valid JID (`invalidAttribute`).
    public init(element: XMLElement, namespace: String = XMLNamespace.client) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("error", namespace: namespace) else {
            throw StanzaParseError.unexpectedElement(element.name)
        }
        var type: ErrorType?
        var by: JID?
        var additionalAttributes: [XMLAttribute] = []
        for attribute in element.attributes {
            switch attribute.name {
            case XMLQualifiedName("type"):
                guard let value = ErrorType(rawValue: attribute.value) else {
                    throw StanzaParseError(.invalidAttribute, subject: attribute.name.description)
                }
                type = value
            case XMLQualifiedName("by"):
                by = try StanzaHeader.address(attribute)
            default:
                additionalAttributes.append(attribute)
            }
        }

        var condition: Condition?
        var redirectURI: String?
        var text: String?
        var textLanguage: String?
        var applicationCondition: XMLElement?
        // RFC 6120 §8.3.2 allows one of each; later duplicates are ignored
        // rather than rejected, as for stream errors.
        for child in element.elements {
            if child.name.namespace == XMLNamespace.stanzaErrors {
                if child.name.localName == "text" {
                    if text == nil {
                        text = child.text
                        textLanguage = child[attribute: .xmlLang]
                    }
                } else if condition == nil {
                    let parsed = Condition(child.name.localName)
                    condition = parsed
                    if parsed.carriesAddress {
                        let address = child.text.trimmingXMLWhitespace()
                        redirectURI = address.isEmpty ? nil : address
                    }
                }
            } else if applicationCondition == nil {
                applicationCondition = child
            }
        }
        let resolved = condition ?? .undefinedCondition
        self.init(
            resolved,
            type: type,
            text: text,
            textLanguage: textLanguage,
            applicationCondition: applicationCondition,
            by: by,
            redirectURI: redirectURI,
            additionalAttributes: additionalAttributes
        )
    }

    /// The `<error/>` element in the default content namespace, `jabber:client`.
    public var element: XMLElement { element(namespace: XMLNamespace.client) }

    /// The `<error/>` element in the given content namespace.
    /// - Parameter namespace: The stream's content namespace.
    public func element(namespace: String) -> XMLElement {
        var result = XMLElement(name: XMLQualifiedName("error", namespace: namespace))
        if let by { result.attributes.append(XMLAttribute("by", value: by.description)) }
        result.attributes.append(XMLAttribute("type", value: type.rawValue))
        result.attributes.append(contentsOf: additionalAttributes)

        var conditionElement = XMLElement(name: XMLQualifiedName(condition.name, namespace: XMLNamespace.stanzaErrors))
        if let redirectURI, condition.carriesAddress {
            conditionElement.append(text: redirectURI)
        }
        result.append(conditionElement)
        if let text {
            var textElement = XMLElement("text", namespace: XMLNamespace.stanzaErrors, text: text)
            if let textLanguage { textElement[attribute: .xmlLang] = textLanguage }
            result.append(textElement)
        }
        if let applicationCondition {
            result.append(applicationCondition)
        }
        return result
    }
}
