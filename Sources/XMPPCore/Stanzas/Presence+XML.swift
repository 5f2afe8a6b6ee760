extension Presence {
    /// Reads a `<presence/>` stanza.
    ///
    /// Unlike a message type, an unknown presence type cannot safely default
    /// to anything (reading a subscription request as "available" would be
    /// wrong), so it is rejected. Character data directly inside
    /// `<presence/>` is not allowed by the schema and is not kept.
    /// - Parameters:
    ///   - element: The stanza element.
    ///   - namespace: The stream's content namespace; `jabber:client` by default.
    /// - Throws: ``StanzaParseError``:
    ///   - `unexpectedElement` if the element is not `<presence/>` in `namespace`;
    ///   - `invalidAttribute` (subject `to`/`from`) for a malformed address,
    ///     see ``StanzaParseError/isMalformedAddress``;
    ///   - `invalidAttribute` (subject `type`) for a type RFC 6121 does not
    ///     define, including `available`;
    ///   - `invalidText` for a `show` other than the four values or a
    ///     `priority` that is not an integer in -128…127;
    ///   - `invalidChild` for two `show`, `priority` or `error` children, two
    ///     statuses in one language, or elements inside a text child;
    ///   - `missingChild` for a presence of type `error` without `<error/>`;
    ///   - whatever ``StanzaError/init(element:namespace:)`` throws.
    public init(element: XMLElement, namespace: String = XMLNamespace.client) throws(StanzaParseError) {
        let header = try StanzaHeader(element: element, localName: Self.localName, namespace: namespace)
        var type = StanzaType.available
        if let value = header.type {
            guard let parsed = StanzaType(attributeValue: value) else {
                throw StanzaParseError(.invalidAttribute, subject: "type")
            }
            type = parsed
        }

        var show: Show?
        var priority: Int8?
        var statusElements: [XMLElement] = []
        var error: StanzaError?
        var extensions: [XMLElement] = []
        for case .element(let child) in element.children {
            let name = child.name
            guard name.namespace == namespace else {
                extensions.append(child)
                continue
            }
            switch name.localName {
            case "show":
                // RFC 6121 §4.7.2.1 and §4.7.2.3: at most one of each.
                guard show == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                show = try Self.parseShow(child)
            case "priority":
                guard priority == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                priority = try Self.parsePriority(child)
            case "status":
                statusElements.append(child)
            case "error" where type == .error:
                guard error == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                error = try StanzaError(element: child, namespace: namespace)
            default:
                extensions.append(child)
            }
        }
        if type == .error, error == nil {
            throw StanzaParseError(.missingChild, subject: XMLQualifiedName("error", namespace: namespace).description)
        }

        self.init(
            type: type,
            to: header.to,
            from: header.from,
            id: header.id,
            language: header.language,
            show: show,
            statuses: try LanguageTaggedText.parseAll(statusElements, stanzaLanguage: header.language),
            priority: priority,
            error: error,
            extensions: extensions,
            additionalAttributes: header.additionalAttributes
        )
    }

    /// The `<presence/>` element in the given content namespace.
    ///
    /// ``StanzaType/available`` is written as no `type` attribute. Children
    /// are written as show, statuses, priority, extensions, then the error.
    /// - Parameter namespace: The stream's content namespace.
    public func element(namespace: String) -> XMLElement {
        let header = StanzaHeader(
            to: to,
            from: from,
            id: id,
            type: type == .available ? nil : type.rawValue,
            language: language,
            additionalAttributes: additionalAttributes
        )
        var children: [XMLNode] = []
        children.reserveCapacity(
            (show == nil ? 0 : 1) + statuses.count + (priority == nil ? 0 : 1) + extensions.count + (error == nil ? 0 : 1))
        if let show {
            children.append(.element(XMLElement("show", namespace: namespace, text: show.rawValue)))
        }
        for status in statuses {
            children.append(.element(status.element(localName: "status", namespace: namespace)))
        }
        if let priority {
            children.append(.element(XMLElement("priority", namespace: namespace, text: String(priority))))
        }
        for extensionElement in extensions {
            children.append(.element(extensionElement))
        }
        if let error {
            children.append(.element(error.element(namespace: namespace)))
        }
        return header.makeElement(localName: Self.localName, namespace: namespace, children: children)
    }

    /// Reads `<show/>`; the schema's token type lets surrounding whitespace go.
    private static func parseShow(_ element: XMLElement) throws(StanzaParseError) -> Show {
        guard let show = Show(rawValue: try element.stanzaTextContent().trimmingXMLWhitespace()) else {
            throw StanzaParseError(.invalidText, subject: element.name.description)
        }
        return show
    }

    /// Reads `<priority/>`, an `xs:byte`: an optionally signed decimal
    /// integer in -128…127, surrounding whitespace allowed.
    private static func parsePriority(_ element: XMLElement) throws(StanzaParseError) -> Int8 {
        let digits = try element.stanzaTextContent().trimmingXMLWhitespace()
        // `Int8(_:radix:)` rejects the empty string, anything but an
        // optional sign and ASCII digits, and values out of range.
        guard let value = Int8(digits, radix: 10) else {
            throw StanzaParseError(.invalidText, subject: element.name.description)
        }
        return value
    }
}
