public import XMPP
public import XMPPCore

/// The namespaces of XEP-0030 Service Discovery.
public enum Disco {
    /// `http://jabber.org/protocol/disco#info`: identities and features.
    public static let infoNamespace = "http://jabber.org/protocol/disco#info"
    /// `http://jabber.org/protocol/disco#items`: the items an entity hosts.
    public static let itemsNamespace = "http://jabber.org/protocol/disco#items"
    /// `jabber:x:data`: the namespace of the extended information forms
    /// (XEP-0128) a disco#info answer may carry.
    public static let dataFormsNamespace = "jabber:x:data"
}

/// One identity of an entity (XEP-0030 §3.1), for example a server
/// (`server`/`im`) or a client (`client`/`pc`). The registry of categories
/// and types is kept by the XMPP Registrar.
public struct DiscoIdentity: Hashable, Sendable {
    /// The category, for example `client`, `server`, `conference`.
    public var category: String
    /// The type within the category, for example `pc`, `im`, `text`.
    public var type: String
    /// A human-readable name, if any.
    public var name: String?
    /// The language of ``name`` (`xml:lang`), if given.
    public var language: String?

    /// Creates an identity.
    /// - Parameters:
    ///   - category: The category.
    ///   - type: The type.
    ///   - name: A human-readable name.
    ///   - language: The language of `name`.
    public init(category: String, type: String, name: String? = nil, language: String? = nil) {
        self.category = category
        self.type = type
        self.name = name
        self.language = language
    }

    /// Reads `<identity category='…' type='…' name='…'/>`.
    /// - Throws: ``StanzaParseError`` `missingAttribute` (subject `category`
    ///   or `type`) when either is absent or empty.
    init(element: XMLElement) throws(StanzaParseError) {
        guard let category = element[attribute: "category"], !category.isEmpty else {
            throw StanzaParseError(.missingAttribute, subject: "category")
        }
        guard let type = element[attribute: "type"], !type.isEmpty else {
            throw StanzaParseError(.missingAttribute, subject: "type")
        }
        self.init(category: category, type: type, name: element[attribute: "name"], language: element[attribute: XMLQualifiedName.xmlLang])
    }

    /// The `<identity/>` element.
    var element: XMLElement {
        var element = XMLElement("identity", namespace: Disco.infoNamespace, attributes: ["category": category, "type": type])
        element[attribute: "name"] = name
        element[attribute: XMLQualifiedName.xmlLang] = language
        return element
    }
}

/// What an entity says about itself in answer to disco#info (XEP-0030 §3).
public struct DiscoInfo: Hashable, Sendable {
    /// The node asked about, as the answer echoes it.
    public var node: String?
    /// The identities, in the order sent.
    public var identities: [DiscoIdentity]
    /// The features (the `var` of each `<feature/>`), for example
    /// `urn:xmpp:ping`.
    public var features: Set<String>
    /// Extended information (XEP-0128): the `<x xmlns='jabber:x:data'/>`
    /// forms, as they came.
    public var forms: [XMLElement]

    /// Creates an answer.
    /// - Parameters:
    ///   - node: The node.
    ///   - identities: The identities.
    ///   - features: The features.
    ///   - forms: Extended information forms.
    public init(node: String? = nil, identities: [DiscoIdentity], features: Set<String>, forms: [XMLElement] = []) {
        self.node = node
        self.identities = identities
        self.features = features
        self.forms = forms
    }

    /// Reads a `<query xmlns='http://jabber.org/protocol/disco#info'/>`.
    ///
    /// Strict: every identity needs a category and a type, every feature a
    /// `var`. Children of other names are ignored.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` for an identity or a feature that
    ///   lacks one.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("query", namespace: Disco.infoNamespace) else {
            throw .unexpectedElement(element.name)
        }
        var identities: [DiscoIdentity] = []
        var features: Set<String> = []
        var forms: [XMLElement] = []
        for child in element.elements {
            switch (child.name.namespace, child.name.localName) {
            case (Disco.infoNamespace, "identity"):
                identities.append(try DiscoIdentity(element: child))
            case (Disco.infoNamespace, "feature"):
                guard let feature = child[attribute: "var"], !feature.isEmpty else {
                    throw StanzaParseError(.missingAttribute, subject: "var")
                }
                features.insert(feature)
            case (Disco.dataFormsNamespace, "x"):
                forms.append(child)
            default:
                continue
            }
        }
        self.init(node: element[attribute: "node"], identities: identities, features: features, forms: forms)
    }

    /// The `<query/>` element; features sorted, so the output is stable.
    public var element: XMLElement {
        var query = XMLElement("query", namespace: Disco.infoNamespace)
        query[attribute: "node"] = node
        for identity in identities { query.append(identity.element) }
        for feature in features.sorted() {
            query.append(XMLElement("feature", namespace: Disco.infoNamespace, attributes: ["var": feature]))
        }
        for form in forms { query.append(form) }
        return query
    }
}

/// Asks an entity for its identities and features (XEP-0030 §3).
///
/// ```swift
/// let info = try await connection.request(DiscoInfoRequest(), to: JID(connection.boundJID.domainpart))
/// if info.features.contains("urn:xmpp:mam:2") { print("the server archives messages") }
/// ```
public struct DiscoInfoRequest: IQRequest, Hashable {
    /// The node to ask about, or `nil` for the entity itself.
    public var node: String?

    /// Creates the request.
    /// - Parameter node: The node, if any.
    public init(node: String? = nil) {
        self.node = node
    }

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<query xmlns='http://jabber.org/protocol/disco#info' node='…'/>`.
    public var payload: XMLElement {
        var query = XMLElement("query", namespace: Disco.infoNamespace)
        query[attribute: "node"] = node
        return query
    }

    /// Reads the answer.
    /// - Throws: ``StanzaParseError``: `missingChild` for an empty result;
    ///   whatever ``DiscoInfo/init(element:)`` throws.
    public func response(from result: IQ) throws(StanzaParseError) -> DiscoInfo {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(Disco.infoNamespace)}query")
        }
        return try DiscoInfo(element: payload)
    }
}
