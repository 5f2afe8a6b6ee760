/// The name of an XML element or attribute: a namespace URI and a local name.
///
/// XMPP identifies every element by its namespace, never by a prefix, so the
/// model keeps no prefixes at all: the writer chooses them, the reader resolves
/// them away. An empty `namespace` means "no namespace" (the usual case for
/// attributes).
public struct XMLQualifiedName: Hashable, Sendable {
    /// The namespace URI, or the empty string for no namespace.
    public var namespace: String
    /// The local part of the name, without any prefix.
    public var localName: String

    /// Creates a name from a local name and a namespace URI.
    /// - Parameters:
    ///   - localName: The local part, for example `"message"`.
    ///   - namespace: The namespace URI, for example `"jabber:client"`; empty for none.
    public init(_ localName: String, namespace: String = "") {
        self.localName = localName
        self.namespace = namespace
    }
}

extension XMLQualifiedName: CustomStringConvertible {
    /// Clark notation: `{namespace}local`, or just `local` without a namespace.
    public var description: String {
        namespace.isEmpty ? localName : "{\(namespace)}\(localName)"
    }
}

/// One attribute of an ``XMLElement``.
public struct XMLAttribute: Hashable, Sendable {
    /// The attribute's qualified name; most attributes have no namespace.
    public var name: XMLQualifiedName
    /// The attribute's value, unescaped.
    public var value: String

    /// Creates an attribute.
    public init(_ name: XMLQualifiedName, value: String) {
        self.name = name
        self.value = value
    }

    /// Creates an attribute without a namespace.
    public init(_ localName: String, value: String) {
        self.name = XMLQualifiedName(localName)
        self.value = value
    }
}

/// Namespace URIs the core needs to know about.
public enum XMLNamespace {
    /// The namespace bound to the reserved `xml` prefix (`xml:lang`).
    public static let xml = "http://www.w3.org/XML/1998/namespace"
    /// The namespace bound to the reserved `xmlns` prefix; never used by elements.
    public static let xmlns = "http://www.w3.org/2000/xmlns/"
    /// The XMPP stream namespace (`stream:stream`, `stream:features`, `stream:error`).
    public static let streams = "http://etherx.jabber.org/streams"
    /// The default content namespace of client-to-server streams.
    public static let client = "jabber:client"
    /// The namespace of stream error conditions.
    public static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    /// The namespace of stanza error conditions.
    public static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    /// STARTTLS negotiation.
    public static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    /// SASL negotiation.
    public static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    /// Resource binding.
    public static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    /// The legacy RFC 3921 session establishment.
    public static let session = "urn:ietf:params:xml:ns:xmpp-session"
}

extension XMLQualifiedName {
    /// `xml:lang`, the attribute that carries a language tag.
    public static let xmlLang = XMLQualifiedName("lang", namespace: XMLNamespace.xml)
}
