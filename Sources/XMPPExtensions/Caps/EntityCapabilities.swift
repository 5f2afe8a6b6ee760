public import XMPPCore

/// A XEP-0115 entity capabilities annotation, the `<c/>` an entity puts in
/// its presence: which software it runs (``node``) and a hash of its
/// service discovery information (``verification``), so that receivers
/// who have seen that hash before know its features without asking.
///
/// ```swift
/// if let caps = presence.capabilities, let from = presence.from {
///     let info = try await resolver.discoInfo(of: from, advertising: caps)
///     print(info.features.contains("urn:xmpp:jingle:1"))
/// }
/// ```
///
/// Learn the features behind it with an ``EntityCapabilitiesResolver``,
/// which checks the hash before caching; advertise our own with
/// ``XMPPConnection/serve(_:identities:features:capabilitiesNode:)``.
public struct EntityCapabilities: Hashable, Sendable {
    /// `http://jabber.org/protocol/caps`, also a disco#info feature.
    public static let namespace = "http://jabber.org/protocol/caps"
    /// The key under which our `<c/>` is registered with
    /// ``XMPPConnection/setAvailablePresenceExtension(_:forKey:)``: the
    /// namespace.
    public static let presenceExtensionKey = namespace

    /// A URI that names the software, for example
    /// `https://github.com/example/bot`.
    public var node: String
    /// The verification string (`ver`): the base64 hash of the entity's
    /// identities, features and extended information (XEP-0115 §5).
    public var verification: String
    /// The hash function behind ``verification``; `nil` for the pre-1.4
    /// legacy format, whose `ver` is a version number and cannot be checked.
    public var hashAlgorithm: CapsHashAlgorithm?

    /// Creates an annotation.
    /// - Parameters:
    ///   - node: The software's URI.
    ///   - verification: The verification string.
    ///   - hashAlgorithm: The hash function; SHA-1 by default, the one
    ///     every implementation supports.
    public init(node: String, verification: String, hashAlgorithm: CapsHashAlgorithm? = .sha1) {
        self.node = node
        self.verification = verification
        self.hashAlgorithm = hashAlgorithm
    }

    /// The disco#info node that answers for this annotation:
    /// `node#ver` (XEP-0115 §6.2).
    public var discoNode: String { "\(node)#\(verification)" }

    /// Reads `<c xmlns='http://jabber.org/protocol/caps'/>`. The deprecated
    /// `ext` attribute is ignored.
    /// - Parameter element: The annotation.
    /// - Throws: ``StanzaParseError``: `unexpectedElement` for another
    ///   element; `missingAttribute` (subject `node` or `ver`) when either
    ///   is absent or empty.
    public init(element: XMLElement) throws(StanzaParseError) {
        guard element.name == XMLQualifiedName("c", namespace: Self.namespace) else {
            throw .unexpectedElement(element.name)
        }
        guard let node = element[attribute: "node"], !node.isEmpty else {
            throw StanzaParseError(.missingAttribute, subject: "node")
        }
        guard let verification = element[attribute: "ver"], !verification.isEmpty else {
            throw StanzaParseError(.missingAttribute, subject: "ver")
        }
        self.init(node: node, verification: verification, hashAlgorithm: element[attribute: "hash"].map(CapsHashAlgorithm.init(name:)))
    }

    /// The `<c/>` element.
    public var element: XMLElement {
        var element = XMLElement("c", namespace: Self.namespace)
        element[attribute: "hash"] = hashAlgorithm?.name
        element[attribute: "node"] = node
        element[attribute: "ver"] = verification
        return element
    }
}

extension Presence {
    /// The XEP-0115 annotation this presence carries: its first `<c/>`
    /// that reads as one; `nil` when there is none.
    public var capabilities: EntityCapabilities? {
        for element in extensions where element.name.namespace == EntityCapabilities.namespace {
            if let capabilities = try? EntityCapabilities(element: element) { return capabilities }
        }
        return nil
    }
}
