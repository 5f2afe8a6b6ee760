public import XMPP
public import XMPPCore

/// The software an entity runs (XEP-0092).
public struct SoftwareVersion: Hashable, Sendable {
    /// The namespace of XEP-0092, also its disco#info feature.
    public static let namespace = "jabber:iq:version"

    /// The software's name, for example `Prosody`.
    public var name: String
    /// Its version, for example `0.12.3`.
    public var version: String
    /// The operating system, if the entity tells.
    public var os: String?

    /// Creates a version.
    /// - Parameters:
    ///   - name: The name.
    ///   - version: The version.
    ///   - os: The operating system.
    public init(name: String, version: String, os: String? = nil) {
        self.name = name
        self.version = version
        self.os = os
    }

    /// Reads a `<query xmlns='jabber:iq:version'/>` answer.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingChild` when `<name/>` or `<version/>` is absent
    ///   (both are required in a result).
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("query", namespace: Self.namespace) else {
            throw .unexpectedElement(element.name)
        }
        guard let name = element.firstChild(named: "name", namespace: Self.namespace)?.text else {
            throw StanzaParseError(.missingChild, subject: "{\(Self.namespace)}name")
        }
        guard let version = element.firstChild(named: "version", namespace: Self.namespace)?.text else {
            throw StanzaParseError(.missingChild, subject: "{\(Self.namespace)}version")
        }
        self.init(name: name, version: version, os: element.firstChild(named: "os", namespace: Self.namespace)?.text)
    }

    /// The `<query/>` element of a result.
    public var element: XMLElement {
        var query = XMLElement("query", namespace: Self.namespace)
        query.append(XMLElement("name", namespace: Self.namespace, text: name))
        query.append(XMLElement("version", namespace: Self.namespace, text: version))
        if let os { query.append(XMLElement("os", namespace: Self.namespace, text: os)) }
        return query
    }
}

/// Asks which software an entity runs (XEP-0092).
///
/// ```swift
/// let version = try await connection.request(SoftwareVersionRequest(), to: JID(connection.boundJID.domainpart))
/// print(version.name, version.version)
/// ```
public struct SoftwareVersionRequest: IQRequest, Hashable {
    /// Creates the request.
    public init() {}

    /// `get`.
    public var type: IQRequestType { .get }

    /// `<query xmlns='jabber:iq:version'/>`.
    public var payload: XMLElement { XMLElement("query", namespace: SoftwareVersion.namespace) }

    /// Reads the answer.
    /// - Throws: ``StanzaParseError``: `missingChild` for an empty result;
    ///   whatever ``SoftwareVersion/init(element:)`` throws.
    public func response(from result: IQ) throws(StanzaParseError) -> SoftwareVersion {
        guard let payload = result.payload else {
            throw StanzaParseError(.missingChild, subject: "{\(SoftwareVersion.namespace)}query")
        }
        return try SoftwareVersion(element: payload)
    }
}

/// Answers XEP-0092 requests with a fixed name and version; advertises
/// `jabber:iq:version`.
///
/// The operating system is left out unless given: it tells an attacker
/// what to aim at (XEP-0092 §5).
public struct SoftwareVersionResponder: IQResponder, Hashable {
    /// The answer.
    public var version: SoftwareVersion

    /// Creates the responder.
    /// - Parameters:
    ///   - name: The software's name.
    ///   - version: Its version.
    ///   - os: The operating system; `nil` (the default) keeps it private.
    public init(name: String, version: String, os: String? = nil) {
        self.version = SoftwareVersion(name: name, version: version, os: os)
    }

    /// `{jabber:iq:version}query`.
    public var payload: XMLQualifiedName { XMLQualifiedName("query", namespace: SoftwareVersion.namespace) }

    /// `jabber:iq:version`.
    public var features: Set<String> { [SoftwareVersion.namespace] }

    /// The version for a `get`.
    /// - Parameter request: The version request.
    /// - Throws: ``StanzaError`` `bad-request` for a `set`.
    public func respond(to request: IQ) throws(StanzaError) -> XMLElement? {
        try requireGet(request)
        return version.element
    }
}
