/// The opening tag of an XML stream (`<stream:stream …>`), as the reader saw it.
///
/// The reader does not judge the header: the session checks the root name,
/// the content namespace and the version (RFC 6120 §4.7), because the rules
/// differ between client, server and component streams.
public struct XMLStreamHeader: Hashable, Sendable {
    /// The root element's qualified name; `{http://etherx.jabber.org/streams}stream` on a valid XMPP stream.
    public var name: XMLQualifiedName
    /// The header's attributes (`from`, `to`, `id`, `version`, `xml:lang`).
    public var attributes: [XMLAttribute]
    /// The namespaces the header declares, prefix to URI; the default
    /// namespace has the empty prefix.
    public var namespaceDeclarations: [String: String]

    /// Creates a header.
    public init(name: XMLQualifiedName, attributes: [XMLAttribute], namespaceDeclarations: [String: String]) {
        self.name = name
        self.attributes = attributes
        self.namespaceDeclarations = namespaceDeclarations
    }

    /// The default namespace, which top-level stanzas inherit (`jabber:client`).
    public var contentNamespace: String? { namespaceDeclarations[""] }

    /// The value of the attribute with this local name and no namespace.
    public subscript(attribute localName: String) -> String? {
        self[attribute: XMLQualifiedName(localName)]
    }

    /// The value of the attribute with this qualified name.
    public subscript(attribute name: XMLQualifiedName) -> String? {
        attributes.first { $0.name == name }?.value
    }
}

/// What an ``XMLStreamReader`` produces from the bytes it reads.
public enum XMLStreamEvent: Hashable, Sendable {
    /// The stream's opening tag.
    case streamStart(XMLStreamHeader)
    /// One complete top-level child of the stream: a stanza, features, a
    /// negotiation element, an error.
    case element(XMLElement)
    /// The stream's closing tag (`</stream:stream>`).
    case streamEnd
}
