/// An address without a resourcepart: `[localpart "@"] domainpart`.
///
/// Accounts, rosters and servers are named by bare addresses. Normalisation
/// and equality follow ``JID``.
public struct BareJID: Sendable {
    /// The normalised localpart, or `nil` when the address has none.
    public let localpart: String?
    /// The normalised domainpart, with internationalised labels as U-labels.
    public let domainpart: String

    /// Parses, validates and normalises a bare address.
    /// - Parameter string: An address such as `"juliet@example.com"`.
    /// - Throws: ``JIDError``; ``JIDError/Kind/unexpectedResource`` when the
    ///   string has a resourcepart.
    public init(_ string: String) throws(JIDError) {
        let pieces = try JIDSyntax.split(string)
        guard pieces.resourcepart == nil else { throw JIDError(.resourcepart, .unexpectedResource) }
        try self.init(localpart: pieces.localpart, domainpart: pieces.domainpart)
    }

    /// Creates a bare address from its parts, validating and normalising each.
    /// - Parameters:
    ///   - localpart: The part before the `@`, or `nil` for none.
    ///   - domainpart: The domain, an IP literal or a hostname.
    /// - Throws: ``JIDError`` naming the offending part.
    public init(localpart: String?, domainpart: String) throws(JIDError) {
        self.domainpart = try DomainName.normalize(domainpart)
        self.localpart = try localpart.map { (part: String) throws(JIDError) in
            try PRECIS.usernameCaseMapped(part, for: .localpart)
        }
    }

    /// The domainpart with internationalised labels as A-labels (`xn--…`),
    /// suitable for DNS lookups and TLS certificate matching.
    public var asciiDomain: String { DomainName.asciiForm(ofNormalized: domainpart) }

    /// The full address formed by adding a resourcepart.
    /// - Parameter resource: The resourcepart, normalised by OpaqueString.
    /// - Throws: ``JIDError`` when the resourcepart is invalid.
    public func withResource(_ resource: String) throws(JIDError) -> FullJID {
        FullJID(bare: self, normalizedResourcepart: try PRECIS.opaqueString(resource, for: .resourcepart))
    }

    /// The address as a ``JID``.
    public var jid: JID { JID(self) }
}

extension BareJID: Hashable {
    /// Whether two addresses have byte-identical normalised parts.
    public static func == (lhs: BareJID, rhs: BareJID) -> Bool {
        JIDSyntax.bytesEqual(lhs.domainpart, rhs.domainpart) && JIDSyntax.bytesEqual(lhs.localpart, rhs.localpart)
    }

    /// Hashes the UTF-8 bytes of the normalised parts.
    public func hash(into hasher: inout Hasher) {
        JIDSyntax.hashBytes(localpart, into: &hasher)
        JIDSyntax.hashBytes(domainpart, into: &hasher)
    }
}

extension BareJID: CustomStringConvertible {
    /// The normalised string form, for example `"juliet@example.com"`.
    public var description: String {
        JIDSyntax.string(localpart: localpart, domainpart: domainpart, resourcepart: nil)
    }
}
