extension Message {
    /// Reads a `<message/>` stanza.
    ///
    /// A missing `type`, `type='normal'` and a `type` this library does not
    /// know all read as ``StanzaType/normal``, as RFC 6121 §5.2.2 requires;
    /// the unknown value is not kept. Character data directly inside
    /// `<message/>` is not allowed by the schema and is not kept.
    /// - Parameters:
    ///   - element: The stanza element.
    ///   - namespace: The stream's content namespace; `jabber:client` by default.
    /// - Throws: ``StanzaParseError``:
    ///   - `unexpectedElement` if the element is not `<message/>` in `namespace`;
    ///   - `invalidAttribute` (subject `to`/`from`) for a malformed address,
    ///     see ``StanzaParseError/isMalformedAddress``;
    ///   - `invalidChild` for two bodies or subjects in one language, two
    ///     threads, two errors, or elements inside a body, subject or thread;
    ///   - `missingChild` for a message of type `error` without `<error/>`;
    ///   - whatever ``StanzaError/init(element:namespace:)`` throws.
    public init(element: XMLElement, namespace: String = XMLNamespace.client) throws(StanzaParseError) {
        if let common = Message.commonShape(element, namespace: namespace) {
            self = common
            return
        }
        try self.init(generalElement: element, namespace: namespace)
    }

    /// The general reader: every shape, and every error.
    init(generalElement element: XMLElement, namespace: String) throws(StanzaParseError) {
        let header = try StanzaHeader(element: element, localName: Self.localName, namespace: namespace)
        let type = header.type.flatMap(StanzaType.init(rawValue:)) ?? .normal

        var bodyElements: [XMLElement] = []
        var subjectElements: [XMLElement] = []
        var thread: Thread?
        var error: StanzaError?
        var extensions: [XMLElement] = []
        for case .element(let child) in element.children {
            let name = child.name
            guard name.namespace == namespace else {
                extensions.append(child)
                continue
            }
            switch name.localName {
            case "body":
                bodyElements.append(child)
            case "subject":
                subjectElements.append(child)
            case "thread":
                // RFC 6121 §5.2.5: at most one thread.
                guard thread == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                thread = Thread(try child.stanzaTextContent(), parent: child[attribute: "parent"])
            case "error" where type == .error:
                guard error == nil else { throw StanzaParseError(.invalidChild, subject: child.name.description) }
                error = try StanzaError(element: child, namespace: namespace)
            default:
                // Includes an `<error/>` in a non-error message: not
                // meaningful there, but kept rather than lost.
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
            bodies: try LanguageTaggedText.parseAll(bodyElements, stanzaLanguage: header.language),
            subjects: try LanguageTaggedText.parseAll(subjectElements, stanzaLanguage: header.language),
            thread: thread,
            error: error,
            extensions: extensions,
            additionalAttributes: header.additionalAttributes
        )
    }

    /// The `<message/>` element in the given content namespace.
    ///
    /// ``StanzaType/normal`` is written as no `type` attribute, its meaning
    /// on the wire. Children are written as subjects, bodies, thread,
    /// extensions, then the error, which RFC 6120 §8.3.1 places after the
    /// original content. The element is written as the model holds it: it
    /// does not re-check the one-text-per-language rule.
    /// - Parameter namespace: The stream's content namespace.
    public func element(namespace: String) -> XMLElement {
        let header = StanzaHeader(
            to: to,
            from: from,
            id: id,
            type: type == .normal ? nil : type.rawValue,
            language: language,
            additionalAttributes: additionalAttributes
        )
        var children: [XMLNode] = []
        children.reserveCapacity(
            subjects.count + bodyList.count + (thread == nil ? 0 : 1) + extensionList.count + (error == nil ? 0 : 1))
        for subject in subjects {
            children.append(.element(subject.element(localName: "subject", namespace: namespace)))
        }
        bodyList.forEach { body in
            children.append(.element(body.element(localName: "body", namespace: namespace)))
        }
        if let thread {
            var threadElement = XMLElement("thread", namespace: namespace, text: thread.id)
            if let parent = thread.parent { threadElement[attribute: "parent"] = parent }
            children.append(.element(threadElement))
        }
        extensionList.forEach { extensionElement in
            children.append(.element(extensionElement))
        }
        if let error {
            children.append(.element(error.element(namespace: namespace)))
        }
        return header.makeElement(localName: Self.localName, namespace: namespace, children: children)
    }
}
