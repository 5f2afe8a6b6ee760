/// The attributes every stanza shares (RFC 6120 §8.1.1–§8.1.5), read and
/// written in one place so that message, presence and IQ agree on them.
///
/// Internal: the public types expose these as flat properties, which reads
/// better at call sites (`message.to` rather than `message.header.to`).
struct StanzaHeader: Hashable, Sendable {
    /// The `to` address.
    var to: JID?
    /// The `from` address.
    var from: JID?
    /// The `id` attribute.
    var id: String?
    /// The raw `type` value; each stanza kind interprets it.
    var type: String?
    /// The `xml:lang` attribute.
    var language: String?
    /// Every other attribute, in document order.
    var additionalAttributes: [XMLAttribute] = []

    // Written through the synthesised memberwise initialiser (so the other
    // initialisers live in the extension below): an explicit one that
    // assigned the properties made the optimiser build the header in a
    // temporary and copy it out, a retain and a release per reference.
}

extension StanzaHeader {
    /// Checks the element's name and reads its attributes.
    /// - Throws: `unexpectedElement` for another name or namespace;
    ///   `invalidAttribute` (subject `to` or `from`) for an address that is
    ///   not a valid JID.
    init(element: XMLElement, localName: String, namespace: String) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName(localName, namespace: namespace) else {
            throw StanzaParseError.unexpectedElement(element.name)
        }
        // By position, so that each value is made only when kept, and an
        // address seen lately is found by its bytes (no string at all).
        let attributes = element.attributes
        for position in attributes.indices {
            let name = attributes.name(at: position)
            guard name.namespace.isEmpty else {
                if name == .xmlLang {
                    language = attributes.value(at: position)
                } else {
                    additionalAttributes.append(attributes[position])
                }
                continue
            }
            switch name.localName {
            case "to": to = try Self.address(attributes, at: position)
            case "from": from = try Self.address(attributes, at: position)
            case "id": id = attributes.value(at: position)
            case "type": type = attributes.value(at: position)
            default: additionalAttributes.append(attributes[position])
            }
        }
    }

    /// Parses the address attribute at `position`: from the recent
    /// addresses by its bytes when it is one of them.
    static func address(_ attributes: XMLAttributes, at position: Int) throws(StanzaParseError) -> JID {
        if let known = attributes.withValueBytes(at: position, RecentJIDs.lookup(bytes:)) { return known }
        return try address(attributes[position])
    }

    /// Parses an attribute holding a JID.
    ///
    /// - Throws: ``StanzaParseError/Kind/malformedAddress`` naming the
    ///   attribute, with the ``JIDError`` that says why.
    static func address(_ attribute: XMLAttribute) throws(StanzaParseError) -> JID {
        do {
            return try JID(attribute.value)
        } catch {
            throw StanzaParseError(.malformedAddress, subject: attribute.name.description, addressError: error)
        }
    }

    /// A stanza element carrying these attributes and `children`.
    ///
    /// The known attributes come first in a fixed (alphabetical, as in the
    /// RFC examples) order, then the others in their original order;
    /// attribute order carries no meaning in XML. The element is made in
    /// one step from arrays of the right size: appending to a new element
    /// one attribute and child at a time grew each array several times.
    func makeElement(localName: String, namespace: String, children: [XMLNode]) -> XMLElement {
        var attributes: [XMLAttribute] = []
        attributes.reserveCapacity(knownAttributeCount + additionalAttributes.count)
        if let from { attributes.append(XMLAttribute("from", value: from.description)) }
        if let id { attributes.append(XMLAttribute("id", value: id)) }
        if let to { attributes.append(XMLAttribute("to", value: to.description)) }
        if let type { attributes.append(XMLAttribute("type", value: type)) }
        if let language { attributes.append(XMLAttribute(.xmlLang, value: language)) }
        attributes.append(contentsOf: additionalAttributes)
        return XMLElement(name: XMLQualifiedName(localName, namespace: namespace), attributes: attributes, children: children)
    }

    /// How many of `from`, `id`, `to`, `type` and `xml:lang` are set.
    private var knownAttributeCount: Int {
        (from == nil ? 0 : 1) + (id == nil ? 0 : 1) + (to == nil ? 0 : 1) + (type == nil ? 0 : 1)
            + (language == nil ? 0 : 1)
    }
}

extension XMLElement {
    /// The text of a child that the schema limits to character data
    /// (`body`, `subject`, `thread`, `show`, `status`, `priority`).
    /// - Throws: `invalidChild` naming the first nested element, which the
    ///   schema forbids and the model could not keep.
    func stanzaTextContent() throws(StanzaParseError) -> String {
        for case .element(let nested) in children {
            throw StanzaParseError(.invalidChild, subject: nested.name.description)
        }
        return text
    }
}
