extension XMLWriter {
    /// Appends a `<message/>` stanza serialised: the same bytes as writing
    /// `message.element(namespace:)`, and the same errors.
    ///
    /// When the stanza's namespace is the writer's default (a client stream
    /// writing `jabber:client` stanzas) and the message has no additional
    /// attributes, it is written straight from the model: no element is
    /// built and no address is turned into a string first, which is most of
    /// what sending a message costs. Otherwise the element is built and
    /// written.
    ///
    /// On error, `buffer` may hold a partial stanza; callers discard it.
    /// - Parameters:
    ///   - message: The stanza.
    ///   - namespace: The stream's content namespace; `jabber:client` by default.
    ///   - buffer: Where the bytes are appended.
    /// - Throws: ``XMLWriterError`` for a character XML 1.0 cannot carry, or
    ///   what writing an extension element throws.
    public func write(
        _ message: Message, namespace: String = XMLNamespace.client, into buffer: inout [UInt8]
    ) throws(XMLWriterError) {
        guard namespace == scope.defaultNamespace, message.additionalAttributes.isEmpty else {
            try write(message.element(namespace: namespace), into: &buffer)
            return
        }
        try Self.serialising(scope: scope, into: &buffer) { serialiser throws(XMLWriterError) in
            try serialiser.writeInDefaultNamespace(message)
        }
    }

    /// The serialised message as bytes; see ``write(_:namespace:into:)-(Message,_,_)``.
    /// - Throws: As ``write(_:namespace:into:)-(Message,_,_)``.
    public func bytes(_ message: Message, namespace: String = XMLNamespace.client) throws(XMLWriterError) -> [UInt8] {
        var buffer: [UInt8] = []
        try write(message, namespace: namespace, into: &buffer)
        return buffer
    }
}

extension XMLWriter.Serialiser {
    /// Writes a message whose namespace is the default one in scope and
    /// which has no additional attributes, as `Message.element(namespace:)`
    /// lays it out: attributes `from`, `id`, `to`, `type`, `xml:lang`;
    /// children subjects, bodies, thread, extensions, error.
    mutating func writeInDefaultNamespace(_ message: Message) throws(XMLWriterError) {
        output.append("<message")
        if let from = message.from { try appendAddressAttribute(" from='", from) }
        if let id = message.id { try appendAttribute(" id='", id, of: "message") }
        if let to = message.to { try appendAddressAttribute(" to='", to) }
        if message.type != .normal {
            output.append(" type='")
            output.appendUTF8(message.type.rawValue)
            output.append(UInt8(ascii: "'"))
        }
        if let language = message.language { try appendAttribute(" xml:lang='", language, of: "message") }
        let hasChildren =
            !message.subjects.isEmpty || !message.bodyList.isEmpty || message.threadStorage != nil
            || !message.extensionList.isEmpty || message.errorStorage != nil
        guard hasChildren else {
            output.append("/>")
            return
        }
        output.append(UInt8(ascii: ">"))
        for subject in message.subjects {
            try appendText(subject, tag: "subject")
        }
        switch message.bodyList {
        case .none: break
        case .one(let body): try appendText(body, tag: "body")
        case .many(let bodies):
            for body in bodies { try appendText(body, tag: "body") }
        }
        if let thread = message.thread { try appendThread(thread) }
        switch message.extensionList {
        case .none: break
        case .one(let element): try write(element)
        case .many(let elements):
            for element in elements { try write(element) }
        }
        if let error = message.error { try write(error.element(namespace: defaultNamespace)) }
        output.append("</message>")
    }

    /// Appends `text` escaped, inside element `localName` of the default
    /// namespace; the error names that element, as the element path's does
    /// (the name is made only then).
    private mutating func appendEscaped(_ text: String, inAttribute: Bool, of localName: StaticString) throws(XMLWriterError) {
        if let illegal = output.appendEscaped(text, inAttribute: inAttribute) {
            let name = XMLQualifiedName(localName.description, namespace: defaultNamespace)
            throw XMLWriterError(.illegalCharacter(illegal), element: name)
        }
    }

    /// Appends `opening` (` name='`), the escaped value and the closing quote.
    private mutating func appendAttribute(
        _ opening: StaticString, _ value: String, of localName: StaticString
    ) throws(XMLWriterError) {
        output.append(opening)
        try appendEscaped(value, inAttribute: true, of: localName)
        output.append(UInt8(ascii: "'"))
    }

    /// Appends an address attribute of the message part by part, as its
    /// string form (`local@domain/resource`) reads, without making that string.
    private mutating func appendAddressAttribute(_ opening: StaticString, _ address: JID) throws(XMLWriterError) {
        output.append(opening)
        if let localpart = address.localpart {
            try appendEscaped(localpart, inAttribute: true, of: "message")
            output.append(UInt8(ascii: "@"))
        }
        try appendEscaped(address.domainpart, inAttribute: true, of: "message")
        if let resourcepart = address.resourcepart {
            output.append(UInt8(ascii: "/"))
            try appendEscaped(resourcepart, inAttribute: true, of: "message")
        }
        output.append(UInt8(ascii: "'"))
    }

    /// Appends `<tag>text</tag>` (with `xml:lang` when the text has a
    /// language; `<tag/>` when it is empty), as
    /// `LanguageTaggedText.element(localName:namespace:)` builds it.
    private mutating func appendText(_ text: LanguageTaggedText, tag: StaticString) throws(XMLWriterError) {
        output.append(UInt8(ascii: "<"))
        output.append(tag)
        if let language = text.language { try appendAttribute(" xml:lang='", language, of: tag) }
        try appendContent(text.text, tag: tag)
    }

    /// Appends `<thread parent='…'>id</thread>`, as `Message.element`
    /// builds it.
    private mutating func appendThread(_ thread: Message.Thread) throws(XMLWriterError) {
        output.append("<thread")
        if let parent = thread.parent { try appendAttribute(" parent='", parent, of: "thread") }
        try appendContent(thread.id, tag: "thread")
    }

    /// Ends a start tag whose attributes are written: `/>` for empty
    /// text, else `>`, the escaped text and the end tag.
    private mutating func appendContent(_ text: String, tag: StaticString) throws(XMLWriterError) {
        guard !text.isEmpty else {
            output.append("/>")
            return
        }
        output.append(UInt8(ascii: ">"))
        try appendEscaped(text, inAttribute: false, of: tag)
        output.append("</")
        output.append(tag)
        output.append(UInt8(ascii: ">"))
    }
}
