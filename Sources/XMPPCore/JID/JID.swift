/// A Jabber Identifier (XMPP address) as defined by RFC 7622:
/// `[localpart "@"] domainpart ["/" resourcepart]`.
///
/// A value is always valid and normalised: the localpart by the PRECIS
/// UsernameCaseMapped profile, the resourcepart by the OpaqueString profile
/// (RFC 8265) and the domainpart by IDNA2008-style rules (U-labels, lower
/// case, no trailing dot). Two JIDs are equal when their normalised parts are
/// equal byte for byte, so `JID("Juliet@Example.com")` equals
/// `JID("juliet@example.com")`.
///
/// Use ``BareJID`` or ``FullJID`` where the protocol requires an address
/// without or with a resourcepart.
public struct JID: Sendable {
    /// The localpart and domainpart.
    public let bare: BareJID
    /// The normalised resourcepart, or `nil` when the address has none.
    public let resourcepart: String?

    /// Parses, validates and normalises an address.
    /// - Parameter string: An address such as `"juliet@example.com/balcony"`.
    /// - Throws: ``JIDError`` naming the offending part.
    public init(_ string: String) throws(JIDError) {
        // Streams repeat the same few addresses; see RecentJIDs.
        if let known = RecentJIDs.lookup(string) {
            self = known
            return
        }
        let pieces = try JIDSyntax.split(string)
        try self.init(localpart: pieces.localpart, domainpart: pieces.domainpart, resourcepart: pieces.resourcepart)
        RecentJIDs.remember(string, as: self)
    }

    /// Creates an address from its parts, validating and normalising each.
    /// - Parameters:
    ///   - localpart: The part before the `@`, or `nil` for none.
    ///   - domainpart: The domain, an IP literal or a hostname.
    ///   - resourcepart: The part after the `/`, or `nil` for none.
    /// - Throws: ``JIDError`` naming the offending part; an empty string is
    ///   an error, pass `nil` for an absent part.
    public init(localpart: String?, domainpart: String, resourcepart: String?) throws(JIDError) {
        self.bare = try BareJID(localpart: localpart, domainpart: domainpart)
        self.resourcepart = try resourcepart.map { (part: String) throws(JIDError) in
            try PRECIS.opaqueString(part, for: .resourcepart)
        }
    }

    /// Wraps a bare address.
    public init(_ bare: BareJID) {
        self.bare = bare
        self.resourcepart = nil
    }

    /// Wraps a full address.
    public init(_ full: FullJID) {
        self.bare = full.bare
        self.resourcepart = full.resourcepart
    }

    /// The normalised localpart, or `nil` when the address has none.
    public var localpart: String? { bare.localpart }

    /// The normalised domainpart, with internationalised labels as U-labels.
    public var domainpart: String { bare.domainpart }

    /// The domainpart with internationalised labels as A-labels (`xn--…`),
    /// suitable for DNS lookups and TLS certificate matching.
    public var asciiDomain: String { bare.asciiDomain }

    /// Whether the address has no resourcepart.
    public var isBare: Bool { resourcepart == nil }

    /// The address as a ``FullJID``, or `nil` when it has no resourcepart.
    public var full: FullJID? {
        resourcepart.map { FullJID(bare: bare, normalizedResourcepart: $0) }
    }
}

extension JID: Hashable {
    /// Whether two addresses have byte-identical normalised parts.
    public static func == (lhs: JID, rhs: JID) -> Bool {
        lhs.bare == rhs.bare && JIDSyntax.bytesEqual(lhs.resourcepart, rhs.resourcepart)
    }

    /// Hashes the UTF-8 bytes of the normalised parts.
    public func hash(into hasher: inout Hasher) {
        bare.hash(into: &hasher)
        JIDSyntax.hashBytes(resourcepart, into: &hasher)
    }
}

extension JID: CustomStringConvertible {
    /// The normalised string form, for example `"juliet@example.com/balcony"`.
    public var description: String {
        JIDSyntax.string(localpart: bare.localpart, domainpart: bare.domainpart, resourcepart: resourcepart)
    }
}
