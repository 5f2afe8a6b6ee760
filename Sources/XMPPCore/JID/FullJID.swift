/// An address with a resourcepart: `[localpart "@"] domainpart "/" resourcepart`.
///
/// Connected clients are named by full addresses. Normalisation and equality
/// follow ``JID``.
public struct FullJID: Sendable {
    /// The localpart and domainpart.
    public let bare: BareJID
    /// The normalised resourcepart.
    public let resourcepart: String

    /// Parses, validates and normalises a full address.
    /// - Parameter string: An address such as `"juliet@example.com/balcony"`.
    /// - Throws: ``JIDError``; ``JIDError/Kind/missingResource`` when the
    ///   string has no resourcepart.
    public init(_ string: String) throws(JIDError) {
        let pieces = try JIDSyntax.split(string)
        guard let resourcepart = pieces.resourcepart else { throw JIDError(.resourcepart, .missingResource) }
        try self.init(localpart: pieces.localpart, domainpart: pieces.domainpart, resourcepart: resourcepart)
    }

    /// Creates a full address from its parts, validating and normalising each.
    /// - Parameters:
    ///   - localpart: The part before the `@`, or `nil` for none.
    ///   - domainpart: The domain, an IP literal or a hostname.
    ///   - resourcepart: The part after the `/`.
    /// - Throws: ``JIDError`` naming the offending part.
    public init(localpart: String?, domainpart: String, resourcepart: String) throws(JIDError) {
        self.bare = try BareJID(localpart: localpart, domainpart: domainpart)
        self.resourcepart = try PRECIS.opaqueString(resourcepart, for: .resourcepart)
    }

    /// Pairs a bare address with an already normalised resourcepart.
    init(bare: BareJID, normalizedResourcepart: String) {
        self.bare = bare
        self.resourcepart = normalizedResourcepart
    }

    /// The normalised localpart, or `nil` when the address has none.
    public var localpart: String? { bare.localpart }

    /// The normalised domainpart, with internationalised labels as U-labels.
    public var domainpart: String { bare.domainpart }

    /// The domainpart with internationalised labels as A-labels (`xn--…`),
    /// suitable for DNS lookups and TLS certificate matching.
    public var asciiDomain: String { bare.asciiDomain }

    /// The address as a ``JID``.
    public var jid: JID { JID(self) }
}

extension FullJID: Hashable {
    /// Whether two addresses have byte-identical normalised parts.
    public static func == (lhs: FullJID, rhs: FullJID) -> Bool {
        lhs.bare == rhs.bare && JIDSyntax.bytesEqual(lhs.resourcepart, rhs.resourcepart)
    }

    /// Hashes the UTF-8 bytes of the normalised parts.
    public func hash(into hasher: inout Hasher) {
        bare.hash(into: &hasher)
        JIDSyntax.hashBytes(resourcepart, into: &hasher)
    }
}

extension FullJID: CustomStringConvertible {
    /// The normalised string form, for example `"juliet@example.com/balcony"`.
    public var description: String {
        JIDSyntax.string(localpart: bare.localpart, domainpart: bare.domainpart, resourcepart: resourcepart)
    }
}
